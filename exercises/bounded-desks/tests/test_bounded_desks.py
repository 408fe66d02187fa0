"""Hidden checks for bounded-desks. Each test is one check named in exercise.yaml.

Each case runs once in its own child with the test's own `handle`, which notes every customer's
coming in and going out in virtual time; the checks read the cases they need.
"""

from collections import Counter

import pytest

from grader.harness.judge.api import describe, expect, inside_at, late_handoff

NAMES = ["Ana", "Bo", "Chen", "Dara", "Eli", "Fay", "Gus", "Hana", "Ivo", "Jun"]

# name: (number of customers, desks, seconds at the desk of each, customers whose handle raises)
CASES = {
    "ten_three": (10, 3, [3, 1, 2, 1, 4, 2, 1, 3, 2, 1], []),
    "seven_two": (7, 2, [1, 3, 2, 2, 1, 3, 1], []),
    "nine_four": (9, 4, [2, 3, 1, 2, 4, 1, 3, 2, 1], []),
    "five_one": (5, 1, [2, 1, 3, 1, 2], []),
    "four_six": (4, 6, [2, 1, 3, 1], []),
    "one_fails": (6, 2, [1, 3, 2, 1, 2, 1], ["Ana"]),
}
BUSY = ["ten_three", "seven_two", "nine_four"]  # more customers than desks, several desks
NORMAL = ["ten_three", "seven_two", "nine_four", "five_one", "four_six"]
SEMAPHORE_CASE = "nine_four"  # 4 desks: a size nobody writes by chance


def _t(seconds):
    """A virtual instant as it reads in a message (0.1 + 1.0 is 1.1 there)."""
    return round(seconds, 3)


def _customers(name):
    return NAMES[:CASES[name][0]]


@pytest.fixture(scope="module")
def runs(student):
    out = {}
    for name, (n, desks, durations, fail) in CASES.items():
        out[name] = student.record("office", customers=NAMES[:n], desks=desks, durations=durations, fail=fail)
    return out


def test_never_more_than_desks(runs):
    for name, (n, desks, _, _) in CASES.items():
        log = runs[name].observations["log"]
        enters = [i for i, e in enumerate(log) if e["event"] == "enter"]
        worst = max(enters, key=lambda i: log[i]["inside"], default=None)
        if worst is None:
            continue
        most = log[worst]["inside"]
        expect(most <= desks, "With {n} customers and {desks} {desks:desk|desks}, {most} customers were inside "
               "handle() at the same time (at {at} s: {who}). Never more than `desks` calls of handle() may run at "
               "once: each visit must wait for a free desk before calling handle() (a threading.Semaphore(desks) "
               "shared by all the visits), and give it back afterwards.",
               n=n, desks=desks, most=most, at=_t(log[worst]["at"]), who=", ".join(inside_at(log, worst)))


def _nobody_waited(log, n):
    """Every customer was inside handle() at the same moment: the office never made anyone wait."""
    return n > 0 and max((e["inside"] for e in log if e["event"] == "enter"), default=0) >= n


def test_all_desks_used(runs):
    for name in [*BUSY, "four_six"]:
        n, desks, _, _ = CASES[name]
        log = runs[name].observations["log"]
        most = max((e["inside"] for e in log if e["event"] == "enter"), default=0)
        want = min(n, desks)
        expect(most >= want, "With {n} customers and {desks} desks, at most {most} {most:customer was|customers were} "
               "inside handle() at the same time: {idle} {idle:desk was|desks were} never used. Start every visit's "
               "thread at once and let up to `desks` of them in together: a Lock, or Semaphore(1), lets only one in at "
               "a time.",
               n=n, desks=desks, most=most, idle=want - most)
        expect(most == want, "With {n} customers and {desks} desks, {most} customers were inside handle() at the same "
               "time: the office has {desks} desks, so when enough customers wait, exactly {desks} must be busy, "
               "never more.", n=n, desks=desks, most=most)


def test_freed_desk_taken_at_once(runs):
    for name in BUSY:
        n, desks, _, _ = CASES[name]
        log = runs[name].observations["log"]
        expect(not _nobody_waited(log, n), "With {n} customers and {desks} desks, no customer ever waited for a desk: "
               "all {n} were inside handle() at once. This check looks at how a freed desk goes to a waiting "
               "customer: limit the office to `desks` customers first.", n=n, desks=desks)
        late = late_handoff(log, n)
        if late is None:
            continue
        leave, waiting, next_at = late
        expect(False, "With {n} customers and {desks} desks, {who} left a desk at {left} s while {waiting} "
               "{waiting:customer was|customers were} still waiting, but nobody took that desk before {next} s. A "
               "waiting customer must take a freed desk at once: serving the customers in batches of `desks` and "
               "joining each batch makes everyone wait for the slowest of the batch. Start every thread, and let each "
               "one wait for a desk itself (semaphore.acquire(), or `with semaphore:`).",
               n=n, desks=desks, who=leave["who"], left=_t(leave["at"]), waiting=waiting,
               next=_t(next_at) if next_at is not None else "?")


