from concurrent.futures import ThreadPoolExecutor
from multiprocessing import Process, Queue


def _run(work, n, out):
    out.put(work(n))


def crunch(numbers, work, workers=2):
    """CPU-bound: return [work(n) for n in numbers], computed in parallel."""
    results = []
    for n in numbers:
        out = Queue()
        p = Process(target=_run, args=(work, n, out))
        p.start()
        results.append(out.get())
        p.join()
    return results


def download(urls, fetch, max_threads=8):
    """I/O-bound: return [fetch(u) for u in urls], with the waits overlapping."""
    with ThreadPoolExecutor(max_workers=max_threads) as pool:
        return list(pool.map(fetch, urls))
