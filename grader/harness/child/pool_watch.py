"""The judge's pool task, and what the scenario's process tells the judge about its pools.

Why: a check such as "make_reports raises only after every other task has finished" must hold or
fail on every run, so the judge decides when each task may run (judge/rendezvous.py,
HoldingServer), and needs to know what the parent process does meanwhile:

- `JudgeTask(address)` is a picklable task, `task(i, folder)`, for the student's pool. Each call
  reports to the judge's server and waits there until the server lets it run (it may hold it; it
  may also hold it for the rendezvous that proves two workers overlap), then returns what the
  server gave it, or raises `TaskFailed` with the server's token, or runs `inner(i, folder)` (the
  student's own task) in between. What to fail and what to hold is the judge's, never in here.
- `PoolWatch(address)`, made in the scenario's process before the student's code runs, reports
  the moments that release a held task: waiting for a result (`get()`/`wait()` of an AsyncResult,
  `next()` of imap, `result()`/`exception()` of a process pool's Future, naming the task when it is
  one task's result, or "all" for a map's), joining a pool (`join()`, `shutdown(wait=True)`),
  receiving a task's result (naming the task), and `close()`, `terminate()`. Each report is sent,
  and acknowledged, before the call it reports goes on, so the judge's log has it before anything
  that call could cause.

It also closes a race of the standard library's own: `Pool.terminate()` (the end of a `with Pool`
block) kills workers with SIGTERM, and a worker killed while it sends a result still holds the
result queue's lock, so the pool's task handler waits for that lock for ever and terminate() never
returns: a hang on some runs and not others. In the pool's worker processes, SIGTERM is held back
while a result is being put, so a worker dies only outside that lock, on every run.
"""

from __future__ import annotations

import json
import os
import signal
import socket

from . import primitives
from .rendezvous_client import read_line


class TaskFailed(Exception):
    """What the judge's task raises, on purpose, for the items the judge chose."""

    def __init__(self, item, token):
        super().__init__(item, token)
        self.item, self.token = item, token

    def __reduce__(self):  # pickled back from the worker with its item and token
        return (type(self), (self.item, self.token))

    def __str__(self):
        return f"task {self.item} failed (the test's task raised this on purpose)"


def _item(value):
    return value if type(value) is int else repr(value)


def _ask(address: str, message: dict, limit: float) -> bytes:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(limit)
    try:
        sock.connect(address)
        sock.sendall(json.dumps(message).encode() + b"\n")
        return read_line(sock)
    finally:
        sock.close()


class JudgeTask:
    """`task(i, folder)` for the student's pool; see the module's docstring."""

    def __init__(self, address: str, inner=None, overlap: bool = False, wait_limit: float = 300.0):
        self.address = address
        self.inner = inner
        self.overlap = overlap  # also hold the first calls until two worker processes are inside
        self.parent_pid = os.getpid()
        self.wait_limit = wait_limit

    def __call__(self, i, folder, *args, **kwargs):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.wait_limit)
        try:
            sock.connect(self.address)
            message = {"pid": os.getpid(), "item": _item(i), "in_parent": os.getpid() == self.parent_pid,
                       "overlap": self.overlap}
            sock.sendall(json.dumps(message).encode() + b"\n")
            answer = json.loads(read_line(sock).decode("utf-8", "replace") or "{}")
            try:
                result = self.inner(i, folder, *args, **kwargs) if self.inner is not None else answer.get("value")
            finally:
                # Counted out only once the server has seen the end: the result reaches the parent
                # after this, so the judge's log has every end before what the parent does with it.
                sock.sendall(b"done\n")
                read_line(sock)  # "bye"
        finally:
            sock.close()
        if "fail" in answer:
            raise TaskFailed(i, answer["fail"])
        return result

    def __repr__(self):
        return "<the test's task>"


