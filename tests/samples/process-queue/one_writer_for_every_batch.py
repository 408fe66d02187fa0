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
    writer = Process(target=write, args=(q, [v for b in batches for v in b]))  # one process writes them all
    reader = Process(target=read, args=(q, out))
    writer.start()
    reader.start()
    writer.join()
    q.put(DONE)
    values = []
    while (value := out.get()) is not DONE:
        values.append(value)
    reader.join()
    return values
