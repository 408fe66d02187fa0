"""empty() and then get_nowait(): a worker dies of queue.Empty when another takes the last item in
between. The others take every item, so main() still returns them all: only the death shows it."""
import queue
import threading


def work(q, done):
    while True:
        if q.empty():
            return
        t = q.get_nowait()
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