class PoolWatch:
    """Reports what the scenario's process does with its pools; see the module's docstring."""

    def __init__(self, address: str, limit: float = 30.0):
        import concurrent.futures
        import concurrent.futures.process as cfp
        import multiprocessing.pool as mpp

        self.address = address
        self.limit = limit
        self.pid = os.getpid()
        watch = self

        def patch(cls, name, before=None, after=None):
            original = getattr(cls, name)

            def wrapper(obj, *args, **kwargs):
                if before is not None:
                    before(obj, *args, **kwargs)
                result = original(obj, *args, **kwargs)
                if after is not None:
                    after(obj, result, *args, **kwargs)
                return result

            setattr(cls, name, primitives.untraced(wrapper))

        def tag(obj, result, func, args=(), *rest, **kwargs):  # apply_async / submit: which task
            if args:
                result._grader_item = _item(args[0])

        patch(mpp.Pool, "apply_async", after=tag)
        # A MapResult is ready only once every task of the map is done (3.8+): it waits for "all".
        patch(mpp.ApplyResult, "wait",
              before=lambda r, *a, **k: watch.report("wait", "all" if isinstance(r, mpp.MapResult) else r))
        # imap yields in order: next() waits for the task at its position (unordered: for any).
        for name in ("next", "__next__"):  # `for` calls __next__, an alias made in the class body
            patch(mpp.IMapIterator, name, before=lambda r, *a, **k: watch.report(
                "wait", None if isinstance(r, mpp.IMapUnorderedIterator) else r._index - len(r._items)))
        patch(mpp.ApplyResult, "_set", after=lambda r, _, i, obj: watch.received(r, obj))
        patch(mpp.MapResult, "_set", after=lambda r, _, i, obj: watch.received(None, obj))
        patch(mpp.Pool, "join", before=lambda p: watch.report("join"))
        patch(mpp.Pool, "close", before=lambda p: watch.report("close"))
        patch(mpp.Pool, "terminate", before=lambda p: watch.report("terminate"))

        patch(cfp.ProcessPoolExecutor, "submit", after=lambda ex, fut, fn, *args, **kw: tag(ex, fut, fn, args))
        for name in ("result", "exception"):
            patch(concurrent.futures.Future, name,
                  before=lambda f, *a, **k: watch.report("wait", f) if hasattr(f, "_grader_item") else None)
        patch(concurrent.futures.Future, "set_result",
              after=lambda f, _, value: watch.received(f, (True, value)))
        patch(concurrent.futures.Future, "set_exception",
              after=lambda f, _, exc: watch.received(f, (False, exc)))
        patch(cfp.ProcessPoolExecutor, "shutdown",
              before=lambda ex, wait=True, **k: watch.report("join" if wait else "close"))
        self._shield_puts_in_workers()

    def _shield_puts_in_workers(self) -> None:
        """In processes forked from this one (a Pool's workers), SIGTERM waits while a put holds the
        queue's lock (see the module's docstring); the put of a result is short, the lock is free
        when the signal lands, and the worker dies as it would have."""
        import multiprocessing.queues as mpq

        parent, original = self.pid, mpq.SimpleQueue.put

        def put(queue, obj):
            if os.getpid() == parent:
                return original(queue, obj)
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
            try:
                return original(queue, obj)
            finally:
                signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})

        mpq.SimpleQueue.put = primitives.untraced(put)  # type: ignore[method-assign]  # patching it is the point

    def report(self, kind: str, about=None) -> None:
        """Tell the judge's server, and wait for its acknowledgement (a held task may go on)."""
        if os.getpid() != self.pid:
            return  # a worker process that inherited the patches: not the scenario's process
        item = about if about is None or type(about) in (int, str) else getattr(about, "_grader_item", None)
        try:
            _ask(self.address, {"op": kind, "item": item, "pid": os.getpid()}, self.limit)
        except OSError:
            pass  # the judge is gone: nothing left to report to

    def received(self, result, obj) -> None:
        """A task's result or exception reached this process (its callbacks have run)."""
        try:
            ok, value = obj
        except (TypeError, ValueError):
            return
        if not ok and isinstance(value, TaskFailed):
            self.report("received", value.item)
        elif result is not None and hasattr(result, "_grader_item"):
            self.report("received", result._grader_item)

    def mark(self, kind: str) -> None:
        """The scenario's own moments: "returned", "raised"."""
        self.report(kind)
