import threading
from concurrent.futures import ProcessPoolExecutor


def crunch(numbers, work, workers=2):
    """CPU-bound: return [work(n) for n in numbers], computed in parallel."""
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(work, numbers))


def download(urls, fetch, max_threads=8):
    """I/O-bound: return [fetch(u) for u in urls], with the waits overlapping."""
    results = [None] * len(urls)
    slots = threading.Semaphore(max_threads)

    def get(i):
        with slots:
            results[i] = fetch(urls[i])

    threads = [threading.Thread(target=get, args=(i,)) for i in range(len(urls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results
