"""Hidden checks for producer-consumer. Each test is one check named in exercise.yaml.

Each case of run_pipeline runs in its own child (a deadlock in one case does not hide what the
others showed), once with the run's own seed of `random` and once after each of SEEDS: the
tutorial's random sleeps then give other timings (a consumer quicker than the producer, a queue
that is empty for a while), the same on every grading. Everything is judged from what the
instrumented queue saw and from virtual time.
"""

from collections import Counter

import pytest

from grader.harness.judge.api import ScenarioProblem, describe, describe_status, expect

# name: (producers, consumers, count, maxsize)
CASES = {
    "one_to_one": (1, 1, 4, 0),
    "three_to_two": (3, 2, 5, 2),
    "two_to_five": (2, 5, 3, 1),
    "nothing_to_do": (1, 3, 0, 0),
}
BOUNDED = ["three_to_two", "two_to_five"]
IDLE_CONSUMERS = ["nothing_to_do", "two_to_five"]
SEEDS = [None, *range(1, 11)]  # None: the seed every run starts with


def _call(name, seed=None):
    producers, consumers, count, maxsize = CASES[name]
    call = f"run_pipeline({producers}, {consumers}, {count}, maxsize={maxsize})"
    return call if seed is None else f"random.seed({seed}); {call}"


def _t(seconds):
    """A virtual instant as it reads in a message (0.2 + 0.4 is 0.6 there)."""
    return round(seconds, 3)


def _items(name):
    producers, _, count, _ = CASES[name]
    return [(f"P{p}", i) for p in range(producers) for i in range(1, count + 1)]


@pytest.fixture(scope="module")
def runs(student):
    """Every case, run once; a check reading a case that deadlocked ends with that deadlock."""
    return {name: student.record("pipeline", producers=p, consumers=c, count=n, maxsize=m, seeds=SEEDS)
            for name, (p, c, n, m) in CASES.items()}


def _each(runs, names):
    """(case name, the call as the student can repeat it, its observations) for every run of those cases."""
    for name in names:
        for seed, obs in zip(SEEDS, runs[name].observations["runs"]):
            yield name, _call(name, seed), obs


def _as_item(value):
    """An item as the child encoded it (a tuple comes back as a list), or None if it is not one."""
    if isinstance(value, list) and len(value) == 2 and isinstance(value[0], str) and type(value[1]) is int:
        return (value[0], value[1])
    return None


def _shown(items, limit=6):
    return repr(sorted(items)[:limit]) + (" ..." if len(items) > limit else "")


def test_consumes_every_item(runs):
    for name, call, obs in _each(runs, CASES):
        want = _items(name)
        got = obs["result"]
        expect(isinstance(got, list), "{call} returned {got}, not the list of the items the consumers took.",
               call=call, got=describe(got))
        others = [v for v in got if _as_item(v) not in set(want)]
        expect(not others, "{call} returned {n} {n:value|values} that no producer made, for example {value}: a "
               "consumer appended the sentinel (or another marker) to `out`. Check for the sentinel first, and append "
               "only the items the producers put.", call=call, n=len(others),
               value=describe(others[0]) if others else "")
        counts = Counter(_as_item(v) for v in got)
        twice = sorted(item for item, k in counts.items() if k > 1)
        expect(not twice, "{call} returned the item {item} {times} times: every item must be consumed exactly "
               "once.", call=call, item=repr(twice[0]) if twice else "", times=counts[twice[0]] if twice else 0)
        missing = [item for item in want if item not in counts]
        expect(not missing, "{call} returned {got_n} of the {want_n} items; never consumed: {missing}. The "
               "consumers stopped before the producers were done. A consumer must not count items or stop when "
               "the queue looks empty: let it stop when it takes a sentinel, put after every producer has been "
               "joined (one per consumer).", call=call, got_n=len(got), want_n=len(want), missing=_shown(missing))


def test_every_consumer_ends(runs):
    for _name, call, obs in _each(runs, CASES):
        for error in obs["errors"]:
            where = error["stack"][-1] if error["stack"] else {}
            expect(False, "In {call}, thread {thread} ended with {error}: {message} (line {line}: `{code}`). A "
                   "consumer must end by returning when it takes a sentinel, not by an exception.",
                   call=call, thread=error["thread"], error=error["type"], message=error["message"],
                   line=where.get("line", "?"), code=where.get("code", ""))
        in_get = [t for t in obs["leftovers"] if t["in_get"]]
        if in_get:
            where = in_get[0]["where"] or {}
            expect(False, "After {call} returned, {n} {n:thread|threads} it started {n:was|were} still blocked in "
                   "q.get(), for example {thread} at line {line} (`{code}`): no item will ever come, so "
                   "{n:it waits|they wait} forever. q.join() only waits until every item is marked task_done(); it "
                   "does not stop the consumers. After joining the producers, put one sentinel per consumer, let a "
                   "consumer return when it takes one, and join the consumers before returning.",
                   call=call, n=len(in_get), thread=in_get[0]["name"], line=where.get("line", "?"),
                   code=where.get("code", ""))
        for t in obs["leftovers"]:
            where = t["where"] or {}
            expect(False, "After {call} returned, thread {thread} (running {target}) had not ended: it was {status} "
                   "at line {line} (`{code}`). run_pipeline must join every thread it starts, and every consumer "
                   "must end once the producers are done.", call=call, thread=t["name"], target=t["target"],
                   status=describe_status(t["status"]), line=where.get("line", "?"), code=where.get("code", ""))


