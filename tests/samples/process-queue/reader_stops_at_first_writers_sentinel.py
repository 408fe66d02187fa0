import random
import time
from multiprocessing import Process, Queue

DONE = None


def write(q, values):
    for value in values:
        q.put(value)
        time.sleep(random.random() / 100)
    q.put(DONE)  # each writer says it is done...


def read(q, out):
    while True:
        value = q.get(True)
        out.put(value)
        if value is DONE:  # ...but the reader stops at the first one
            return


def relay(batches):
    q, out = Queue(), Queue()
    writers = [Process(target=write, args=(q, b)) for b in batches]
    reader = Process(target=read, args=(q, out))
    for w in writers:
        w.start()
    reader.start()
    for w in writers:
        w.join()
    values = []
    while (value := out.get()) is not DONE:
        values.append(value)
    reader.join()
    return values
