"""Scenarios for gevent-workers; they run in the child, next to the student's module, and only observe.

Greenlets switch only where they yield, so one run shows the one order there is: each case runs once,
in its own child. gevent's hub runs in the scenario's thread and waits on a real event loop only for
timers and I/O; with tasks in a gevent.queue.Queue and gevent.sleep(0) it never waits, and a greenlet
that waits for an item that never comes makes gevent raise LoopExit at once ("This operation would
block forever") instead of hanging.

What is observed:
- every greenlet started while the student's code runs (Greenlet.add_spawn_callback: gevent.spawn,
  Greenlet.start, a gevent.pool.Pool's), with what it was given to run, taken when it started;
- each call of the student's `worker`, made through a wrapper put in the module: in which greenlet it
  ran (or in the main one, outside every greenlet) and how many greenlets had been started by then;
- after run_workers returned (or raised): each greenlet's `dead`, `exception`, and, if it is still
  waiting, the student's line where it waits.

`gevent.sleep(t)` with t > 0 would wait t real seconds: here it yields as `gevent.sleep(0)` does (for
workers that all sleep the same time, the order is the same), so that no verdict depends on real time.
"""

import gevent
import gevent.queue
from gevent import Greenlet


def _describe_run(run, worker):
    if run is None:
        return None  # gevent.spawn(None): it runs nothing
    if run is worker:
        return "worker"
    name = getattr(run, "__qualname__", None) or getattr(getattr(run, "func", None), "__qualname__", None)
    return name if isinstance(name, str) else type(run).__name__


class _Watch:
    """The greenlets started, and the calls of the student's worker, while it is installed."""

    def __init__(self, module, probe):
        self.module, self.probe = module, probe
        self.greenlets = []  # (greenlet, what it was started with)
        self.calls = []
        self.yields = 0  # gevent.sleep calls in greenlets started while installed
        self.sleeps: dict[int, int] = {}  # id(greenlet) -> its gevent.sleep calls
        self.told: dict[int, int] = {}  # id(greenlet) -> its sleeps when empty() last said False
        self.stale_checks = 0  # gets on an empty queue after empty() said False and a yield since
        self.original_queue = gevent.queue.Queue
        self.original_worker = getattr(module, "worker", None)
        self.original_sleep = gevent.sleep
        watch = self

        def worker(*args, **kwargs):
            current = gevent.getcurrent()
            index = next((i for i, (g, _) in enumerate(watch.greenlets) if g is current), None)
            watch.calls.append({
                "greenlet": index,  # None: outside every greenlet started (the main greenlet)
                "in_main": not isinstance(current, Greenlet),
                "started_before": len(watch.greenlets),
                "name": args[0] if args and type(args[0]) is str else None,
            })
            return watch.original_worker(*args, **kwargs)

        worker.__name__ = worker.__qualname__ = "worker"
        self.worker = worker

        def sleep(seconds=0, ref=True):
            current = gevent.getcurrent()
            if isinstance(current, Greenlet):
                watch.yields += 1  # a started greenlet yielded: "never yields" would be untrue
                watch.sleeps[id(current)] = watch.sleeps.get(id(current), 0) + 1
            return watch.original_sleep(0, ref)

        class Queue(gevent.queue.Queue):
            """gevent's Queue, noting a get on an empty queue by a greenlet that empty() told it was
            not empty and that yielded since: the check is there, the yield in between defeats it."""

            def empty(self):
                answer = super().empty()
                key = id(gevent.getcurrent())
                if answer:
                    watch.told.pop(key, None)
                else:
                    watch.told[key] = watch.sleeps.get(key, 0)
                return answer

            def get(self, *args, **kwargs):
                key = id(gevent.getcurrent())
                told = watch.told.pop(key, None)
                if told is not None and watch.sleeps.get(key, 0) > told and super().empty():
                    watch.stale_checks += 1
                return super().get(*args, **kwargs)

        self.queue_class = Queue

        self.sleep = sleep

    def _spawned(self, greenlet):
        run = self.probe.greenlet_target(greenlet)
        self.greenlets.append((greenlet, {
            "runs_nothing": run is None,
            "runs": _describe_run(run, self.worker),
            "args": len(getattr(greenlet, "args", ()) or ()),
        }))

    def __enter__(self):
        if callable(self.original_worker):
            self.module.worker = self.worker
        gevent.sleep = self.sleep
        if getattr(self.module, "sleep", None) is self.original_sleep:  # from gevent import sleep
            self.module.sleep = self.sleep
        gevent.queue.Queue = self.queue_class
        if getattr(self.module, "Queue", None) is self.original_queue:  # from gevent.queue import Queue
            self.module.Queue = self.queue_class
        Greenlet.add_spawn_callback(self._spawned)
        return self

    def __exit__(self, *exc):
        Greenlet.remove_spawn_callback(self._spawned)
        gevent.sleep = self.original_sleep
        gevent.queue.Queue = self.original_queue
        return False

    def report(self):
        out = []
        for greenlet, info in self.greenlets:
            exc = greenlet.exception
            error = None
            if exc is not None:
                exc_info = getattr(greenlet, "exc_info", None) or (None, exc, None)
                error = self.probe.student_error(exc, exc_info[2])
            out.append({**info, "dead": bool(greenlet.dead), "error": error,
                        "ran": bool(greenlet.dead) or getattr(greenlet, "gr_frame", None) is not None,
                        "where": [] if greenlet.dead else self.probe.student_stack(greenlet)})
        return out


def _pairs(value):
    """run_workers' result as plain JSON: a list of [name, task] pairs, or what it was instead."""
    if type(value) is list and all(type(v) in (tuple, list) and len(v) == 2 for v in value):
        return {"kind": "pairs", "pairs": [[v[0], v[1]] for v in value]}
    return {"kind": "other", "value": value}


def run_case(module, probe, n_tasks, names):
    """run_workers(n_tasks, names): what it returned or raised, the greenlets it started, and where
    the student's worker ran."""
    with _Watch(module, probe) as watch:
        try:
            got = module.run_workers(n_tasks, list(names))
            outcome = {"outcome": "returned", "got": probe.encode(_pairs(got))}
        except Exception as exc:  # noqa: BLE001 - LoopExit and whatever the student's code raised
            outcome = {"outcome": "raised", "error": probe.student_error(exc),
                       "loop_exit": isinstance(exc, gevent.exceptions.LoopExit)}
    # the report and the calls are the scenario's own plain data (the student's values are encoded)
    return {**outcome, "greenlets": watch.report(), "calls": watch.calls, "yields": watch.yields,
            "stale_checks": watch.stale_checks}


def judge_greenlets(module, probe, n_tasks, names):
    """The test's own queue (the tasks and nothing else: no sentinel) and its own greenlets, one per
    name, each running worker(name, tasks, done), joined with gevent.joinall."""
    done = []
    with _Watch(module, probe) as watch:
        tasks = watch.queue_class()
        for i in range(n_tasks):
            tasks.put(i)
        greenlets = [gevent.spawn(watch.original_worker, name, tasks, done) for name in names]
        loop_exit = False
        try:
            gevent.joinall(greenlets)
        except gevent.exceptions.LoopExit:
            loop_exit = True
    report = watch.report()
    return {"loop_exit": loop_exit, "done": probe.encode(_pairs(done)), "left_in_queue": tasks.qsize(),
            "stale_checks": watch.stale_checks,
            "greenlets": [{**g, "name": name} for g, name in zip(report[:len(names)], names)]}
