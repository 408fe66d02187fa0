"""A correct answer of another shape: each writer says it is done, and the reader counts them."""
import random
import time
from multiprocessing import Process, Queue

DONE = None


def write(q, values):
    for value in values:
        q.put(value)
        time.sleep(random.random() / 100)
    q.put(DONE)


def read(q, out, writers=1):
    finished = 0
    while finished < writers:
        value = q.get(True)
        if value is DONE:
            finished += 1
        else:
            out.put(value)
    out.put(DONE)


def relay(batches):
    q, out = Queue(), Queue()
    writers = [Process(target=write, args=(q, b)) for b in batches]
    reader = Process(target=read, args=(q, out, len(writers)))
    for p in writers + [reader]:
        p.start()
    values = []
    while (value := out.get()) is not DONE:  # drained while everyone still runs
        values.append(value)
    for p in writers + [reader]:
        p.join()
    return values
