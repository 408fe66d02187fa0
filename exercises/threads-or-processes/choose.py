def crunch(numbers, work, workers=2):
    """CPU-bound: return [work(n) for n in numbers], computed in parallel."""
    return [work(n) for n in numbers]


def download(urls, fetch, max_threads=8):
    """I/O-bound: return [fetch(u) for u in urls], with the waits overlapping."""
    return [fetch(u) for u in urls]
