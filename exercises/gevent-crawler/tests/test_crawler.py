"""Hidden checks for gevent-crawler. Each test is one check named in exercise.yaml.

fetch_all runs once against the test's HTTP server on the loopback (HeldHttpServer): it holds every
response and answers one at a time, the last URL first, only when every greenlet of the child waits.
So the server sees exactly as many requests in flight as the program keeps, and a result list built
in the order the responses finish is in the wrong order, on every run. A program whose waits the
child cannot see (unpatched sockets, threads) gets its first response after the server's bound and
shows one request in flight. The page `gone` fails: its connection is closed without a response.
Nothing here measures time.
"""

import pytest

from grader.harness.judge.api import HeldHttpServer, describe, expect

# The pages in the order of the URLs: sizes from the tutorial's two sites, and a few more.
PAGES = {"home": 2443, "kitten": 15049, "gone": 0, "news": 812, "docs": 5120, "blog": 377}
FAILING = "gone"
ORDER = list(PAGES)
FAIL_AT = ORDER.index(FAILING)
WANT = [None if p == FAILING else size for p, size in PAGES.items()]
LATE_MODULES = ("requests", "urllib3", "ssl")
# What requests.get raises when the server closes the connection unanswered (and its bases).
REQUEST_ERRORS = {"ConnectionError", "RequestException", "RemoteDisconnected", "ProtocolError",
                  "ChunkedEncodingError", "ConnectionResetError", "BrokenPipeError"}


@pytest.fixture(scope="module")
def crawl(student):
    server = HeldHttpServer(PAGES, fail={FAILING})
    try:
        urls = [server.url(p) for p in ORDER]
        run = student.record("fetch_all", urls=urls, port=server.port)
        seen = server.summary()
        empty = student.record("fetch_all", urls=[], port=server.port)
    finally:
        server.close()
    return {"run": run, "seen": seen, "urls": urls, "empty": empty}


def _line(stack):
    last = stack[-1] if stack else {}
    return last.get("line", "?"), last.get("code", "")


def _returned(crawl) -> list | None:
    obs = crawl["run"].observations
    return obs["result"] if obs["outcome"] == "returned" else None


def test_sizes_in_order(crawl):
    obs = crawl["run"].observations
    if obs["outcome"] == "raised":
        line, code = _line(obs["error"]["stack"])
        expect(False, "fetch_all raised {error} at line {line} (`{code}`), so no size came back.",
               error=obs["error"]["type"], line=line, code=code)
    got = obs["result"]
    expect(type(got) is list and len(got) == len(ORDER), "fetch_all with {n} URLs returned {got}: a list of {n} "
           "sizes, one per URL, was expected.", n=len(ORDER), got=describe(got))
    if got != WANT and sorted(got, key=repr) == sorted(WANT, key=repr):
        expect(False, "fetch_all returned the sizes {got} in the order the responses came back, not in the order "
               "of the URLs ({want}): the test's server answers the last URL first. Keep each result with its "
               "URL: after gevent.joinall(jobs), read [job.value for job in jobs].",
               got=describe(got), want=describe(WANT))
    sizes = [g for i, g in enumerate(got) if i != FAIL_AT]
    want = [w for i, w in enumerate(WANT) if i != FAIL_AT]
    expect(sizes == want, "fetch_all returned {got} where {want} was expected (each size is "
           "len(requests.get(url).text); the URL that fails gives None).", got=describe(got), want=describe(WANT))
    empty = crawl["empty"].observations
    expect(empty["outcome"] == "returned" and empty.get("result") == [], "fetch_all([]) returned {got}, not [].",
           got=describe(empty.get("result")) if empty["outcome"] == "returned" else empty["error"]["type"])


