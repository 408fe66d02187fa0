"""Fixed: take without checking first, and stop on queue.Empty."""
import queue
import threading


def work(q, done):
    while True:
        try:
            t = q.get_nowait()
        except queue.Empty:
            return
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
