# race-counter: threading's primitives put back to the real ones from _thread, which the scheduler
# cannot see (their waits block the whole run, their operations are no scheduling points).
import _thread
import threading
import time

threading.Lock = _thread.allocate_lock


class Counter:
    def __init__(self, start=100):
        self.value = start
        self.lock = threading.Lock()

    def decrement(self):
        with self.lock:
            current = self.value
            time.sleep(0.01)
            self.value = current - 1


def run(n_threads=100, start=100):
    counter = Counter(start)
    threads = [threading.Thread(target=counter.decrement) for _ in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return counter.value
