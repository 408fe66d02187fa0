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
    # Waits for the first value, then takes values while the queue has some.
    value = q.get()
    if value is not DONE:
        out.put(value)
    while not q.empty():
        value = q.get()
        if value is not DONE:
            out.put(value)
    out.put(DONE)


def relay(batches):
    q, out = Queue(), Queue()
    writers = [Process(target=write, args=(q, b)) for b in batches]
    reader = Process(target=read, args=(q, out))
    reader.start()
    for w in writers:
        w.start()
    values = []
    while (value := out.get()) is not DONE:
        values.append(value)
    reader.join()
    for w in writers:
        w.join()
    return values
