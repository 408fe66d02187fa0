"""Scenarios for producer-consumer; they run in the child, next to the student's module, and only observe.

run_pipeline creates its own queue, so the scenario watches queue.Queue while the call runs: every
queue created, every put and get with what was put or taken (a producer's item or anything else),
and every thread started. The queue the first producer item went into is the pipeline's queue; its
operation log (probe.queue_log) says how full it was and which gets found it empty.
"""

import queue
import random
import threading
import time

SETTLE = 60  # virtual seconds the test waits after run_pipeline returns: every sleep is over by then


def pipeline(module, probe, producers, consumers, count, maxsize, seeds):
    """run_pipeline(producers, consumers, count, maxsize) once per seed of `random` (None: the run's own)."""
    runs = []
    for seed in seeds:
        if seed is not None:
            random.seed(seed)
        runs.append(_one_call(module, probe, producers, consumers, count, maxsize))
    return {"runs": runs}


def _one_call(module, probe, producers, consumers, count, maxsize):
    items = {(f"P{p}", i) for p in range(producers) for i in range(1, count + 1)}

    def kind(item):
        try:
            return "item" if type(item) is tuple and item in items else "other"
        except TypeError:  # an unhashable sentinel
            return "other"

    Queue = queue.Queue
    originals = {"__init__": Queue.__init__, "put": Queue.put, "get": Queue.get}
    created, ops = [], []
    started_before = len(probe.started_threads())

    def init(self, *args, **kwargs):
        originals["__init__"](self, *args, **kwargs)
        created.append(self)

    def put(self, item, *args, **kwargs):
        what = kind(item)
        result = originals["put"](self, item, *args, **kwargs)
        ops.append((self, "put", what, probe.now(), threading.current_thread().name))
        return result

    def get(self, *args, **kwargs):
        try:
            item = originals["get"](self, *args, **kwargs)
        except queue.Empty:
            ops.append((self, "get", "empty", probe.now(), threading.current_thread().name))
            raise
        ops.append((self, "get", kind(item), probe.now(), threading.current_thread().name))
        return item

    for name, wrapper in (("__init__", init), ("put", put), ("get", get)):
        setattr(Queue, name, wrapper)
    try:
        result = module.run_pipeline(producers, consumers, count, maxsize)
        returned_at = probe.now()
        got = probe.encode(result)  # now: what a consumer appends later is not what run_pipeline returned
    finally:
        for name, original in originals.items():
            setattr(Queue, name, original)
    # the threads run_pipeline started, with the function each was started to run
    started = [(t, probe.thread_target(t)) for t in probe.started_threads()[started_before:]]

    time.sleep(SETTLE)  # let every thread left behind go as far as it can

    first_item_q = next((q for q, op, what, *_ in ops if op == "put" and what == "item"), None)
    work = first_item_q if first_item_q is not None else (created[0] if created else None)
    leftovers = []
    for t, target in started:
        if probe.thread_state(t)["status"] == "finished":
            continue
        state = probe.thread_state(t)
        in_get = work is not None and state["queue"] is work and state["queue_wait"] == "get"
        in_put = work is not None and state["queue"] is work and state["queue_wait"] == "put"
        leftovers.append({"name": t.name, "target": target, "status": state["status"],
                          "in_get": in_get, "in_put": in_put, "daemon": t.daemon,
                          "where": probe.student_line(t)})
    names = [t.name for t, _ in started]
    return {
        "result": got,
        "returned_at": returned_at,
        "threads": [{"name": t.name, "target": target} for t, target in started],
        "leftovers": leftovers,
        "errors": [e for e in probe.thread_errors() if e["thread"] in names],
        "queues": len(created),
        "found_queue": work is not None,
        "maxsize": getattr(work, "maxsize", None),
        "queue_log": probe.queue_log(work) if work is not None else [],
        "ops": [[op, what, at, thread] for q, op, what, at, thread in ops if q is work],
        "sleeps": [{"thread": s["thread"], "at": s["at"], "seconds": s["seconds"], "site": s["site"]}
                   for s in probe.sleeps() if s["thread"] in names],
    }
