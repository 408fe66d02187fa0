import queue
import random
import time
from multiprocessing import Process, Queue


def write(q, values):
    for value in values:
        q.put(value)
        time.sleep(random.random() / 100)


def read(q, out):
    while True:
        value = q.get(True)
        out.put(value)


def relay(batches):
    """The tutorial's relay without qsize(): the reader is still ended with terminate()."""
    q, out = Queue(), Queue()
    writers = [Process(target=write, args=(q, b)) for b in batches]
    reader = Process(target=read, args=(q, out))
    for w in writers:
        w.start()
    reader.start()
    for w in writers:
        w.join()
    time.sleep(1)  # "give the reader a moment"
    reader.terminate()
    reader.join()
    values = []
    while True:
        try:
            values.append(out.get(timeout=0.5))
        except queue.Empty:
            return values
