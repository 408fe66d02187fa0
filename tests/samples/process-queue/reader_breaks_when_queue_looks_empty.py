import random
import time
from multiprocessing import Process, Queue

DONE = None


def write(q, values):
    for value in values:
        q.put(value)
        time.sleep(random.random() / 100)
    q.put(DONE)


def read(q, out):
    while True:
        value = q.get(True)
        if value is not DONE:
            out.put(value)
        if q.empty():  # nothing left... for now: a writer may only be sleeping between two puts
            break
    out.put(DONE)


def relay(batches):
    q, out = Queue(), Queue()
    writers = [Process(target=write, args=(q, b)) for b in batches]
    reader = Process(target=read, args=(q, out))
    for p in writers + [reader]:
        p.start()
    values = []
    while (value := out.get()) is not DONE:
        values.append(value)
    for p in writers + [reader]:
        p.join()
    return values