def test_failing_url_gives_none(crawl):
    obs = crawl["run"].observations
    if obs["outcome"] == "raised":
        line, code = _line(obs["error"]["stack"])
        expect(obs["error"]["type"] not in REQUEST_ERRORS, "fetch_all raised {error} at line {line} (`{code}`). The "
               "URL ending in {url} fails on purpose: the server closes the connection without answering, as a "
               "site that is down does. One failing URL must not lose the others: catch requests.RequestException "
               "in fetch_size and return None.",
               error=obs["error"]["type"], line=line, code=code, url="/" + FAILING)
        expect(False, "fetch_all raised {error}, so it could not return None for the URL that fails (see "
               "sizes_in_order).", error=obs["error"]["type"])
    got = obs["result"]
    expect(type(got) is list and len(got) == len(ORDER), "fetch_all returned {got}, not one value per URL, so the "
           "failing URL's None could not be found (see sizes_in_order).", got=describe(got))
    if sorted(got, key=repr) == sorted(WANT, key=repr):
        return  # one None and every size: where each one is, sizes_in_order judges
    expect(got[FAIL_AT] is None, "For the URL that fails (ending in {url}), fetch_all returned {value}, not None.",
           url="/" + FAILING, value=describe(got[FAIL_AT]))
    lost = [i for i, g in enumerate(got) if g is None and i != FAIL_AT]
    expect(not lost, "fetch_all returned None for {k} {k:URL|URLs} that did answer (the first ends in {url}): only the "
           "failing URL gives None.", k=len(lost), url="/" + ORDER[lost[0]] if lost else "")


def test_all_in_flight_at_once(crawl):
    seen = crawl["seen"]
    n = len(ORDER)
    if seen["max_in_flight"] >= n:
        return
    obs = crawl["run"].observations
    connections = obs["connections"]
    expect(connections, "No request reached the test's server: fetch_all must fetch every URL.")
    k = seen["max_in_flight"]
    expect(all(c["scenario_thread"] for c in connections), "The requests were made from other OS threads, which "
           "this test runs one at a time while a thread waits for a response; the server saw at most {k} of the "
           "{n} requests in flight at once. This exercise is about greenlets: gevent.spawn(fetch_size, url) for each "
           "URL, all in one OS thread.", k=k, n=n)
    expect(any(c["in_greenlet"] for c in connections), "fetch_all fetched the URLs one after another, outside any "
           "greenlet: the server saw at most {k} of the {n} requests in flight at once. Spawn one greenlet per URL, "
           "gevent.spawn(fetch_size, url) (the function and its argument: gevent.spawn(fetch_size(url)) would call "
           "it at once, in the main greenlet), then wait for all of them with gevent.joinall(jobs).", k=k, n=n)
    expect(_socket_patch(obs) is not None, "The server saw at most {k} of the {n} requests in flight at once: the "
           "socket module was never monkey-patched, so each requests.get blocked the one OS thread every greenlet "
           "runs in, and no other greenlet could send its request meanwhile. Call monkey.patch_all() at the top "
           "of crawler.py, before import requests.", k=k, n=n)
    expect(False, "The server saw at most {k} of the {n} requests in flight at once: start every request before "
           "waiting for any, one greenlet per URL (no pool, no join inside the loop), then gevent.joinall(jobs).",
           k=k, n=n)


def test_greenlets_not_threads(crawl):
    connections = crawl["run"].observations["connections"]
    expect(connections, "fetch_all opened no connection, so no greenlet could be seen opening one.")
    elsewhere = [c for c in connections if not c["scenario_thread"]]
    expect(not elsewhere, "{k} of the {n} connections were opened in other OS threads (threading, a "
           "ThreadPoolExecutor). gevent's greenlets all run in one OS thread and switch while each waits for "
           "its response: gevent.spawn(fetch_size, url) for each URL, after monkey.patch_all().",
           k=len(elsewhere), n=len(connections))


def _socket_patch(obs):
    """The student's first monkey.patch_* call that patched the socket module, or None."""
    return next((c for c in obs["patches"] if c["patched"] and c["call"] in ("patch_all", "patch_socket")), None)


def test_patched_before_requests(crawl):
    obs = crawl["run"].observations
    patch = _socket_patch(obs)
    expect(patch is not None, "crawler.py never calls monkey.patch_all(): without it, requests uses the blocking "
           "socket module, and a greenlet waiting for a response blocks all the others. Put `from gevent import "
           "monkey` and `monkey.patch_all()` first in crawler.py, before import requests.")
    late = [m for m in LATE_MODULES if m in patch["imported_before"]]
    line = (patch.get("site") or {}).get("line", "?")
    expect(not late, "monkey.patch_all() (line {line}) runs after {modules} had been imported. Patch first: gevent "
           "replaces what is in socket and ssl, but a module imported earlier keeps what it took from them (gevent "
           "warns: \"Monkey-patching ssl after ssl has already been imported may lead to errors\"). Move `from "
           "gevent import monkey` and `monkey.patch_all()` above import requests.",
           line=line, modules=", ".join(late))
