"""Scenarios for parallel-primes; they run in the child and only observe."""

import os


def count_cases(module, probe, cases):
    """parallel_count with the default check, for each (numbers, workers) case."""
    return {"results": [probe.encode(module.parallel_count(numbers, workers)) for numbers, workers in cases]}


def with_rendezvous(module, probe, address, numbers, workers):
    """parallel_count with the test's check, which reports every call to the test's server."""
    check = probe.RendezvousCheck(address, "multiple_of_3")
    pools = probe.PoolTracker()
    result = module.parallel_count(numbers, workers, check)
    return {"result": probe.encode(result), "children_left": probe.live_children(), "pid": os.getpid(),
            "pools": pools.report()}
