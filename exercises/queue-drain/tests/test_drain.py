"""Hidden checks for queue-drain. Each test is one check named in exercise.yaml."""

from grader.harness.judge.api import describe, describe_status, expect

CASES = [
    ([1, 2, 3], 10),             # fewer items than workers
    ([0.5] * 7 + [2, 1, 1], 3),  # more items than workers
    ([], 4),                     # nothing to do
    ([3, 1, 2, 1], 1),           # a single worker
    ([1] * 12, 4),
]

# Small on purpose: the one-pause round then tries every pause. Three items for two workers: after
# the first two, one worker can see the last item, pause before q.get(), and lose it to the other.
EXPLORED = {"items": [1, 1, 1], "n_threads": 2}


def _where(stuck):
    where = stuck.get("where") or {}
    return where.get("line", "?"), where.get("code", "?")


def _got_items(got, want):
    expect(got["kind"] == "list", "drain({items}) returned {got}; it must return the list `done` that "
           "the workers filled.", items=want, got=describe(got.get("value")))
    return got["items"]


def _missing_and_extra(got, want):
    missing, extra = list(want), []
    for v in got:
        if v in missing:
            missing.remove(v)
        else:
            extra.append(v)
    return missing, extra


def test_records_every_item_once(student):
    obs = student.run("drain_cases", cases=CASES)
    for case in obs["results"]:
        want = sorted(case["items"])
        got = _got_items(case["got"], case["items"])
        missing, extra = _missing_and_extra(got, want)
        expect(not missing and not extra,
               "drain({items}, n_threads={n}) returned {got}: missing {missing}, extra {extra}. Every item "
               "must be recorded exactly once, and drain() must return only after every worker has ended "
               "(start them all, then join them all).",
               items=case["items"], n=case["n"], got=got, missing=missing, extra=extra)


def test_drain_returns_every_schedule(student):
    def returns(obs):
        if not obs["returned"]:
            stuck = [s for s in obs["stuck"] if s["in_get"]]
            raced = [s for s in stuck if s["saw_items_first"]]
            if raced:
                line, code = _where(raced[0])
                expect(False,
                       "drain({items}, n_threads={n}) never returned: {thread} waits forever in `{code}` "
                       "(line {line}) on an empty queue. It saw the queue not empty, and before its get() "
                       "another worker took the last item: between the check and the get, the queue can "
                       "change. Take the item in one step that cannot block: `q.get_nowait()` and stop on "
                       "`queue.Empty` (or hold one lock, shared by every worker, over the check and the get).",
                       items=EXPLORED["items"], n=EXPLORED["n_threads"], thread=raced[0]["name"],
                       line=line, code=code)
            if stuck:
                line, code = _where(stuck[0])
                expect(False,
                       "drain({items}, n_threads={n}) never returned: {thread} waits forever in `{code}` "
                       "(line {line}) on an empty queue, and nothing will ever be put in it. A worker must "
                       "stop by itself once the queue is empty: take items with `q.get_nowait()` and return "
                       "on `queue.Empty`.",
                       items=EXPLORED["items"], n=EXPLORED["n_threads"], thread=stuck[0]["name"],
                       line=line, code=code)
            expect(False,
                   "drain({items}, n_threads={n}) never returned (it was still at line {line} when the test "
                   "gave up, after {wait} virtual seconds). Its workers must end once the queue is empty, "
                   "and drain() must then return what they recorded.",
                   items=EXPLORED["items"], n=EXPLORED["n_threads"], wait=10_000,
                   line=(obs["drain_where"] or {}).get("line", "?"))
        got = _got_items(obs["got"], EXPLORED["items"])
        expect(got == sorted(EXPLORED["items"]),
               "drain({items}, n_threads={n}) returned {got} under this schedule, not every item once.",
               items=EXPLORED["items"], n=EXPLORED["n_threads"], got=got)
        left = obs["stuck"]
        if left:
            line, code = _where(left[0])
            expect(False,
                   "drain({items}, n_threads={n}) returned, but {count} of its workers had not ended: {thread} "
                   "was {status} at line {line} (`{code}`). A worker left blocked forever is a leaked thread "
                   "(one that is not a daemon also keeps Python from exiting); giving up on join() after a "
                   "timeout only hides it. Make each worker stop by itself when the queue is empty, without "
                   "checking first and taking after: `q.get_nowait()`, and return on `queue.Empty`.",
                   items=EXPLORED["items"], n=EXPLORED["n_threads"], count=len(left), thread=left[0]["name"],
                   status=describe_status(left[0]["status"]), line=line, code=code)

    student.explore("drain_once", returns, **EXPLORED)


