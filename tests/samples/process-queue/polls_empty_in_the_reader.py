import random
import time
from multiprocessing import Process, Queue

DONE = None


def write(q, values):
    for value in values:
        q.put(value)
        time.sleep(random.random() / 100)


def read(q, out):
    # Stops as soon as the queue looks empty: the writers may not have started yet.
    while not q.empty():
        out.put(q.get())
    out.put(DONE)


def relay(batches):
    q, out = Queue(), Queue()
    writers = [Process(target=write, args=(q, b)) for b in batches]
    reader = Process(target=read, args=(q, out))
    for w in writers:
        w.start()
    reader.start()
    values = []
    for w in writers:
        w.join()
    while (value := out.get()) is not DONE:
        values.append(value)
    reader.join()
    return values
