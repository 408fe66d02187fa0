import random
import time
from multiprocessing import Process, Queue

DONE = None


def write(q, values):
    for value in values:
        q.put(value)
        time.sleep(random.random() / 100)


def read(q, out):
    while True:
        value = q.get(True)
        out.put(value)
        if value is DONE:
            return


def relay(batches):
    q, out = Queue(), Queue()
    writers = [Process(target=write, args=(q, b)) for b in batches]
    reader = Process(target=read, args=(q, out))
    for w in writers:
        w.start()
    reader.start()
    q.put(DONE)  # too early: the writers may still have values to put
    values = []
    while (value := out.get()) is not DONE:
        values.append(value)
    for w in writers:
        w.join()
    reader.join()
    return values
