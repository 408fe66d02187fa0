"""Fixed: the increment under the counter's own lock."""
import threading


class Counter:
    def __init__(self):
        self.value = 0
        self.lock = threading.Lock()

    def increment(self):
        with self.lock:
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
