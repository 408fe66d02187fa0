"""Hidden checks for threads-or-processes. Each test is one check named in exercise.yaml.

crunch: parallelism is proven by overlap at the test's rendezvous server, never by timing.
download: the test's fetch waits in virtual time and notes who was inside it when; the checks
read that log (api's most_inside, inside_at, late_handoff).
"""

import pytest

from grader.harness.judge.api import busiest, describe, expect, inside_at, late_handoff, most_inside

NUMBERS = list(range(1, 41))
WORKERS = 2
CRUNCH_CASES = [[list(range(1, 30)), 2], [[], 3], [[5, 6, 7, 8], 4]]

URLS = [f"10.0.0.{i}/page" for i in range(1, 11)]
# name: (number of URLs, max_threads, virtual seconds each fetch waits)
DOWNLOADS = {
    "ten_by_three": (10, 3, [3, 1, 2, 1, 4, 2, 1, 3, 2, 1]),
    "seven_by_two": (7, 2, [1, 3, 2, 2, 1, 3, 1]),
    "four_by_eight": (4, 8, [2, 1, 3, 1]),
    "none": (0, 4, []),
}
BUSY = ["ten_by_three", "seven_by_two"]  # more URLs than threads


def _t(seconds):
    """A virtual instant as it reads in a message."""
    return round(seconds, 3)


def _page(url):
    return f"<html>{url}</html>"


@pytest.fixture(scope="module")
def crunch_run(student, rendezvous):
    """One crunch with the test's work; several checks read what the test's server saw."""
    run = student.record("crunch_rendezvous", address=rendezvous.address, numbers=NUMBERS, workers=WORKERS)
    return run, rendezvous.stats


@pytest.fixture(scope="module")
def downloads(student):
    return {name: student.record("downloads", urls=URLS[:n], max_threads=k, seconds=seconds)
            for name, (n, k, seconds) in DOWNLOADS.items()}


def test_crunch_results_in_order(student):
    obs = student.run("crunch_cases", cases=CRUNCH_CASES)
    for (numbers, workers), got in zip(CRUNCH_CASES, obs["results"]):
        want = [n * n for n in numbers]
        expect(type(got) is list and len(got) == len(want), "crunch(numbers, work, workers={workers}) with {n} "
               "{n:number|numbers} returned {got}, not a list of {n} results.", workers=workers, got=describe(got),
               n=len(want))
        wrong = [i for i, (g, w) in enumerate(zip(got, want)) if g != w]
        if wrong:
            i = wrong[0]
            expect(False, "crunch(numbers, work, workers={workers}) returned {got} at position {i}, where "
                   "work({n}) = {want} belongs: the results must be in the order of `numbers` (pool.map keeps "
                   "it; results collected as they finish do not).", workers=workers, got=describe(got[i]), i=i,
                   n=numbers[i], want=want[i])


def test_crunch_in_parallel_processes(crunch_run):
    run, stats = crunch_run
    parent = run.observations["pid"]
    workers = stats.pids() - {parent}
    expect(stats.calls, "crunch never called the `work` function it was given.")
    expect(workers, "Every call of work() ran in the calling process itself: one after another, or in threads of "
           "that one process, which the GIL keeps from running Python code at the same time. CPU-bound work "
           "needs processes: use multiprocessing.Pool(workers) (or ProcessPoolExecutor) and its map().")
    expect(stats.overlap_seen and len(workers) >= 2, "work() never ran in two worker processes at the same moment "
           "({n} worker {n:process|processes} seen). Hand all the numbers to a pool of `workers` processes at once "
           "(pool.map), rather than one call at a time, or one process after another.", n=len(workers))


def test_crunch_never_in_the_parent(crunch_run):
    run, stats = crunch_run
    parent = run.observations["pid"]
    here = sum(1 for pid, _ in stats.calls if pid == parent)
    expect(here == 0, "{k} of the {n} calls of work() ran in the calling process itself, not in a worker "
           "process.", k=here, n=len(stats.calls))


def test_download_results_in_order(downloads):
    for name, (n, k, _) in DOWNLOADS.items():
        got = downloads[name].observations["result"]
        want = [_page(u) for u in URLS[:n]]
        expect(type(got) is list and len(got) == n, "download of {n} {n:URL|URLs} with max_threads={k} returned {got}, "
               "not a list of {n} results.", n=n, k=k, got=describe(got))
        wrong = [i for i, (g, w) in enumerate(zip(got, want)) if g != w]
        if wrong:
            i = wrong[0]
            expect(False, "download of {n} URLs with max_threads={k} returned {got} at position {i}, where the "
                   "page of {url} belongs: the results must be in the order of `urls`, not in the order the "
                   "fetches finished (executor.map keeps it; or store each result at its URL's index).",
                   n=n, k=k, got=describe(got[i]), i=i, url=URLS[i])


