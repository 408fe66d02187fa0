"""Scenarios for threads-or-processes; they run in the child, next to the student's module, and only
observe. Every comparison happens in the test.

crunch gets the test's `work` (picklable, so pool workers can run it): with an address, each call
reports its process to the test's rendezvous server, which proves overlap; without one it only
computes n * n. download gets the test's `fetch`, which waits (virtual seconds) and notes who was
inside it and when; sent to another process, it raises there, saying so (probe.LocalOnly).
"""

import os
import time


def crunch_cases(module, probe, cases):
    """crunch(numbers, work, workers) for each case, with a work that only computes n * n."""
    work = probe.RendezvousCheck(None, "square")
    return {"results": [probe.encode(module.crunch(list(numbers), work, workers)) for numbers, workers in cases]}


def crunch_rendezvous(module, probe, address, numbers, workers):
    """crunch with the test's work, which reports every call to the test's server."""
    work = probe.RendezvousCheck(address, "square")
    result = module.crunch(list(numbers), work, workers)
    return {"result": probe.encode(result), "pid": os.getpid()}


def _judge_fetch(probe, seconds):
    visits = probe.Visits("fetch")

    def fetch(url):
        with visits.inside(url):
            time.sleep(seconds.get(url, 1))
            return f"<html>{url}</html>"

    return probe.LocalOnly(fetch, "fetch"), visits


def downloads(module, probe, urls, max_threads, seconds):
    """download(urls, fetch, max_threads) with the test's fetch: the result, and who waited when."""
    fetch, visits = _judge_fetch(probe, dict(zip(urls, seconds)))
    result = module.download(list(urls), fetch, max_threads)
    return {"result": probe.encode(result), "log": visits.log, "end": probe.now()}


def download_where(module, probe, urls, max_threads):
    """download with the test's fetch: which pools it made, and whether it raised (a process pool
    cannot take the test's fetch)."""
    fetch, visits = _judge_fetch(probe, {})
    pools = probe.PoolTracker()
    try:
        module.download(list(urls), fetch, max_threads)
        raised = None
    except Exception as exc:  # noqa: BLE001 - the test reports it; the student's code is done here
        raised = {"type": type(exc).__name__, "message": str(exc)[:300]}
    return {"raised": raised, "pools": pools.report(), "fetched": len([e for e in visits.log if e["event"] == "enter"])}
