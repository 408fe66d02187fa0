from multiprocessing import Pool


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
    """How many of `numbers` satisfy `check`, computed by a pool of `workers` worker processes."""
    with Pool(workers) as pool:
        return sum(pool.map(check, numbers))


print("primes below 100:", parallel_count(range(100), 2))
