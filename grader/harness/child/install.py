"""Install the virtual clock, the deterministic scheduler and the instrumented primitives.

Runs in the child interpreter before the student's module is imported, so that `threading.Lock()`,
`from threading import Lock`, `time.sleep` and `queue.Queue` all resolve to the instrumented ones.
"""

from __future__ import annotations

import os
import queue
import threading
import time
import types

from . import primitives, sites
from .scheduler import FINISHED, JOINING, Scheduler

REAL = types.SimpleNamespace(
    sleep=time.sleep, time=time.time, monotonic=time.monotonic, perf_counter=time.perf_counter,
    time_ns=time.time_ns, monotonic_ns=time.monotonic_ns, perf_counter_ns=time.perf_counter_ns,
    process_time=time.process_time,
)

# The standard library's plumbing threads block in real pipe reads: they must not hold the baton.
_PLUMBING_TARGETS = {
    ("multiprocessing.pool", "Pool._handle_workers"),
    ("multiprocessing.pool", "Pool._handle_tasks"),
    ("multiprocessing.pool", "Pool._handle_results"),
    ("multiprocessing.queues", "Queue._feed"),
}
_PLUMBING_CLASSES = {("concurrent.futures.process", "_ExecutorManagerThread")}

SCHED: Scheduler | None = None


def _is_plumbing(thread: threading.Thread) -> bool:
    cls = type(thread)
    if (cls.__module__, cls.__qualname__) in _PLUMBING_CLASSES:
        return True
    target = getattr(thread, "_target", None)
    key = (getattr(target, "__module__", None), getattr(target, "__qualname__", None))
    return key in _PLUMBING_TARGETS


class VirtualTime:
    """time.* functions that follow the scheduler's virtual clock."""

    def __init__(self, sched: Scheduler):
        self.sched = sched
        # Whole-second bases: `time.monotonic() - start` after sleep(5) is exactly 5.0, whatever
        # the real clock read when the child started.
        self.epoch0 = float(int(REAL.time()))
        self.mono0 = float(int(REAL.monotonic()))
        self.perf0 = float(int(REAL.perf_counter()))

    def sleep(self, seconds):
        if not isinstance(seconds, (int, float)):
            raise TypeError(f"'{type(seconds).__name__}' object cannot be interpreted as an integer")
        if seconds < 0:
            raise ValueError("sleep length must be non-negative")
        me = self.sched.current()
        if not me.tracked:
            REAL.sleep(min(seconds, 0.05))  # plumbing polls; never let it stall the judge
            return
        SLEEP_LOG.append({
            "thread": me.name, "seconds": seconds, "at": self.sched.now,
            "site": sites.student_site(),
        })
        self.sched.sleep(seconds)

    def time(self):
        return self.epoch0 + self.sched.now

    def monotonic(self):
        return self.mono0 + self.sched.now

    def perf_counter(self):
        return self.perf0 + self.sched.now

    def time_ns(self):
        return int(self.time() * 1e9)

    def monotonic_ns(self):
        return int(self.monotonic() * 1e9)

    def perf_counter_ns(self):
        return int(self.perf_counter() * 1e9)


SLEEP_LOG: list[dict] = []  # every tracked time.sleep call, for checks about simulated work


def install(student_file: str, on_deadlock) -> Scheduler:
    global SCHED
    sites.set_student_file(student_file)
    sched = Scheduler(on_deadlock)
    SCHED = sched
    primitives.bind(sched)
    vt = VirtualTime(sched)

    for name in ("sleep", "time", "monotonic", "perf_counter", "time_ns", "monotonic_ns", "perf_counter_ns"):
        setattr(time, name, getattr(vt, name))

    for name in ("Lock", "RLock", "Semaphore", "BoundedSemaphore", "Condition", "Event"):
        setattr(threading, name, getattr(primitives, name))
    threading._time = vt.monotonic
    # queue.Queue builds on threading's primitives at construction; its timeouts read queue.time.
    queue.time = vt.monotonic
    # The C SimpleQueue blocks in C where the scheduler cannot see it; the pure one is built on
    # threading.Semaphore, so it is instrumented (ThreadPoolExecutor workers wait on it).
    queue.SimpleQueue = queue._PySimpleQueue
    _keep_real_time_for_os_waits()
    _patch_thread(sched)
    os.register_at_fork(after_in_child=_after_fork)
    return sched


def _keep_real_time_for_os_waits() -> None:
    """multiprocessing waits on real pipes and processes: its timeouts must stay in real time."""
    import multiprocessing.connection as mpc

    mpc.time = types.SimpleNamespace(monotonic=REAL.monotonic, sleep=REAL.sleep, time=REAL.time)


def _patch_thread(sched: Scheduler) -> None:
    Thread = threading.Thread
    orig_start = Thread.start
    orig_bootstrap_inner = Thread._bootstrap_inner
    orig_join = Thread.join
    orig_is_alive = Thread.is_alive

    def start(self):
        if not self._initialized:
            raise RuntimeError("thread.__init__() not called")
        if self._started.is_set():
            raise RuntimeError("threads can only be started once")
        st = sched.announce_start(self, self.name, tracked=not _is_plumbing(self))
        try:
            orig_start(self)
        except BaseException:
            sched.retract_start(st)  # e.g. "can't start new thread" under a thread limit
            raise

    def _bootstrap_inner(self):
        st = sched.thread_begins(self)
        try:
            orig_bootstrap_inner(self)
        finally:
            if st is not None:
                sched.thread_ends(st)

    def join(self, timeout=None):
        if self is threading.current_thread() or not self._started.is_set():
            return orig_join(self, timeout)
        target = sched.by_thread.get(id(self))
        me = sched.current()
        if target is None or not me.tracked:
            return orig_join(self, timeout)
        with sched.mutex:
            if target.status != FINISHED:
                if timeout is None:
                    sched.check_wait_for(me, target, JOINING, target)
                target.joiners.append(me)
                deadline = None if timeout is None else sched.now + max(timeout, 0)
                timed_out = sched.park(me, JOINING, deadline=deadline, waiting_on=target)
                if timed_out:
                    if me in target.joiners:
                        target.joiners.remove(me)
                    return None
        # The thread's Python code is done; the OS thread is a moment from gone.
        return orig_join(self)

    def is_alive(self):
        st = sched.by_thread.get(id(self))
        if st is not None and st.status == FINISHED:
            return False
        if st is not None and st.ident is None:
            return True  # announced, not yet scheduled
        return orig_is_alive(self)

    Thread.start = start
    Thread._bootstrap_inner = _bootstrap_inner
    Thread.join = join
    Thread.is_alive = is_alive


def _after_fork() -> None:
    if SCHED is not None:
        SCHED.after_fork_in_child()
        primitives.reset_after_fork()
