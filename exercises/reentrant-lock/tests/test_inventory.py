"""Hidden checks for reentrant-lock. Each test is one check named in exercise.yaml."""

import pytest

from grader.harness.judge.api import describe, describe_status, expect

# Every bug these scenarios target shows with one thread paused at one point, and the scenarios have
# fewer than 20 such points: the one-pause round tries them all, and PCT and random walks the rest.
BUDGET = 150

RESTOCKS = [
    ({"apple": 5}, {"apple": 3, "pear": 2}),
    ({}, {"fig": 1}),
]

# Restocks with one bad count; valid items come before the bad one in most of them.
INVALID_RESTOCKS = [
    ({"apple": 5}, {"apple": 2, "pear": 0}),
    ({"apple": 5}, {"kiwi": 1, "plum": -3, "apple": 1}),
    ({"apple": 5, "pear": 1}, {"apple": 4, "pear": 4, "fig": 2, "lime": 0}),
    ({}, {"fig": 0, "kiwi": 2}),
]

SNAPSHOT_BEFORE = {"apple": 5}
SNAPSHOT_ITEMS = {"apple": 1, "pear": 2, "plum": 3}

CONCURRENT_BEFORE = {"apple": 1}
CONCURRENT_PLANS = [
    [["add", "apple", 1], ["add", "pear", 1]],
    [["restock", {"apple": 2, "pear": 3}]],
    [["add", "apple", 4]],
]


def _added(before, items):
    after = dict(before)
    for item, n in items.items():
        after[item] = after.get(item, 0) + n
    return after


def _expect_no_thread_errors(obs):
    for error in obs["errors"]:
        stack = error.get("stack") or [{}]
        expect(False, "Thread {thread} ended with {type}: {error} (line {line} of your file). Every "
               "call here is valid, so nothing should raise.", thread=error["thread"], type=error["type"],
               error=error["message"], line=stack[-1].get("line", "?"))


@pytest.fixture(scope="module")
def invalid_restocks(student):
    """One run of every invalid restock; two checks read it."""
    return student.record("invalid_restock_cases", cases=INVALID_RESTOCKS)


def test_restock_returns(student):
    runs = student.run("restock_cases", cases=RESTOCKS)["results"]
    for (before, items), obs in zip(RESTOCKS, runs):
        outcome = obs["outcome"]
        want = _added(before, items)
        expect(outcome["raised"] is None, "restock({items}) on an inventory holding {before} raised {type}: "
               "{error}. Every count is valid, so it must add them all.", items=items, before=before,
               type=outcome["raised"], error=outcome.get("message", ""))
        expect(obs["stock"] == want, "restock({items}) on an inventory holding {before} left the stock at "
               "{got}, expected {want}.", items=items, before=before, got=describe(obs["stock"]), want=want)
        expect(obs["snapshot"] == want, "After restock({items}), snapshot() returned {got}, expected {want}.",
               items=items, got=describe(obs["snapshot"]), want=want)


def test_concurrent_updates_lose_nothing(student):
    want = {"apple": 8, "pear": 4}

    def nothing_lost(obs):
        _expect_no_thread_errors(obs)
        got = obs["final"]
        expect(got == want, "Starting from {before}, three threads called add() and restock() at the same "
               "time (one add('apple', 1) then add('pear', 1), another restock({restock}), a third "
               "add('apple', 4)); the stock ended at {got}, not {want}: an update was lost. One thread read "
               "the old count, another wrote its own, and the first wrote over it. Every read and write of "
               "`stock` must happen while holding the inventory's one lock.", before=CONCURRENT_BEFORE,
               restock=CONCURRENT_PLANS[1][0][1], got=describe(got), want=want)

    student.explore("concurrent_updates", nothing_lost, budget=BUDGET, before=CONCURRENT_BEFORE,
                    plans=CONCURRENT_PLANS)


