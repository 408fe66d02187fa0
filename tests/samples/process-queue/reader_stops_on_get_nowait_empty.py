import queue
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
    value = q.get()
    while True:
        if value is not DONE:
            out.put(value)
        try:
            value = q.get_nowait()  # raises queue.Empty as soon as nothing is waiting
        except queue.Empty:
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
