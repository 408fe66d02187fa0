"""Scenarios for queue-drain; they run in the child, next to the student's module, and only observe.

A hang is observed rather than left to the deadlock detector: the test waits for drain() (or for
its own workers) with a join timeout in virtual time, so a worker stuck in q.get() comes back as an
observation, with its line, and the check can say what went wrong and what to change.
"""

import queue
import threading

WAIT = 10_000  # virtual seconds the test waits for drain() or its workers: far beyond any item


def _last_look(probe, q, name):
    """The last operation a thread did on q that returned (a get that blocks forever never does)."""
    if q is None:
        return None
    mine = [entry for entry in probe.queue_log(q) if entry["thread"] == name]
    return mine[-1] if mine else None


def _stuck(probe, threads, q=None):
    """The threads among `threads` that have not finished: name, state, the student's line, and
    whether the last thing it did before blocking was to see items in the queue (empty(), qsize()):
    in `q`, or else in the queue whose get() it waits in."""
    out = []
    for t in threads:
        if probe.finished(t) or t.ident is None:
            continue
        state = probe.thread_state(t)
        last = _last_look(probe, q if q is not None else state["queue"], t.name)
        out.append({
            "name": t.name,
            "status": state["status"],
            "in_get": state["queue_wait"] == "get",
            "saw_items_first": bool(last and last["op"] in ("empty", "qsize", "full") and last["size"] > 0),
            "where": probe.student_line(t),
        })
    return out


def _others():
    main = threading.main_thread()
    return [t for t in threading.enumerate() if t is not main]


def _result(value):
    """drain()'s result as plain JSON, sorted when it is a list of numbers (the order is free)."""
    if type(value) in (list, tuple):
        numbers = all(type(v) in (int, float) for v in value)
        return {"kind": "list", "items": sorted(value) if numbers else list(value)}
    return {"kind": "other", "value": value}


def drain_cases(module, probe, cases):
    """drain(items, n) for each case, one after another."""
    out = []
    for items, n in cases:
        got = module.drain(list(items), n)
        out.append({"items": items, "n": n, "got": probe.encode(_result(got))})
    return {"results": out}


def drain_once(module, probe, items, n_threads):
    """drain() in a judge thread: did it return, what, and which threads were left behind."""
    box = {}

    def call():
        box["got"] = module.drain(list(items), n_threads)

    caller = threading.Thread(target=call, name="drain")
    probe.start_and_join([caller], within=WAIT)
    returned = probe.finished(caller) and "got" in box
    workers = [t for t in _others() if t is not caller]
    return {
        "returned": returned,
        "got": probe.encode(_result(box["got"])) if returned else None,
        "stuck": probe.encode(_stuck(probe, workers)),
        "drain_where": None if returned else probe.encode(probe.student_line(caller)),
        "errors": len(probe.thread_errors()),
    }


def _run_judge_workers(module, probe, items, n_threads):
    """The test's own queue (items only, no sentinel) and its own threads, each running work(q, done)."""
    q = queue.Queue()
    for i in items:
        q.put(i)
    done = []
    threads = [threading.Thread(target=module.work, args=(q, done), name=f"test-worker-{k + 1}")
               for k in range(n_threads)]
    probe.start_and_join(threads, within=WAIT)
    return q, done, threads


def judge_workers(module, probe, items, n_threads):
    """work() in the test's threads, on the test's queue: what they took, what was left, who is stuck."""
    q, done, threads = _run_judge_workers(module, probe, items, n_threads)
    return {
        "done": probe.encode(_result(done)),
        "left_in_queue": q.qsize(),
        "stuck": probe.encode(_stuck(probe, threads, q)),
    }


def overlap(module, probe, items, n_threads):
    """drain() of one-second items: how many workers were asleep at one virtual instant."""
    got = module.drain(list(items), n_threads)
    sleeps = probe.sleeps()
    return {
        "got": probe.encode(_result(got)),
        "most_asleep": probe.most_asleep_at_once(),
        "sleeps": len(sleeps),
        "sleepers": len({s["thread"] for s in sleeps}),
        "threads": probe.max_alive() - 1,  # not counting the scenario's own thread
        "finished_at": probe.now(),
    }


def errors(module, probe, items, n_threads):
    """drain() and then the test's workers: every exception that ended a thread."""
    module.drain(list(items), n_threads)
    _run_judge_workers(module, probe, items, n_threads)
    return {"errors": probe.encode(probe.thread_errors())}
