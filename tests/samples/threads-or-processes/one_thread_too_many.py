from concurrent.futures import ThreadPoolExecutor
from multiprocessing import Pool


def crunch(numbers, work, workers=2):
    """CPU-bound: return [work(n) for n in numbers], computed in parallel."""
    with Pool(workers) as pool:
        return pool.map(work, numbers)


def download(urls, fetch, max_threads=8):
    """I/O-bound: return [fetch(u) for u in urls], with the waits overlapping."""
    with ThreadPoolExecutor(max_workers=max_threads + 1) as pool:
        return list(pool.map(fetch, urls))
