import multiprocessing as mp


def is_prime(n):
    """True when n is a prime number (trial division: deliberately CPU-bound)."""
    if n < 2:
        return False
    d = 2
    while d * d <= n:
        if n % d == 0:
            return False
        d += 1
    return True


def parallel_count(numbers, workers, check=is_prime):
    """How many of `numbers` satisfy `check`: a pool of `workers` processes started with forkserver."""
    ctx = mp.get_context("forkserver")
    with ctx.Pool(workers) as pool:
        return sum(pool.map(check, numbers))