def test_download_waits_overlap(downloads):
    for name, (n, k, seconds) in DOWNLOADS.items():
        if n == 0:
            continue
        obs = downloads[name].observations
        log = obs["log"]
        most = most_inside(log)
        want = min(n, k)
        if most == 1 and want > 1:
            expect(False, "download of {n} URLs with max_threads={k} took {t} virtual seconds: the fetches ran "
                   "one after another, and the waits add up ({total} s). A thread that waits for I/O releases "
                   "the GIL, so threads wait together: run the fetches in up to max_threads threads "
                   "(concurrent.futures.ThreadPoolExecutor(max_threads)).",
                   n=n, k=k, t=_t(obs["end"]), total=sum(seconds))
        where = busiest(log)
        expect(most <= want, "download of {n} URLs with max_threads={k}: {most} fetches waited at the same moment "
               "({who}). Never more than max_threads at once: use a pool of max_threads threads, or let max_threads "
               "threads take the URLs from a queue.", n=n, k=k, most=most,
               who=", ".join(inside_at(log, where)) if where is not None else "")
        expect(most >= want, "download of {n} URLs with max_threads={k}: at most {most} fetches waited at the "
               "same moment, where {want} could have. Start max_threads threads (or as many as there are URLs) "
               "and let them wait together.", n=n, k=k, most=most, want=want)


def test_download_freed_thread_takes_next(downloads):
    for name in BUSY:
        n, k, _ = DOWNLOADS[name]
        log = downloads[name].observations["log"]
        most = most_inside(log)
        expect(most <= k, "download of {n} URLs with max_threads={k}: {most} fetches waited at the same moment. "
               "This check looks at how a thread that is done goes on to the next URL: limit download to "
               "max_threads threads first.", n=n, k=k, most=most)
        expect(most == k, "download of {n} URLs with max_threads={k}: at most {most} {most:fetch|fetches} waited at "
               "the same moment. This check looks at how a thread that is done goes on to the next URL: let "
               "max_threads threads wait together first.", n=n, k=k, most=most)
        late = late_handoff(log, n)
        if late is None:
            continue
        leave, waiting, next_at = late
        expect(False, "download of {n} URLs with max_threads={k}: the fetch of {url} ended at {left} s while "
               "{waiting} {waiting:URL was|URLs were} still waiting, but no fetch started before {next} s. A freed "
               "thread must take the next URL at once: batches of max_threads joined one after another wait for the "
               "slowest fetch of each batch. Use a pool of threads (ThreadPoolExecutor(max_threads).map) or threads "
               "taking URLs from a queue.Queue.", n=n, k=k, url=leave["who"], left=_t(leave["at"]), waiting=waiting,
               next=_t(next_at) if next_at is not None else "?")


def test_download_in_threads(student):
    obs = student.run("download_where", urls=URLS[:6], max_threads=3)
    processes = [p for p in obs["pools"] if p["class"] != "ThreadPool"]
    raised = obs["raised"]
    for pool in processes:
        line = (pool["site"] or {}).get("line", "?")
        if raised:
            expect(False, "download created a {kind} (line {line}), and raised {error}: its workers are other "
                   "processes, and the fetch given to download() works only in the process that called it. Waiting "
                   "needs no CPU, so a process pool buys nothing here: it costs a process per worker, and every "
                   "call and result must be sent between processes. Use threads: "
                   "concurrent.futures.ThreadPoolExecutor(max_threads).",
                   kind=pool["class"], line=line, error=raised["type"])
        expect(False, "download created a {kind} (line {line}): its workers are other processes. Waiting needs no "
               "CPU, so a process pool buys nothing here: it costs a process per worker, and every call and result "
               "must be sent between processes. Use threads: concurrent.futures.ThreadPoolExecutor(max_threads).",
               kind=pool["class"], line=line)
    expect(raised is None, "download raised {error}: {text}", error=raised["type"] if raised else "",
           text=raised["message"] if raised else "")
    expect(obs["fetched"] == 6, "download called fetch {k} {k:time|times} for 6 URLs, in this process.",
           k=obs["fetched"])
