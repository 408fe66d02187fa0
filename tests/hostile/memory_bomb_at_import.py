"""Allocates (and touches) memory without end at import."""
hoard = []
while True:
    hoard.append(b"x" * (64 * 1024 * 1024))

import threading
import time


class Counter:
    """A shared counter that many threads decrement at once."""

    def __init__(self, start=100):
        self.value = start

    def decrement(self):
        current = self.value
        time.sleep(0.01)  # simulated work between the read and the write: keep it
        self.value = current - 1


def run(n_threads=100, start=100):
    """Start n_threads threads that each call decrement() once; return the final value."""
    counter = Counter(start)
    threads = [threading.Thread(target=counter.decrement) for _ in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return counter.value
