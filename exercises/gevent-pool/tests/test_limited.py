"""Hidden checks for gevent-pool. Each test is one check named in exercise.yaml.

Each case runs fetch_limited once against its own HTTP server on the loopback (HeldHttpServer): the
server holds every response and answers one at a time, the last URL first, only when every
greenlet of the child waits. Before each answer it counts the requests it holds: nothing can change
that number then, so "at most `limit` in flight" and "`limit` in flight while URLs are left" are
read from those counts, the same on every run. Nothing here measures time.
"""

import pytest

from grader.harness.judge.api import HeldHttpServer, describe, expect


def _pages(prefix, sizes):
    return {f"{prefix}{i}": size for i, size in enumerate(sizes)}


# (pages in the order of the URLs, limit)
CASES = [
    (_pages("a", [2443, 15049, 812, 5120, 377, 1024]), 2),
    (_pages("b", [700, 1300, 90, 4100, 2600]), 3),
    (_pages("c", [512, 3333]), 4),  # fewer URLs than the limit: all of them at once
]


@pytest.fixture(scope="module")
def runs(student):
    out = []
    for pages, limit in CASES:
        server = HeldHttpServer(pages)
        try:
            run = student.record("fetch_limited", urls=[server.url(p) for p in pages], limit=limit, port=server.port)
            out.append({"pages": pages, "limit": limit, "run": run, "seen": server.summary()})
        finally:
            server.close()
    return out


def _call(case):
    return f"fetch_limited({len(case['pages'])} URLs, limit={case['limit']})"


def test_sizes_in_order(runs):
    for case in runs:
        obs = case["run"].observations
        want = list(case["pages"].values())
        if obs["outcome"] == "raised":
            stack = obs["error"]["stack"]
            expect(False, "{call} raised {error} at line {line} (`{code}`): {message}", call=_call(case),
                   error=obs["error"]["type"], message=obs["error"]["message"],
                   line=stack[-1]["line"] if stack else "?", code=stack[-1]["code"] if stack else "")
        got = obs["result"]
        if type(got) is list and got != want and sorted(got, key=repr) == sorted(want, key=repr):
            expect(False, "{call} returned the sizes {got} in the order the responses came back, not in the order "
                   "of the URLs ({want}): the test's server answers the last URL first. pool.imap_unordered yields "
                   "each result as soon as it is ready; pool.map and pool.imap keep the order of the URLs.",
                   call=_call(case), got=describe(got), want=describe(want))
        expect(got == want, "{call} returned {got} where {want} was expected (each size is "
               "len(requests.get(url).text)).", call=_call(case), got=describe(got), want=describe(want))


def test_at_most_limit_in_flight(runs):
    for case in runs:
        limit, n, k = case["limit"], len(case["pages"]), case["seen"]["max_in_flight"]
        if k <= limit:
            continue
        expect(k < n, "The server saw all {k} requests of {call} in flight at once: every URL was requested at "
               "once, as gevent.spawn for each URL does, and a gevent.pool.Group, which has no limit. A "
               "gevent.pool.Pool(limit) starts a greenlet only while fewer than `limit` run: "
               "Pool(limit).map(fetch, urls).", k=k, call=_call(case))
        expect(k != limit + 1, "The server saw {k} requests of {call} in flight at once, one more than the limit: "
               "a gevent.pool.Pool(size) runs up to `size` greenlets at once, so the pool for at most `limit` "
               "requests is Pool(limit), not Pool(limit + 1).", k=k, call=_call(case))
        expect(False, "The server saw {k} requests of {call} in flight at once: more than the limit. A "
               "gevent.pool.Pool(limit) never runs more than `limit` greenlets.", k=k, call=_call(case))


def test_limit_kept_while_urls_are_left(runs):
    for case in runs:
        limit, n, seen = case["limit"], len(case["pages"]), case["seen"]
        counts = seen["in_flight"]
        expect(counts, "{call} sent no request to the test's server.", call=_call(case))
        threads = [c for c in case["run"].observations["connections"] if not c["scenario_thread"]]
        expect(not threads or max(counts) >= min(limit, n), "The requests of {call} were made from other OS threads, "
               "which this test runs one at a time while a thread waits for a response: the server saw at most "
               "{k} in flight. This exercise is about greenlets: a gevent.pool.Pool(limit) of them, all in one OS "
               "thread.", call=_call(case),
               k=max(counts))
        if max(counts) <= 1 < min(limit, n):
            expect(False, "The server never saw more than one request of {call} in flight: each request was "
                   "finished before the next one started (a greenlet joined right after it was spawned, or "
                   "requests made outside greenlets). Let up to `limit` run at once: Pool(limit).map(fetch, urls).",
                   call=_call(case))
        expect(counts[0] >= min(limit, n) or seen["gave_up"], "Before any response, {call} had {held} "
               "{held:request|requests} in flight where {want} could run: the pool is smaller than the limit. Make it "
               "Pool(limit).",
               call=_call(case), held=counts[0], want=min(limit, n))
        for answered, held in enumerate(counts[1:], start=1):
            left = n - answered  # URLs whose response had not come yet
            expect(held >= min(limit, left) or seen["gave_up"], "In {call}, after {answered} "
                   "{answered:response|responses} the server held only {held} {held:request|requests} with {left} URLs "
                   "left: a slot freed by a finished request stayed empty. Joining batches of `limit` greenlets waits "
                   "for the slowest of each batch; a gevent.pool.Pool(limit) starts the next greenlet as soon as one "
                   "ends.",
                   call=_call(case), answered=answered, held=held, left=left)
        expect(max(counts) >= min(limit, n), "The server saw at most {k} requests of {call} in flight at once: "
               "up to {want} should run together.", k=max(counts), call=_call(case), want=min(limit, n))


def test_each_url_once(runs):
    for case in runs:
        asked = sorted(case["seen"]["requests"])
        want = sorted(case["pages"])
        expect(asked == want, "For {call} the test's server received requests for {asked} where each URL once "
               "was expected ({want}).", call=_call(case), asked=describe(asked), want=describe(want))


def test_one_os_thread(runs):
    for case in runs:
        connections = case["run"].observations["connections"]
        elsewhere = [c for c in connections if not c["scenario_thread"]]
        expect(not elsewhere, "{k} of the {n} connections of {call} were opened in other OS threads (threading, "
               "a ThreadPoolExecutor): gevent's greenlets all run in one OS thread, and a gevent.pool.Pool of "
               "them limits how many requests are in flight.", k=len(elsewhere), n=len(connections),
               call=_call(case))