def test_results_in_order(runs):
    for name in NORMAL:
        n, desks, _, _ = CASES[name]
        obs = runs[name].observations
        customers = _customers(name)
        want = [f"ticket {c}" for c in customers]
        got = obs["result"]
        calls = Counter(e["who"] for e in obs["log"] if e["event"] == "enter")
        for c in customers:
            expect(calls[c] == 1, "With {n} customers and {desks} {desks:desk|desks}, handle({customer!r}) was called "
                   "{k} {k:time|times}; call it exactly once for each customer.",
                   n=n, desks=desks, customer=c, k=calls[c])
        expect(isinstance(got, list) and len(got) == n, "With {n} customers and {desks} {desks:desk|desks}, "
               "open_office returned {got}, not a list of {n} results.", n=n, desks=desks, got=describe(got))
        for i, (g, w) in enumerate(zip(got, want)):
            expect(g == w, "With {n} customers and {desks} {desks:desk|desks}, open_office returned {got} at position "
                   "{i}, where the result of {customer!r} ({want!r}) belongs: the results must be in the order of "
                   "`customers`, not in the order the visits finished. Store each result at its customer's index "
                   "(results[i] = ...).", n=n, desks=desks, got=describe(g), i=i, customer=customers[i], want=w)


def _failure(name):
    n, desks, durations, fail = CASES[name]
    return n, desks, fail[0]


def test_failing_handle_frees_desk(runs):
    name = "one_fails"
    n, desks, failed = _failure(name)
    obs = runs[name].observations
    log = obs["log"]
    expect(not _nobody_waited(log, n), "With {n} customers and {desks} desks, no customer ever waited for a desk: all "
           "{n} were inside handle() at once. This check looks at whether the desk of a failing customer goes to a "
           "waiting one: limit the office to `desks` customers first.", n=n, desks=desks)
    served = {e["who"] for e in log if e["event"] == "enter"}
    missing = [c for c in _customers(name) if c not in served]
    expect(not missing, "handle({failed!r}) raised an exception, and then handle() was never called for {missing}: "
           "every other customer must still be served.", failed=failed, missing=", ".join(missing))
    at = next(i for i, e in enumerate(log) if e["event"] == "leave" and e["who"] == failed)
    left = log[at]
    still_waiting = n - sum(1 for e in log[:at] if e["event"] == "enter")
    handed_on = any(e["event"] == "enter" and e["at"] == left["at"] for e in log[at:])
    before = max((e["inside"] for e in log[:at] if e["event"] == "enter"), default=0)
    most = max((e["inside"] for e in log[at:] if e["event"] == "enter"), default=0)
    expect(still_waiting == 0 or handed_on or most >= min(before, still_waiting),
           "handle({failed!r}) raised an exception at {at} s, and its desk was never given back: {waiting} "
           "{waiting:customer was|customers were} waiting, nobody took that desk, and from then on at most {most} "
           "{most:customer was|customers were} inside handle() at the same time ({before} before). Give the desk back "
           "whatever happens: `with semaphore:`, or release() in a `finally:` block.",
           failed=failed, at=_t(left["at"]), waiting=still_waiting, most=most, before=before)


def test_failure_stays_in_its_thread(runs):
    name = "one_fails"
    n, desks, failed = _failure(name)
    obs = runs[name].observations
    for error in obs["errors"]:
        where = error["stack"][-1] if error["stack"] else {}
        expect(False, "The exception raised by handle({failed!r}) escaped from the visit and ended thread {thread} "
               "({error} at line {line}: `{code}`), and Python printed its traceback. Catch it in the thread "
               "(try/except around handle()) and leave that customer's result None.",
               failed=failed, thread=error["thread"], error=error["type"], line=where.get("line", "?"),
               code=where.get("code", ""))
    got = obs["result"]
    customers = _customers(name)
    expect(isinstance(got, list) and len(got) == n, "When handle({failed!r}) raised, open_office returned {got}, "
           "not a list of {n} results.", failed=failed, got=describe(got), n=n)
    for i, (g, c) in enumerate(zip(got, customers)):
        if c == failed:
            expect(g is None, "open_office returned {got} for {failed!r}, whose handle() raised an exception; that "
                   "customer's result must be None.", got=describe(g), failed=failed)
        else:
            expect(g == f"ticket {c}", "When handle({failed!r}) raised, open_office returned {got} at position {i}, "
                   "where the result of {customer!r} ({want!r}) belongs.", failed=failed, got=describe(g), i=i,
                   customer=c, want=f"ticket {c}")


def test_limit_is_a_semaphore(runs):
    n, desks, _, _ = CASES[SEMAPHORE_CASE]
    created = runs[SEMAPHORE_CASE].observations["created"]
    semaphores = [p for p in created if p["kind"] in ("Semaphore", "BoundedSemaphore")]
    sized = [p for p in semaphores if p["initial"] == desks]
    locks = [p for p in created if p["kind"] == "Lock"]  # a Condition's own RLock is no Lock of the student's
    if not semaphores and locks:
        expect(False, "open_office ({n} customers, {desks} desks) created no semaphore, only the {kind} at line {line} "
               "(`{code}`), which lets one customer in at a time. The tutorial's tool for \"at most N at once\" is "
               "threading.Semaphore(N) (or BoundedSemaphore(N)): create it with `desks`.",
               n=n, desks=desks, kind=locks[0]["kind"], line=locks[0]["line"], code=locks[0]["code"])
    expect(semaphores, "open_office ({n} customers, {desks} desks) created no semaphore. The tutorial's tool for "
           "\"at most N at once\" is threading.Semaphore(N) (or BoundedSemaphore(N)): create it with `desks`.",
           n=n, desks=desks)
    expect(sized, "open_office ({n} customers, {desks} desks) created semaphores with starting values {initials}; "
           "the limit is a semaphore created with `desks` ({desks} here).",
           n=n, desks=desks, initials=[p["initial"] for p in semaphores])