def test_snapshot_never_sees_half_restock(student):
    after = _added(SNAPSHOT_BEFORE, SNAPSHOT_ITEMS)

    def whole_or_nothing(obs):
        _expect_no_thread_errors(obs)
        for seen in obs["seen"]:
            expect(seen in (SNAPSHOT_BEFORE, after), "While one thread ran restock({items}) on {before}, "
                   "another thread's snapshot() returned {seen}: half a restock, neither {before} nor "
                   "{after}. restock() must hold the lock from its first change to its last, so that "
                   "snapshot() (which takes the same lock) sees all of it or none of it.",
                   items=SNAPSHOT_ITEMS, before=SNAPSHOT_BEFORE, after=after, seen=describe(seen))
        expect(obs["final"] == after, "After the restock, the stock is {got}, expected {after}.",
               got=describe(obs["final"]), after=after)

    student.explore("restock_vs_snapshot", whole_or_nothing, budget=BUDGET, before=SNAPSHOT_BEFORE,
                    items=SNAPSHOT_ITEMS, snapshots=2)


def test_invalid_restock_changes_nothing(invalid_restocks):
    for (before, items), obs in zip(INVALID_RESTOCKS, invalid_restocks.observations["results"]):
        outcome = obs["outcome"]
        expect(outcome["raised"] is not None, "restock({items}) returned without an error, but one count "
               "is not positive: it must raise ValueError, as add() does.", items=items)
        expect(outcome["value_error"], "restock({items}) raised {type}: {error}; a bad count must raise "
               "ValueError.", items=items, type=outcome["raised"], error=outcome.get("message", ""))
        expect(obs["stock_after"] == before, "restock({items}) raised ValueError, but afterwards the stock was "
               "{got} instead of {before}. A failed restock must leave the stock exactly as it was: no count "
               "changed, no new entry (not even one with 0). Check every count before changing anything, or "
               "put back exactly what was there before raising.", items=items, before=before,
               got=describe(obs["stock_after"]))


def test_lock_free_after_failed_restock(invalid_restocks):
    items = INVALID_RESTOCKS[0][1]
    obs = invalid_restocks.observations["results"][0]
    held = [lock["kind"] for lock in obs["locks_right_after"] if lock["locked"]]
    expect(obs["other_add_finished"], "After restock({items}) failed, another thread called "
           "add('check', 1) and it was still {status} one virtual second later: the inventory's lock was "
           "never released when the error was raised. Use `with self.lock:` (or release it in a "
           "`finally:`), so that an exception cannot leave it taken.", items=items,
           status=describe_status(obs["other_status"]))
    expect(not held, "Right after restock({items}) failed, the inventory's {kind} was still locked.",
           items=items, kind=held[0] if held else "")
    expect(obs["final"].get("check") == 1, "After the failed restock, add('check', 1) from another thread "
           "left the stock at {got}.", got=describe(obs["final"]))


def test_add_rejects_bad_counts(student):
    before = {"apple": 2}
    cases = [["apple", 0], ["pear", -1]]
    runs = student.run("invalid_add_cases", before=before, cases=cases)["results"]
    for (item, n), obs in zip(cases, runs):
        outcome = obs["outcome"]
        expect(outcome["raised"] is not None, "add({item!r}, {n}) returned without an error. add() must still "
               "refuse a count that is not positive, with ValueError.", item=item, n=n)
        expect(outcome["value_error"], "add({item!r}, {n}) raised {type}, not ValueError.", item=item, n=n,
               type=outcome["raised"])
        expect(obs["stock_after"] == before, "add({item!r}, {n}) raised, but the stock changed from {before} "
               "to {got}.", item=item, n=n, before=before, got=describe(obs["stock_after"]))
        expect(obs["other_add_finished"], "After add({item!r}, {n}) raised, another thread's add() was still "
               "{status}: the lock stayed taken.", item=item, n=n, status=describe_status(obs["other_status"]))
