"""Racy: consumers take a get() that timed out for the end of the work, while the producer still sleeps between puts."""
import queue
import threading
import time


def main(n_consumers=2, items=3):
    q = queue.Queue()
    done = []

    def producer():
        for i in range(items):
            time.sleep(0.01)
            q.put(i)

    def consumer():
        while True:
            try:
                done.append(q.get(timeout=1))
            except queue.Empty:
                return

    threads = [threading.Thread(target=producer)] + [threading.Thread(target=consumer) for _ in range(n_consumers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(done)
