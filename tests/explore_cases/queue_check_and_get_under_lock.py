"""Fixed: one lock shared by the workers, held over the check and the get."""
import queue
import threading

lock = threading.Lock()


def work(q, done):
    while True:
        with lock:
            if q.empty():
                return
            t = q.get()
        done.append(t)


def main(n_threads=2, items=1):
    q = queue.Queue()
    for i in range(items):
        q.put(i)
    done = []
    threads = [threading.Thread(target=work, args=(q, done)) for _ in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(done)
