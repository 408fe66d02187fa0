"""The race-counter starter with its sleep removed: the read and the write are still two steps."""
import threading


class Counter:
    def __init__(self, start=100):
        self.value = start

    def decrement(self):
        current = self.value
        self.value = current - 1


def main(n_threads=10, start=100):
    counter = Counter(start)
    threads = [threading.Thread(target=counter.decrement) for _ in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return counter.value
