"""Fixed: one None per worker after the items; each worker stops at its None."""
import queue
import threading


def work(q, done):
    while True:
        t = q.get()
        if t is None:
            return
        done.append(t)


def main(n_threads=2, items=1):
    q = queue.Queue()
    for i in range(items):
        q.put(i)
    for _ in range(n_threads):
        q.put(None)
    done = []
    threads = [threading.Thread(target=work, args=(q, done)) for _ in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(done)
