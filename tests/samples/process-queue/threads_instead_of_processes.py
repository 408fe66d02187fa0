import queue
import random
import threading
import time

DONE = None


def write(q, values):
    for value in values:
        q.put(value)
        time.sleep(random.random() / 100)


def read(q, out):
    while True:
        value = q.get(True)
        if value is DONE:
            return
        out.append(value)


def relay(batches):
    q, out = queue.Queue(), []
    writers = [threading.Thread(target=write, args=(q, b)) for b in batches]
    reader = threading.Thread(target=read, args=(q, out))
    for w in writers:
        w.start()
    reader.start()
    for w in writers:
        w.join()
    q.put(DONE)
    reader.join()
    return out
