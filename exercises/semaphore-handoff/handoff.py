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
    # TODO: signal the consumer through `ready`


def consumer(mailbox, ready):
    """Wait until the producer says the item is there, then return it."""
    # TODO: wait on `ready` before reading the mailbox
    return mailbox.item


def run(value):
    """Run one producer and one consumer thread; return what the consumer got."""
    mailbox = Mailbox()
    ready = threading.Semaphore(1)  # TODO: what should the starting value be?
    got = []
    c = threading.Thread(target=lambda: got.append(consumer(mailbox, ready)))
    p = threading.Thread(target=producer, args=(mailbox, ready, value))
    c.start()
    p.start()
    c.join()
    p.join()
    return got[0]