def test_extra_threads_end(student):
    items, n = [1, 1, 1], 2

    def end(obs):
        stuck = obs["stuck"]
        raced = [s for s in stuck if s["in_get"] and s["saw_items_first"]]
        if raced:
            line, code = _where(raced[0])
            expect(False,
                   "The test started {n} threads running work(q, done) on its own queue holding {items}. "
                   "{thread} never ended: it saw an item in the queue, and before its `{code}` (line {line}) "
                   "another thread took it, so it waits forever on an empty queue. Checking and then taking is "
                   "two steps; make it one that cannot block: `q.get_nowait()`, and return on `queue.Empty`.",
                   items=items, n=n, thread=raced[0]["name"], line=line, code=code)
        if stuck:
            line, code = _where(stuck[0])
            expect(False,
                   "The test put {items} in its own queue (nothing else: no sentinel) and started {n} threads "
                   "running work(q, done). {thread} never ended: it was {status} at line {line} (`{code}`) "
                   "with {left} {left:item|items} left in the queue. work() itself must stop when the queue is empty, "
                   "whoever calls it and whatever drain() does: a sentinel that only drain() puts in its queue "
                   "is not in the test's. Use `q.get_nowait()` and return on `queue.Empty`.",
                   items=items, n=n, thread=stuck[0]["name"], status=describe_status(stuck[0]["status"]),
                   line=line, code=code, left=obs["left_in_queue"])
        got = _got_items(obs["done"], items)
        expect(got == sorted(items),
               "The test's {n} threads ran work(q, done) on a queue holding {items}; `done` ended as {got}, "
               "not every item once.", n=n, items=items, got=got)

    student.explore("judge_workers", end, items=items, n_threads=n)


def test_workers_overlap(student):
    items, n = [1] * 10, 10
    obs = student.run("overlap", items=items, n_threads=n)
    got = _got_items(obs["got"], items)
    expect(got == items, "drain() of ten 1-second items with ten threads returned {got}, not the ten items.",
           got=got)
    expect(obs["sleeps"] >= 10,
           "work() slept {sleeps} times for ten items: keep `time.sleep(t)` for each item, it stands for the "
           "work the item needs.", sleeps=obs["sleeps"])
    expect(obs["threads"] >= n,
           "drain(items, n_threads=10) never had more than {threads} worker {threads:thread|threads} alive at once. "
           "Start n_threads threads, all before joining any.", threads=obs["threads"])
    expect(obs["most_asleep"] == n,
           "With ten 1-second items and ten workers, at most {most} {most:worker was|workers were} asleep at the same "
           "moment, so draining took {took} virtual seconds instead of 1. Something makes the workers take turns, "
           "such as a lock held over `time.sleep(t)` too. Hold a lock (if you use one) only over taking the item, "
           "never over the work.", most=obs["most_asleep"], took=obs["finished_at"])


def test_no_worker_dies(student):
    obs = student.run("errors", items=[1, 2, 1], n_threads=3)
    errors = obs["errors"]
    if errors:
        first = errors[0]
        stack = first.get("stack") or [{}]
        details = dict(count=len(errors), thread=first["thread"], type=first["type"],
                       line=stack[-1].get("line", "?"), code=stack[-1].get("code", "?"))
        expect(first["type"] != "Empty",
               "{count} worker {count:thread|threads} ended with an exception; {thread} raised {type} at line {line} "
               "(`{code}`). A worker must stop quietly when the queue is empty: `q.get_nowait()` raises "
               "`queue.Empty` then, so catch exactly that (`except queue.Empty: return`).", **details)
        expect(False,
               "{count} worker {count:thread|threads} ended with an exception; {thread} raised {type} at line {line} "
               "(`{code}`). A thread that dies leaves its work undone and prints a traceback; only an empty "
               "queue should end a worker.", **details)
