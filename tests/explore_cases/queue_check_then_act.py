"""The tutorial's consumer: another thread can take the last item between empty() and get()."""
import queue
import threading


def work(q, done):
    while True:
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
