"""queue.Queue's methods as single operations: one scheduling point each, with what they saw or did.

queue.Queue is built on threading's Lock and Condition, which are instrumented already; its
methods are wrapped so that each call is one point (`if q.empty():` and `q.get()` are two, and a
switch between them is the tutorial's check-then-act race), while the lock and conditions inside
are quiet. A blocked get() or put() still parks, and says which way the queue was stuck.
"""

from __future__ import annotations

import functools
import queue
import weakref

from . import primitives, sites

_OPS = ("empty", "full", "qsize", "get", "put", "get_nowait", "put_nowait", "task_done", "join")
_CHANGES = {"get", "put", "get_nowait", "put_nowait", "task_done"}


def install(sched) -> None:
    original_init = queue.Queue.__init__

    def __init__(self, maxsize=0):
        original_init(self, maxsize)
        # A thread parked on these reads as "waits: the queue is empty" (events.Recorder.parked).
        self.not_empty._waits_for = "queue_empty"
        self.not_full._waits_for = "queue_full"
        self.all_tasks_done._waits_for = "queue_tasks"
        # which queue a waiter on these is stuck in, for a deadlock's explanation (stuck.py) and
        # probe.thread_state
        ref = weakref.ref(self)
        self.not_empty._grader_queue = self.not_full._grader_queue = self.all_tasks_done._grader_queue = ref

    queue.Queue.__init__ = __init__  # type: ignore[method-assign]  # patching the standard library is the point
    for name in _OPS:
        setattr(queue.Queue, name, _wrap(sched, getattr(queue.Queue, name), name))


def _wrap(sched, original, name: str):
    changes = name in _CHANGES

    def operation(self, *args, **kwargs):
        me = sched.current()
        if not me.tracked or me.quiet:
            return original(self, *args, **kwargs)
        sched.point(me)
        me.quiet += 1
        try:
            result = original(self, *args, **kwargs)
        except queue.Empty:
            me.quiet -= 1
            _end(sched, me, False, self, name, "empty")
            raise
        except queue.Full:
            me.quiet -= 1
            _end(sched, me, False, self, name, "full")
            raise
        except BaseException:
            me.quiet -= 1
            raise
        me.quiet -= 1
        _end(sched, me, changes, self, name, result)
        if name in _ITEMS:
            put = name.startswith("put")
            _item(self, me, name, (args[0] if args else kwargs.get("item")) if put else result)
        return result

    return primitives.untraced(functools.wraps(original)(operation))


LOG_LIMIT = 20000  # operations kept per queue
_ITEMS = ("get", "put", "get_nowait", "put_nowait")
_PLAIN = (type(None), bool, int, float, str, bytes)


def item_key(item, objects: dict[int, str]) -> str | None:
    """What tells an item put or taken apart without running student code: plain data by value, a
    bare `object()` (a sentinel) by identity, as `object()`, `object() #2`... in the order `objects`
    (id -> key, one queue's) first saw them; None for anything else."""
    kind = type(item)
    if kind in _PLAIN:
        text = repr(item)
        return text if len(text) <= 40 else None
    if kind is object:
        return objects.setdefault(id(item), "object()" + (f" #{len(objects) + 1}" if objects else ""))
    return None


def _item(q, me, name: str, item) -> None:
    """Each item put or taken: by whom, at which line of the student's file, and its key (item_key)."""
    log = q.__dict__.setdefault("_grader_items", [])
    if len(log) < LOG_LIMIT:
        site = sites.student_site(2) or {}
        key = item_key(item, q.__dict__.setdefault("_grader_objects", {}))
        log.append((name.split("_")[0], me.name, site.get("line"), site.get("code", ""), key))


def _end(sched, me, changed: bool, q, name: str, result) -> None:
    if changed:
        sched.progress += 1
    else:
        me.polls += 1
    log = q.__dict__.setdefault("_grader_log", [])
    if len(log) < LOG_LIMIT:  # what probe.queue_log reports: who did what, when, and what was left
        outcome = result if result in ("empty", "full") and name not in ("empty", "full") else "ok"
        log.append((sched.now, me.name, name, outcome, q._qsize()))
    if sched.recorder is not None:
        sched.recorder.op(me, *_described(q, name, result))


def _described(q, name: str, result) -> tuple[str, dict | None]:
    if result == "empty" and name != "empty":
        return "queue_found_empty", None
    if result == "full" and name != "full":
        return "queue_found_full", {"maxsize": q.maxsize}
    n = q._qsize()
    if name == "empty":
        return ("queue_saw_empty", None) if result else ("queue_saw_items", {"n": n})
    if name == "full":
        return ("queue_saw_full" if result else "queue_saw_room"), {"n": n, "maxsize": q.maxsize}
    if name == "qsize":
        return "queue_saw_size", {"n": n}
    if name in ("get", "get_nowait"):
        return ("queue_got_last", None) if n == 0 else ("queue_got", {"n": n})
    if name in ("put", "put_nowait"):
        return "queue_put", {"n": n}
    if name == "task_done":
        return "queue_task_done", {"left": q.unfinished_tasks}
    return "queue_joined", None
