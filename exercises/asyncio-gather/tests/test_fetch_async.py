"""Hidden checks for asyncio-gather. Each test is one check named in exercise.yaml.

Each case runs once in its own child: fetch_all on the harness's event loop with a virtual clock, with
the test's own `fetch`, which notes which URL is in flight when (virtual time) and which fetches ended
or were cancelled. The checks read that log (api's most_inside, busiest, inside_at, late_handoff),
what fetch_all returned or raised, the tasks still pending when it ended, and the blocking sleeps made
inside the loop. No check measures real time.
"""

import pytest

from grader.harness.judge.api import busiest, describe, expect, inside_at, late_handoff, most_inside

URLS = [f"site{i}.example/page" for i in range(1, 13)]
DEFAULT_LIMIT = 5

# name: (number of URLs, limit (None: not given), virtual seconds each fetch waits, indexes whose fetch raises)
CASES = {
    "twelve_by_three": (12, 3, [3, 1, 2, 1, 4, 2, 1, 3, 2, 1, 2, 1], []),
    "seven_by_two": (7, 2, [1, 3, 2, 2, 1, 3, 1], []),
    "ten_by_four": (10, 4, [1] * 10, []),
    "eight_by_default": (8, None, [2, 1, 1, 3, 1, 2, 1, 1], []),
    "three_by_five": (3, 5, [1, 1, 1], []),
    "none": (0, 3, [], []),
    "two_fail": (8, 3, [2, 1, 3, 1, 2, 1, 1, 2], [1, 4]),
}
NORMAL = [name for name, case in CASES.items() if not case[3]]
BUSY = ["twelve_by_three", "seven_by_two", "ten_by_four", "eight_by_default"]  # more URLs than places
FAILING = "two_fail"


def _t(seconds):
    """A virtual instant as it reads in a message (0.1 + 1.0 is 1.1 there)."""
    return round(seconds, 3)


def _page(url):
    return f"<html>{url}</html>"


def _case(name):
    """(n, limit in force, the call as code, the case's URLs, the failing URLs)."""
    n, limit, _, fail = CASES[name]
    call = "fetch_all(urls, fetch)" if limit is None else f"fetch_all(urls, fetch, {limit})"
    return n, DEFAULT_LIMIT if limit is None else limit, call, URLS[:n], [URLS[i] for i in fail]


@pytest.fixture(scope="module")
def runs(student):
    out = {}
    for name, (n, limit, seconds, fail) in CASES.items():
        out[name] = student.record("fetch_all_case", urls=URLS[:n], seconds=seconds,
                                   fail=[URLS[i] for i in fail], limit=limit)
    return out


def _where(stack):
    last = stack[-1] if stack else {}
    return last.get("line", "?"), last.get("code", "")


def _waiting(tasks):
    """Where the tasks of a stuck loop wait, as code: `coroutine:line` and the line, the same ones counted."""
    seen = {}
    for task in tasks:
        line, code = _where(task["where"])
        text = f"{task['coroutine']}:{line} `{code}`"
        seen[text] = seen.get(text, 0) + 1
    parts = [text if k == 1 else f"{text} ×{k}" for text, k in seen.items()]
    return "; ".join(parts[:4]) + ("; …" if len(parts) > 4 else "")


def _must_return(name, obs):
    """fetch_all ended by returning a list; otherwise the check fails saying how it ended."""
    n, limit, call, _, _ = _case(name)
    ran = obs["ran"]
    expect(ran["outcome"] != "not_awaitable", "{call} with {n} {n:URL|URLs} returned {got} without being awaited: "
           "fetch_all must stay a coroutine function (`async def fetch_all`), which the test awaits on its own "
           "event loop.", call=call, n=n, got=describe(ran.get("value")))
    expect(ran["outcome"] != "stuck", "{call} with {n} {n:URL|URLs} never returned: at {at} s every task was awaiting "
           "something that never comes, and no timer was left to wake any of them: {where}. Check what your "
           "coroutines await: a semaphore or lock never released, a queue.join() whose items are not all marked "
           "task_done() (also when fetch raises), an event never set.",
           call=call, n=n, at=_t(ran["end"]), where=_waiting(ran.get("waiting", [])))
    if ran["outcome"] == "raised":
        error = ran["error"]
        line, code = _where(error["stack"])
        expect(False, "{call} with {n} {n:URL|URLs} raised {error} (\"{text}\") at line {line} (`{code}`).",
               call=call, n=n, error=error["type"], text=error["message"], line=line, code=code)


def test_results_in_order(runs):
    for name in NORMAL:
        n, limit, call, urls, _ = _case(name)
        obs = runs[name].observations
        _must_return(name, obs)
        got = obs["ran"]["value"]
        expect(type(got) is list and len(got) == n, "{call} with {n} {n:URL|URLs} returned {got}, not a list of {n} "
               "results.", call=call, n=n, got=describe(got))
        # Every page, in another order: which fetch finished first is not named, as it may follow
        # the order of a set of coroutines (asyncio.as_completed's), that is, their addresses.
        expect(not _reordered(got, [_page(url) for url in urls]), "{call} with {n} URLs returned every page, but "
               "in the order the fetches finished, not in the order of `urls`: the results must be in the order of "
               "`urls` (asyncio.gather keeps the order of its arguments; asyncio.as_completed does not).",
               call=call, n=n)
        for i, (g, url) in enumerate(zip(got, urls)):
            expect(g == _page(url), "{call} with {n} URLs returned {got} at position {i}, where the page of {url} "
                   "belongs: the results must be in the order of `urls`, not in the order the fetches finished "
                   "(asyncio.gather keeps the order of its arguments; asyncio.as_completed does not).",
                   call=call, n=n, got=describe(g), i=i, url=url)


