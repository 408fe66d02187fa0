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
        out.put(value.strip())  # None has no strip(): the reader dies on the sentinel


def relay(batches):
    q, out = Queue(), Queue()
    writers = [Process(target=write, args=(q, b)) for b in batches]
    reader = Process(target=read, args=(q, out))
    for w in writers:
        w.start()
    reader.start()
    for w in writers:
        w.join()
    q.put(DONE)
    values = [out.get() for _ in range(sum(len(b) for b in batches))]  # the parent knows how many
    reader.join()
    return values
