import queue
import threading
import time


def work(q, done):
    """Take items from q until it is empty; sleep each item's seconds, then record it in done."""
    while True:
        t = q.get()
        if t is None:
            return
        time.sleep(t)
        done.append(t)


def drain(items, n_threads=10):
    """Put every item in a queue, let n_threads workers empty it, return what they recorded."""
    q = queue.Queue()
    for i in items:
        q.put(i)
    q.put(None)  # the end of the items
    done = []
    threads = [threading.Thread(target=work, args=(q, done)) for _ in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return done
