import multiprocessing as mp
from concurrent.futures import ProcessPoolExecutor


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
    """How many of `numbers` satisfy `check`, in a ProcessPoolExecutor whose workers are spawned."""
    with ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("spawn")) as executor:
        return sum(executor.map(check, numbers))
