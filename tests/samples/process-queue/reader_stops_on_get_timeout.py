import queue
import random
import time
from multiprocessing import Process, Queue

DONE = None  # the sentinel: values are non-empty strings, so None is never one of them


def write(q, values):
    for value in values:
        q.put(value)
        time.sleep(random.random() / 100)


def read(q, out):
    while True:
        try:
            value = q.get(timeout=0.5)
        except queue.Empty:  # half a second with nothing: taken for the end, but a writer may be slower
            out.put(DONE)
            return
        out.put(value)
        if value is DONE:
            return


def relay(batches):
    """One writer process per batch and one reader process; return every value the reader got."""
    q, out = Queue(), Queue()
    writers = [Process(target=write, args=(q, b)) for b in batches]
    reader = Process(target=read, args=(q, out))
    for w in writers:
        w.start()
    reader.start()
    for w in writers:
        w.join()
    q.put(DONE)  # every writer is done, so every value is ahead of it in the queue
    values = []
    # Drain before joining: a process that put values on a Queue exits only once they are all in
    # the pipe, and a pipe holds 64 KiB; joining the reader first would wait for ever.
    while (value := out.get()) is not DONE:
        values.append(value)
    reader.join()
    return values