def test_queue_is_bounded(runs):
    for name in BOUNDED:
        facts = runs[name].deadlock_facts
        if facts is not None:
            _bounded_until_deadlock(runs[name], name, facts)
        else:
            _bounded(runs, name)


def _bounded_until_deadlock(run, name, facts):
    """The case deadlocked (the checks that need its result say why): how full its queue got until
    then still shows whether it was bounded, so that deadlock does not cost this check its points too.
    With no queue that an item went into, this check saw nothing: the deadlock is its verdict."""
    used = [q for q in facts["queues"] if q["put"]]
    if not used:
        raise ScenarioProblem(run.outcome, run.function)
    q, maxsize, call = used[-1], CASES[name][3], run.outcome.call or _call(name)
    expect(q["maxsize"] == maxsize, "{call} created its queue with maxsize={got}, not {maxsize}; it held up "
           "to {most} items. Create it with queue.Queue(maxsize), and put the sentinels with q.put() too: a "
           "producer then waits in put() while the queue is full.",
           call=call, got=describe(q["maxsize"]), maxsize=maxsize, most=q["most"])
    expect(q["most"] <= maxsize, "In {call} the queue held {most} items before the program deadlocked, more "
           "than maxsize={maxsize}.", call=call, most=q["most"], maxsize=maxsize)


def _bounded(runs, name):
    for _, call, obs in _each(runs, [name]):
        maxsize = CASES[name][3]
        expect(obs["found_queue"], "{call} put no item into a queue.Queue: the producers and consumers must share "
               "the queue `q = queue.Queue(maxsize)`.", call=call)
        sizes = [entry["size"] for entry in obs["queue_log"]]
        most = max(sizes, default=0)
        at = _t(next((e["at"] for e in obs["queue_log"] if e["size"] == most), 0))
        expect(obs["maxsize"] == maxsize, "{call} created its queue with maxsize={got}, not {maxsize}; it held up "
               "to {most} items. Create it with queue.Queue(maxsize), and put the sentinels with q.put() too: a "
               "producer then waits in put() while the queue is full.",
               call=call, got=describe(obs["maxsize"]), maxsize=maxsize, most=most)
        expect(most <= maxsize, "In {call} the queue held {most} items at {at} s, more than maxsize={maxsize}.",
               call=call, most=most, at=at, maxsize=maxsize)


def test_consumes_while_producing(runs):
    name = "one_to_one"
    obs = runs[name].observations["runs"][0]
    call = _call(name)
    ops = obs["ops"]
    puts = [i for i, (op, what, _, _) in enumerate(ops) if op == "put" and what == "item"]
    takes = [i for i, (op, what, _, _) in enumerate(ops) if op == "get" and what == "item"]
    expect(puts and takes, "In {call} no item went through the queue: the producers must put their items in it "
           "and the consumers take them from it.", call=call)
    expect(takes[0] < puts[-1], "In {call} the first item was taken at {first} s, after the last one was put (at "
           "{last} s): the consumers only began once producing was over. Start the consumers together with the "
           "producers (start every thread, then join), so that items are consumed while they are produced; with a "
           "bounded queue, producing everything first would wait forever.",
           call=call, first=_t(ops[takes[0]][2]), last=_t(ops[puts[-1]][2]))


def _takes_and_sleeps(obs, thread):
    """A consumer's successful gets and its sleeps, in order (a get ends before a sleep that starts then)."""
    events = [(e["at"], 0, None) for e in obs["queue_log"]
              if e["thread"] == thread and e["op"] in ("get", "get_nowait") and e["outcome"] == "ok"]
    events += [(s["at"], 1, s) for s in obs["sleeps"] if s["thread"] == thread and s["seconds"] > 0]
    return sorted(events, key=lambda e: (e[0], e[1]))


def test_consumers_block_in_get(runs):
    for _name, call, obs in _each(runs, IDLE_CONSUMERS):
        found_empty = [e for e in obs["queue_log"] if e["op"] in ("get", "get_nowait") and e["outcome"] == "empty"]
        if found_empty:
            first = found_empty[0]
            expect(False, "In {call}, {thread} found the queue empty in {op}() (first at {at} s; {n} {n:time|times} in "
                   "all). A get_nowait(), or a get() that gives up after a timeout, is polling, or guessing that the "
                   "producers are done. A consumer with nothing to take must wait in q.get(), with no timeout, until "
                   "an item or a sentinel comes.",
                   call=call, thread=first["thread"], op=first["op"], at=_t(first["at"]), n=len(found_empty))
        consumers = {e["thread"] for e in obs["queue_log"] if e["op"] in ("get", "get_nowait", "empty", "qsize")}
        for thread in sorted(consumers):
            took = False
            for _, is_sleep, sleep in _takes_and_sleeps(obs, thread):
                if not is_sleep:
                    took = True
                    continue
                site = sleep["site"] or {}
                expect(took, "In {call}, {thread} slept {seconds} s at line {line} (`{code}`) at {at} s without "
                       "having taken an item: it waits by sleeping and looking again. Block in q.get() instead; "
                       "sleep only for the work on an item you took.", call=call, thread=thread,
                       seconds=sleep["seconds"], line=site.get("line", "?"), code=site.get("code", ""),
                       at=_t(sleep["at"]))
                took = False
