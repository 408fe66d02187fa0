import queue
import threading
from multiprocessing import get_context


def crunch(numbers, work, workers=2):
    """CPU-bound: return [work(n) for n in numbers], computed in parallel."""
    with get_context("spawn").Pool(workers) as pool:
        return pool.map(work, numbers)


def download(urls, fetch, max_threads=8):
    """I/O-bound: return [fetch(u) for u in urls], with the waits overlapping."""
    todo = queue.Queue()
    for i, u in enumerate(urls):
        todo.put((i, u))
    results = [None] * len(urls)

    def worker():
        while True:
            try:
                i, u = todo.get_nowait()
            except queue.Empty:
                return
            results[i] = fetch(u)

    threads = [threading.Thread(target=worker) for _ in range(min(max_threads, len(urls)))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results