def test_failed_fetch_gives_none(runs):
    n, limit, call, urls, failed = _case(FAILING)
    obs = runs[FAILING].observations
    ran = obs["ran"]
    if ran["outcome"] == "raised":
        error = ran["error"]
        line, code = _where(error["stack"])
        expect(False, "With {n} URLs, fetch({url}) raised, and fetch_all raised too: {error} (\"{text}\") at line "
               "{line} (`{code}`), and every result was lost. One failing URL must not sink the others: catch the "
               "exception around `await fetch(url)` and give that URL None, or gather with return_exceptions=True "
               "and turn each exception into None.",
               n=n, url=failed[0], error=error["type"], text=error["message"], line=line, code=code)
    _must_return(FAILING, obs)
    got = ran["value"]
    expect(type(got) is list and len(got) == n, "When fetch({url}) raised, {call} with {n} URLs returned {got}, "
           "not a list of {n} results.", url=failed[0], call=call, n=n, got=describe(got))
    expect(not _reordered(got, [None if url in failed else _page(url) for url in urls]), "When fetch({url}) raised, "
           "{call} returned every other page and None for it, but in the order the fetches finished, not in the "
           "order of `urls`: every URL's result must be at its URL's place.", url=failed[0], call=call)
    for i, (g, url) in enumerate(zip(got, urls)):
        if url in failed:
            expect(g is None, "{call} returned {got} at position {i}, for {url}, whose fetch raised an exception; "
                   "that URL's result must be None (gather(..., return_exceptions=True) gives the exception "
                   "itself: replace it with None).", call=call, got=describe(g), i=i, url=url)
        else:
            expect(g == _page(url), "When fetch({failed}) raised, {call} returned {got} at position {i}, where the "
                   "page of {url} belongs: every other URL's result must still be there, in the order of `urls`.",
                   failed=failed[0], call=call, got=describe(g), i=i, url=url)


def _reordered(got, want) -> bool:
    """`got` holds exactly the results of `want`, in another order."""
    return got != want and sorted(map(repr, got)) == sorted(map(repr, want))


def test_never_more_than_limit(runs):
    for name in CASES:
        n, limit, call, _, _ = _case(name)
        log = runs[name].observations["log"]
        most = most_inside(log)
        if most <= limit:
            continue
        where = busiest(log)
        expect(False, "{call} with {n} URLs had {most} fetches in flight at the same moment (at {at} s: {who}), "
               "with limit={limit}. Never more than `limit` at once: let each fetch wait for a place first (one "
               "asyncio.Semaphore(limit) shared by all of them, `async with semaphore:` around `await fetch(url)`), "
               "or start exactly `limit` workers.",
               call=call, n=n, most=most, at=_t(log[where]["at"]), who=", ".join(inside_at(log, where)), limit=limit)


def test_reaches_limit(runs):
    for name in [*BUSY, "three_by_five"]:
        n, limit, call, _, _ = _case(name)
        obs = runs[name].observations
        log = obs["log"]
        most = most_inside(log)
        want = min(n, limit)
        if most == 1 and want > 1:
            expect(False, "{call} with {n} URLs took {t} virtual seconds: the fetches ran one after another, and "
                   "their waits added up ({total} s). `await fetch(u)` in a loop waits for each fetch to end before "
                   "starting the next; while one coroutine awaits, the event loop can run others, so start them "
                   "all (asyncio.gather, or asyncio.create_task) and let up to `limit` wait together.",
                   call=call, n=n, t=_t(obs["ran"]["end"]), total=sum(CASES[name][2]))
        expect(most >= want, "{call} with {n} URLs: at most {most} {most:fetch was|fetches were} in flight at the same "
               "moment, where {want} could have been. Start every fetch at once and let up to `limit` of them wait "
               "together: an asyncio.Semaphore(limit), not a Lock or a Semaphore(1), and no `await` of one fetch "
               "before the next one starts.", call=call, n=n, most=most, want=want)


