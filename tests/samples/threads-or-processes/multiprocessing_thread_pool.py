from multiprocessing import Pool
from multiprocessing.pool import ThreadPool


def crunch(numbers, work, workers=2):
    """CPU-bound: return [work(n) for n in numbers], computed in parallel."""
    with Pool(workers) as pool:
        return pool.map(work, numbers)


def download(urls, fetch, max_threads=8):
    """I/O-bound: return [fetch(u) for u in urls], with the waits overlapping."""
    with ThreadPool(max_threads) as pool:
        return pool.map(fetch, urls, chunksize=1)
