import random
import time
from multiprocessing import Process, Queue


def write(q, values):
    for value in values:
        q.put(value)
        time.sleep(random.random() / 100)


def read(q, out):
    while True:
        value = q.get(True)
        out.put(value)


def relay(batches):
    """One writer process per batch and one reader process; return every value the reader got."""
    q, out = Queue(), Queue()
    writers = [Process(target=write, args=(q, b)) for b in batches]
    reader = Process(target=read, args=(q, out))
    for w in writers:
        w.start()
    reader.start()
    for w in writers:
        w.join()
    reader.terminate()
    return [out.get() for _ in range(out.qsize())]