def test_freed_slot_taken_at_once(runs):
    for name in BUSY:
        n, limit, call, _, _ = _case(name)
        log = runs[name].observations["log"]
        most = most_inside(log)
        expect(most <= limit, "{call} with {n} URLs: {most} fetches were in flight at the same moment. This check "
               "looks at how a place freed by a finished fetch goes to the next URL: limit fetch_all to `limit` "
               "fetches at once first.", call=call, n=n, most=most)
        expect(most == limit, "{call} with {n} URLs: at most {most} {most:fetch was|fetches were} in flight at the "
               "same moment. This check looks at how a place freed by a finished fetch goes to the next URL: let "
               "`limit` fetches wait together first.", call=call, n=n, most=most)
        late = late_handoff(log, n)
        if late is None:
            continue
        leave, waiting, next_at = late
        expect(False, "{call} with {n} URLs: the fetch of {url} ended at {left} s while {waiting} "
               "{waiting:URL was|URLs were} still waiting, but no fetch started before {next} s. A place freed by a "
               "finished fetch must go to the next URL at once: batches of `limit` gathered one after another wait for "
               "the slowest fetch of each batch. Give every URL its own task that waits for a place itself (one "
               "asyncio.Semaphore(limit) around each fetch, all gathered at once), or let `limit` workers take URLs "
               "from an asyncio.Queue.",
               call=call, n=n, url=leave["who"], left=_t(leave["at"]), waiting=waiting,
               next=_t(next_at) if next_at is not None else "?")


def test_failure_cancels_nothing(runs):
    n, limit, call, urls, failed = _case(FAILING)
    obs = runs[FAILING].observations
    # in URL order: which task a TaskGroup cancels first follows a set's order, which varies from run to run
    cancelled = sorted(obs["cancelled"], key=lambda c: (c["at"], urls.index(c["url"]) if c["url"] in urls else n))
    if cancelled:
        first = cancelled[0]["at"]
        expect(False, "With {n} URLs, fetch({failed}) raised, and at {at} s the fetch of {cancelled} was cancelled "
               "before it ended ({k} {k:fetch|fetches} cancelled in all). One failing fetch must not stop the others: "
               "an asyncio.TaskGroup (or a gather whose tasks you cancel) cancels the rest at the first exception. "
               "Catch the exception inside each task (around `await fetch(url)`), or gather with "
               "return_exceptions=True.",
               n=n, failed=failed[0], at=_t(first), k=len(cancelled),
               cancelled=", ".join(c["url"] for c in cancelled if c["at"] == first))
    unfinished = [u for u in urls if u not in obs["ended"]]
    expect(not unfinished, "With {n} URLs, fetch({failed}) raised, and when fetch_all ended at {end} s, {k} other "
           "{k:URL|URLs} had not been fetched to the end: {missing}. Every other URL must still be fetched, and "
           "fetch_all must wait for all of them before it returns (catch the exception in each task, or gather with "
           "return_exceptions=True).",
           n=n, failed=failed[0], end=_t(obs["ran"]["end"]), k=len(unfinished), missing=", ".join(unfinished))


def test_no_task_left_pending(runs):
    for name in CASES:
        n, limit, call, _, _ = _case(name)
        obs = runs[name].observations
        ran = obs["ran"]
        expect(ran["outcome"] != "stuck", "{call} with {n} {n:URL|URLs} never returned: at {at} s every task was "
               "awaiting something that never comes: {where}.", call=call, n=n, at=_t(ran["end"]),
               where=_waiting(ran.get("waiting", [])))
        pending = ran.get("pending", [])
        if not pending:
            continue
        line, code = _where(pending[0]["where"])
        if ran["outcome"] == "raised":
            expect(False, "{call} with {n} {n:URL|URLs} raised {error} at {end} s, and {k} {k:task|tasks} it had "
                   "started {k:was|were} still pending: {coroutine}, waiting at line {line} (`{code}`). A task left "
                   "behind runs on with nobody to collect its result or its exception. Do not let an exception end "
                   "fetch_all while its tasks run: wait for every one of them (gather with return_exceptions=True).",
                   call=call, n=n, error=ran["error"]["type"], end=_t(ran["end"]), k=len(pending),
                   coroutine=pending[0]["coroutine"], line=line, code=code)
        expect(False, "When {call} with {n} {n:URL|URLs} returned at {end} s, {k} {k:task|tasks} it had started "
               "{k:was|were} still pending: {coroutine}, waiting at line {line} (`{code}`). A task left behind runs on "
               "with nobody to collect its result or its exception. Await every task you create before returning "
               "(asyncio.gather, or asyncio.wait with no timeout and return_when=ALL_COMPLETED), or cancel and await "
               "the ones you no longer need.",
               call=call, n=n, end=_t(ran["end"]), k=len(pending), coroutine=pending[0]["coroutine"],
               line=line, code=code)


def test_no_blocking_sleep(runs):
    for name in CASES:
        n, limit, call, _, _ = _case(name)
        blocking = runs[name].observations["blocking"]
        if not blocking:
            continue
        first = blocking[0]
        site = first["site"] or {}
        expect(False, "{call} with {n} {n:URL|URLs}: time.sleep({seconds}) at line {line} (`{code}`) ran inside a "
               "coroutine ({k} {k:time|times} in all), at {at} s. A blocking call inside a coroutine blocks the whole "
               "program (进行阻塞操作会阻塞掉整个程序): the event loop runs nothing else until it returns, so "
               "every other fetch waits too. In a coroutine, wait with `await asyncio.sleep(...)`.",
               call=call, n=n, seconds=first["seconds"], line=site.get("line", "?"), code=site.get("code", ""),
               k=len(blocking), at=_t(first["at"]))
