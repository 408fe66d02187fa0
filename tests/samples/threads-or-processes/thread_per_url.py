import threading
from multiprocessing import Pool


def crunch(numbers, work, workers=2):
    """CPU-bound: return [work(n) for n in numbers], computed in parallel."""
    with Pool(workers) as pool:
        return pool.map(work, numbers)


def download(urls, fetch, max_threads=8):
    """I/O-bound: return [fetch(u) for u in urls], with the waits overlapping."""
    results = [None] * len(urls)

    def get(i):
        results[i] = fetch(urls[i])

    threads = [threading.Thread(target=get, args=(i,)) for i in range(len(urls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results
