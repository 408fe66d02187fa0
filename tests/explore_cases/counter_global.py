"""counter += 1 on a global: LOAD_GLOBAL, add, STORE_GLOBAL."""
import threading

counter = 0


def work(per_thread):
    global counter
    for _ in range(per_thread):
        counter += 1


def main(n_threads=2, per_thread=3):
    global counter
    counter = 0
    threads = [threading.Thread(target=work, args=(per_thread,)) for _ in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return counter
