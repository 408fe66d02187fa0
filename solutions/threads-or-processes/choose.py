from concurrent.futures import ThreadPoolExecutor
from multiprocessing import Pool


def crunch(numbers, work, workers=2):
    """CPU-bound: return [work(n) for n in numbers], computed in parallel."""
    # Processes: the GIL lets only one thread of a process run Python code at a time.
    with Pool(workers) as pool:
        return pool.map(work, numbers)


def download(urls, fetch, max_threads=8):
    """I/O-bound: return [fetch(u) for u in urls], with the waits overlapping."""
    # Threads: a thread waiting for I/O releases the GIL, and threads cost far less than processes.
    with ThreadPoolExecutor(max_workers=max_threads) as pool:
        return list(pool.map(fetch, urls))
