"""Fixed with an RLock (re-entrant: increment_twice takes it around increment)."""
import threading

counter = 0
lock = threading.RLock()


def increment():
    global counter
    with lock:
        counter += 1


def increment_twice():
    with lock:
        increment()
        increment()


def work(per_thread):
    for _ in range(per_thread):
        increment_twice()


def main(n_threads=2, per_thread=3):
    global counter
    counter = 0
    threads = [threading.Thread(target=work, args=(per_thread,)) for _ in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return counter // 2
