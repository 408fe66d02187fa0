import queue
import threading
import time


def work(q, done):
    """Take items from q until it is empty; sleep each item's seconds, then record it in done."""
    while True:
        try:
            t = q.get_nowait()
        except queue.Empty:
            return
        time.sleep(t)
        done.append(t)


def drain(items, n_threads=10):
    """Put every item in a queue, let n_threads workers empty it, return what they recorded."""
    q = queue.Queue()
    for i in items:
        q.put(i)
    done = []
    for _ in range(n_threads):
        t = threading.Thread(target=work, args=(q, done))
        t.start()
        t.join()  # the first worker empties the queue alone, the others find it empty
    return done
