import threading
import time


class Mailbox:
    """One slot that the producer fills and the consumer empties."""

    def __init__(self):
        self.item = None


def producer(mailbox, ready, value):
    """Make the item, put it in the mailbox, then tell the consumer."""
    time.sleep(0.05)  # making the item takes a while
    mailbox.item = value
    ready.release()  # only now is the item there to take


def consumer(mailbox, ready):
    """Wait until the producer says the item is there, then return it."""
    while mailbox.item is None:
        pass
    return mailbox.item


def run(value):
    """Run one producer and one consumer thread; return what the consumer got."""
    mailbox = Mailbox()
    ready = threading.Semaphore(0)  # nothing is ready yet
    got = []
    c = threading.Thread(target=lambda: got.append(consumer(mailbox, ready)))
    p = threading.Thread(target=producer, args=(mailbox, ready, value))
    c.start()
    p.start()
    c.join()
    p.join()
    return got[0]
