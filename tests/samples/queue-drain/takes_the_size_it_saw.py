import queue
import threading
import time


def work(q, done):
    """Take items from q until it is empty; sleep each item's seconds, then record it in done."""
    for _ in range(q.qsize()):  # as many as the queue holds when this worker starts
        t = q.get()
        time.sleep(t)
        done.append(t)


def drain(items, n_threads=10):
    """Put every item in a queue, let n_threads workers empty it, return what they recorded."""
    q = queue.Queue()
    for i in items:
        q.put(i)
    done = []
    threads = [threading.Thread(target=work, args=(q, done)) for _ in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return done
