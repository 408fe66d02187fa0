"""self.value += 1 is a load, an add and a store: two threads can both load 0."""
import threading


class Counter:
    def __init__(self):
        self.value = 0

    def increment(self):
        self.value += 1


def main(n_threads=2, per_thread=3):
    counter = Counter()

    def work():
        for _ in range(per_thread):
            counter.increment()

    threads = [threading.Thread(target=work) for _ in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return counter.value
