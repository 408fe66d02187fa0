"""Fixed: a timed acquire that retries until it gets the lock, so a timeout that runs out early costs nothing."""
import threading


def main(n_threads=2, adds=3):
    lock = threading.Lock()
    total = [0]

    def work():
        for _ in range(adds):
            while not lock.acquire(timeout=0.01):
                pass
            try:
                total[0] += 1
            finally:
                lock.release()

    threads = [threading.Thread(target=work) for _ in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return total[0]
