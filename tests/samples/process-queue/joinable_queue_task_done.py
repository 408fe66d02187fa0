"""A correct answer of another shape: writers wait until what they put has been taken."""
import random
import time
from multiprocessing import JoinableQueue, Process, Queue

DONE = None


def write(q, values):
    for value in values:
        q.put(value)
        time.sleep(random.random() / 100)
    q.join()  # every value taken and marked done


def read(q, out):
    while True:
        value = q.get(True)
        q.task_done()
        out.put(value)
        if value is DONE:
            return


def relay(batches):
    q, out = JoinableQueue(), Queue()
    writers = [Process(target=write, args=(q, b)) for b in batches]
    reader = Process(target=read, args=(q, out))
    reader.start()
    for w in writers:
        w.start()
    for w in writers:
        w.join()
    q.put(DONE)
    values = []
    while (value := out.get()) is not DONE:
        values.append(value)
    reader.join()
    return values
