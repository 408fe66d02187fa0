"""Reads standard input at import: there is none, so this returns at once."""
import sys

WHAT_CAME_IN = sys.stdin.read()

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
