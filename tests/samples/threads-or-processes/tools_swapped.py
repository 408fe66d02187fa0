import threading
from concurrent.futures import ProcessPoolExecutor


def crunch(numbers, work, workers=2):
    """CPU-bound: return [work(n) for n in numbers], computed in parallel."""
    results = [None] * len(numbers)

    def one(i):
        results[i] = work(numbers[i])

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(numbers))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def download(urls, fetch, max_threads=8):
    """I/O-bound: return [fetch(u) for u in urls], with the waits overlapping."""
    with ProcessPoolExecutor(max_workers=max_threads) as pool:
        return list(pool.map(fetch, urls))
