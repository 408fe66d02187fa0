"""Hidden checks for parallel-primes. Each test is one check named in exercise.yaml.

Parallelism is proven by overlap at the test's rendezvous server, never by timing.
"""

import pytest

from grader.harness.judge.api import describe, expect

NUMBERS = list(range(2, 62))
WORKERS = 3


def _is_prime(n):
    if n < 2:
        return False
    return all(n % d for d in range(2, int(n ** 0.5) + 1))


CASES = [
    [list(range(2, 200)), 2],
    [[], 4],
    [[7, 8], 4],
    [[97, 89, 91, 1, 0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13], 3],
]


@pytest.fixture(scope="module")
def pool_run(student, rendezvous):
    """One run with the test's check; several checks read what the test's server saw."""
    run = student.record("with_rendezvous", address=rendezvous.address, numbers=NUMBERS, workers=WORKERS)
    return run, rendezvous.stats


def test_counts_correctly(student):
    obs = student.run("count_cases", cases=CASES)
    for (numbers, workers), got in zip(CASES, obs["results"]):
        want = sum(1 for n in numbers if _is_prime(n))
        if len(numbers) <= 6:
            expect(got == want and type(got) is int, "parallel_count({numbers}, workers={workers}) returned "
                   "{got}, expected {want}.", numbers=numbers, workers=workers, got=describe(got), want=want)
        else:
            expect(got == want and type(got) is int, "parallel_count on a list of {n} numbers, workers={workers}, "
                   "returned {got}, expected {want}.", n=len(numbers), workers=workers, got=describe(got),
                   want=want)


def test_uses_the_check_argument(pool_run):
    run, stats = pool_run
    obs = run.observations
    want = sum(1 for n in NUMBERS if n % 3 == 0)
    expect(len(stats.calls) > 0, "parallel_count never called the `check` function it was given; it must "
           "use `check`, not is_prime directly.")
    expect(obs["result"] == want, "With the test's own check (true for multiples of 3), parallel_count "
           "returned {got}, expected {want}.", got=describe(obs["result"]), want=want)


def test_checks_run_in_parallel(pool_run):
    run, stats = pool_run
    obs = run.observations
    pids = stats.pids() - {run.outcome.pid}
    expect(pids or not stats.calls,
           "Every call of check() ran in the calling process itself, not in worker processes: one after "
           "another, or in threads of that one process (a thread pool), which the GIL keeps from running "
           "Python code at the same time. CPU-bound work needs processes: use multiprocessing.Pool(workers).")
    expect(stats.overlap_seen and len(pids) >= 2,
           "check() never ran in two worker processes at the same moment ({n} worker {n:process|processes} seen). "
           "Hand all the numbers to the pool at once (pool.map), not one apply() at a time, and create it "
           "with `workers` processes.", n=len(pids))
    del obs


def test_never_in_the_parent(pool_run):
    run, stats = pool_run
    run.observations  # noqa: B018 - read for its effect: a run that failed is this check's verdict
    in_parent = sum(1 for pid, _ in stats.calls if pid == run.outcome.pid)
    expect(in_parent == 0, "{k} of the {n} calls of check() ran in the calling process itself, not in a "
           "worker process.", k=in_parent, n=len(stats.calls))


def test_at_most_workers_processes(pool_run):
    run, stats = pool_run
    run.observations  # noqa: B018 - read for its effect: a run that failed is this check's verdict
    pids = stats.pids()
    expect(len(pids) <= WORKERS, "check() ran in {n} different processes with workers={w}; use one pool of "
           "`workers` processes, not a process per number.", n=len(pids), w=WORKERS)


def test_each_number_checked_once(pool_run):
    run, stats = pool_run
    run.observations  # noqa: B018 - read for its effect: a run that failed is this check's verdict
    counts = stats.item_counts()
    twice = sorted(n for n, c in counts.items() if c > 1)
    never = sorted(set(NUMBERS) - set(counts))
    expect(not twice, "These numbers were checked more than once: {twice}.", twice=twice[:10])
    expect(not never, "These numbers were never checked: {never}.", never=never[:10])


def test_pool_is_shut_down(pool_run):
    run, _ = pool_run
    obs = run.observations
    for pool in obs["pools"]:
        line = (pool["site"] or {}).get("line", "?")
        expect(pool["shut_down"], "The {kind} created at line {line} was not shut down before parallel_count "
               "returned (close() called: {closed}, join() called: {joined}).", kind=pool["kind"], line=line,
               closed=pool["closed"], joined=pool["joined"])
    left = obs["children_left"]
    expect(not left, "{n} child {n:process was|processes were} still running when parallel_count returned.",
                     n=len(left))
