import queue
import random
import threading
import time


def producer(q, name, count):
    for i in range(1, count + 1):
        q.put((name, i))
        time.sleep(random.randrange(10) / 5)


def consumer(q, out, count):
    for _ in range(count):  # as many items as one producer makes
        out.append(q.get())
        time.sleep(random.randrange(10))


def run_pipeline(producers=1, consumers=1, count=4, maxsize=0):
    """Start the producers and consumers on one queue of maxsize; return every item consumed."""
    q = queue.Queue(maxsize)
    out = []
    ps = [threading.Thread(target=producer, args=(q, f"P{i}", count)) for i in range(producers)]
    cs = [threading.Thread(target=consumer, args=(q, out, count)) for _ in range(consumers)]
    for t in ps + cs:
        t.start()
    for t in ps + cs:
        t.join()
    return out
