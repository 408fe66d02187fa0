"""Install the virtual clock, the deterministic scheduler, the instrumented primitives and the tracer.

Runs in the child interpreter before the student's module is imported, so that `threading.Lock()`,
`from threading import Lock`, `time.sleep` and `queue.Queue` all resolve to the instrumented ones,
and so that the student's frames are traced for scheduling points (tracing.py).

What could make two runs differ is fixed here: the clock is virtual and starts at the same instant
on every run (VirtualTime), `random` is seeded with RANDOM_SEED at the start of each run and in
each forked process, and the fork server runs with a fixed hash seed (judge/fork_client.py).
`random.SystemRandom`, `os.urandom`, `uuid.uuid4()` and `datetime.now()` stay real.
"""

from __future__ import annotations

import os
import queue
import random
import sys
import threading
import time
import types
from collections.abc import Callable

from . import gevent_support, primitives, queues, sites
from .events import Recorder
from .scheduler import FINISHED, JOINING, DeadlockFound, FirstComeFirstServed, Scheduler
from .tracing import TICK, WRITE, Tracer, settrace

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
TRACER: Tracer | None = None
CPUS: set[int] | None = None  # the CPUs this process may use, before it pinned itself to one
# Told each tracked thread's ident and name (bootstrap sends them to the judge), so that a timeout's
# faulthandler dump, which knows threads by ident only, reads with their names.
ON_THREAD_NAMED: Callable[[int, str], None] | None = None
# The frame of the scenario's last call into the student's file in the main thread, so that a
# deadlock or an exception can say which case it happened in (`run(100, 100)`). Only the frame is
# kept: a scenario may call the student thousands of times, and text is made only for a report.
LAST_CALL_FRAME: types.FrameType | None = None
MAIN_IDENT: int | None = None  # the scenario's thread, set by install()
# Checks that the harness's patches are still in place, in each new thread before its target runs
# (bootstrap._guard sets it): a patch undone for a thread's life is found at its start.
ON_THREAD_START: Callable[[], None] | None = None
# Told +1 when a start() is about to ask the OS for a thread, -1 if the OS refused it: until the new
# thread runs ON_THREAD_START, it is in the kernel's list of threads and in no other (integrity.py).
ON_THREAD_ANNOUNCED: Callable[[int], None] | None = None
RANDOM_SEED = 20240101
# Fixed bases for the virtual clock: time.time() reads 2026-01-01 00:00:00 UTC plus virtual seconds
# on every run, so a program that prints or compares times behaves the same each time.
EPOCH0, MONO0 = 1_767_225_600.0, 1000.0


def scheduler() -> Scheduler:
    """The child's scheduler, once install() has run (a clear error before, not an AttributeError on None)."""
    if SCHED is None:
        raise RuntimeError("the child's scheduler is not installed: install.install() runs first")
    return SCHED


def tracer() -> Tracer:
    """The tracer of the student's frames, once install() has run."""
    if TRACER is None:
        raise RuntimeError("the child's tracer is not installed: install.install() runs first")
    return TRACER


def _name_after_the_students_function(thread: threading.Thread, given) -> None:
    """Python names a thread after its target, "Thread-3 (visit)": a wrapper of a pack's scenarios or
    of the harness is never shown there, but the student's function it runs ("Thread-3" alone when
    none is found). A name the code gave is kept."""
    if given is not None:
        return
    try:
        judges, students = sites.thread_target(getattr(thread, "_target", None), getattr(thread, "_args", ()),
                                               getattr(thread, "_kwargs", None))
    except Exception:  # noqa: BLE001 - naming must never break a thread  # pragma: no cover
        return
    if judges:
        number = thread._name.split(" (", 1)[0]  # type: ignore[attr-defined]
        thread._name = f"{number} ({students})" if students else number  # type: ignore[attr-defined]


def target_name(thread: threading.Thread) -> str | None:
    """The name of the function a thread is started to run (probe.thread_target), kept because
    Thread.run() forgets its target when it returns. Read only from functions and methods: a student's
    callable object could answer `__name__` with code of its own, here in the middle of start()."""
    target = getattr(thread, "_target", None)
    if isinstance(target, (types.FunctionType, types.MethodType, types.BuiltinFunctionType)):
        return target.__name__
    return None


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
        # Whole-second bases: `time.monotonic() - start` after sleep(5) is exactly 5.0.
        self.epoch0, self.mono0, self.perf0 = EPOCH0, MONO0, MONO0

    @primitives.untraced
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
            # a sleep inside a coroutine blocks the whole event loop (virtual_loop.blocking_sleeps)
            "in_event_loop": _event_loop_running(),
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


def _event_loop_running() -> bool:
    """Whether an asyncio event loop runs in the calling thread (without importing asyncio)."""
    events = sys.modules.get("asyncio.events")
    return events is not None and events._get_running_loop() is not None


SLEEP_LOG: list[dict] = []  # every tracked time.sleep call, for checks about simulated work
THREAD_ERRORS: list[dict] = []  # exceptions that ended a thread (threading.excepthook), student's lines
# Those of THREAD_ERRORS that killed a tracked thread (not SystemExit, which threading ends a thread
# with silently): every run's result carries them, and schedule exploration fails a run with one.
THREAD_DEATHS: list[dict] = []
# The student's module, compiled (bootstrap sets it): probe.run_as_main runs it.
STUDENT_CODE: types.CodeType | None = None


def pin_to_one_cpu(slot: int | None = None) -> None:
    """Only one tracked thread runs at a time, and on one CPU handing the baton over costs a tenth:
    a thread woken on another CPU must first wait there for the GIL (measured: 76 µs a round trip
    across the two CPUs of a VM, 7.5 µs on one). Worker processes get every CPU back (_after_fork).

    `slot`: the judge's own, which no other judge on the machine holds while it runs (the host's
    host/cpu_slots.py), so that two judges' children never share one CPU while another waits idle;
    without one, the pid chooses."""
    global CPUS
    try:
        CPUS = os.sched_getaffinity(0)
        os.sched_setaffinity(0, {sorted(CPUS)[(os.getpid() if slot is None else slot) % len(CPUS)]})
    except (AttributeError, OSError):
        CPUS = None  # not Linux: nothing to pin


def install(student_file: str, on_deadlock: Callable[[DeadlockFound], None], tracing: bool = True,
            cpu_slot: int | None = None) -> Scheduler:
    """`tracing=False` leaves the student's bytecodes without points (no race search inside a line,
    no busy-wait detection): for measuring what tracing costs, never for grading. `cpu_slot`: see
    pin_to_one_cpu."""
    global SCHED, TRACER, MAIN_IDENT
    MAIN_IDENT = threading.get_ident()
    pin_to_one_cpu(cpu_slot)
    sites.set_student_file(student_file)
    sched = Scheduler(on_deadlock)
    SCHED = sched
    primitives.bind(sched)
    vt = VirtualTime(sched)
    TRACER = tracer = Tracer(student_file, _point_handler(sched), on_entry=_note_call)

    for name in ("sleep", "time", "monotonic", "perf_counter", "time_ns", "monotonic_ns", "perf_counter_ns"):
        setattr(time, name, getattr(vt, name))

    # The `type: ignore`s below and in _patch_thread: replacing the standard library's private
    # names and methods is what this module is for; its stubs do not list the private ones.
    for name in ("Lock", "RLock", "Semaphore", "BoundedSemaphore", "Condition", "Event"):
        setattr(threading, name, getattr(primitives, name))
    threading._time = vt.monotonic  # type: ignore[attr-defined]
    # queue.Queue builds on threading's primitives at construction; its timeouts read queue.time.
    queue.time = vt.monotonic  # type: ignore[attr-defined]
    # The C SimpleQueue blocks in C where the scheduler cannot see it; the pure one is built on
    # threading.Semaphore, so it is instrumented (ThreadPoolExecutor workers wait on it).
    queue.SimpleQueue = queue._PySimpleQueue  # type: ignore[misc, attr-defined]
    queues.install(sched)
    _keep_real_time_for_os_waits()
    _untrace_process_pools()
    gevent_support.install()  # the tutorial's monkey.patch_all() must not undo the above
    _patch_thread(sched, tracer)
    _schedule_raw_threads()
    os.register_at_fork(after_in_child=_after_fork)
    random.seed(RANDOM_SEED)
    tracer.enabled = tracing  # the main thread is traced during each run only (bootstrap._one_run)
    threading.excepthook = _record_thread_error
    return sched


_PRINT_THREAD_ERROR = threading.excepthook


def _record_thread_error(args) -> None:
    """An exception ended a thread: note it for the checks, and print it as Python would."""
    error = {
        "thread": getattr(args.thread, "name", "?"), "type": sites.shown_type(args.exc_type),
        "message": _text(args.exc_value), "stack": sites.student_traceback(args.exc_traceback),
    }
    THREAD_ERRORS.append(error)
    st = SCHED.by_thread.get(id(args.thread)) if SCHED is not None else None
    if st is not None and st.tracked and not issubclass(args.exc_type, SystemExit):
        THREAD_DEATHS.append(error)
    if not sites.print_without_the_judge(args.exc_type, args.exc_value, args.exc_traceback,
                                         header=f"Exception in thread {getattr(args.thread, 'name', '?')}:"):
        _PRINT_THREAD_ERROR(args)


def _text(value) -> str:
    try:
        return str(value)[:300]
    except Exception:  # noqa: BLE001 - a student exception whose __str__ fails
        return "<unprintable>"


def new_run(strategy: FirstComeFirstServed | None = None, recorder: Recorder | None = None) -> None:
    """Everything a fresh schedule must not inherit from the last one in this process."""
    global LAST_CALL_FRAME
    LAST_CALL_FRAME = None
    scheduler().reset(strategy, recorder)
    primitives.reset()
    SLEEP_LOG.clear()
    THREAD_ERRORS.clear()
    THREAD_DEATHS.clear()
    threading._counter = __import__("itertools").count(1).__next__  # type: ignore[attr-defined]  # Thread-1, Thread-2, ... again
    random.seed(RANDOM_SEED)


def _note_call(frame) -> None:
    """A student function the scenario called, in the main thread: remember its frame."""
    global LAST_CALL_FRAME
    if threading.get_ident() != MAIN_IDENT:
        return  # the judge's own threads may call the student thousands of times
    if frame.f_code.co_name.startswith("__"):
        return  # Counter(100) sets up a case; it is not the case (and __eq__ & co. are the judge's asking)
    LAST_CALL_FRAME = frame


def last_call() -> str | None:
    """The scenario's last call into the student's file, as code, or None."""
    frame = LAST_CALL_FRAME
    if frame is None:
        return None
    try:
        return sites.call_text(frame)
    except Exception:  # noqa: BLE001 - a report without the call rather than no report
        return None


def _point_handler(sched: Scheduler):
    """What the tracer calls before a bytecode of the student's that touches shared state."""
    def on_point(frame, kind, name):
        me = sched.current()
        if not me.tracked or me.quiet:
            return
        if kind is TICK:
            sched.tick(me, frame)
            return
        sched.point(me, kind)
        if kind is WRITE:
            sched.progressed()
        else:
            sched.polled(me)
        if sched.recorder is not None:
            sched.recorder.bytecode(me, frame, kind, name)
    return on_point


def _keep_real_time_for_os_waits() -> None:
    """multiprocessing waits on real pipes and processes: its timeouts must stay in real time."""
    import multiprocessing.connection as mpc

    mpc.time = types.SimpleNamespace(  # type: ignore[attr-defined]
        monotonic=REAL.monotonic, sleep=REAL.sleep, time=REAL.time)


def _untrace_process_pools() -> None:
    """A process pool's methods run no student code in the calling thread (tasks run in workers,
    callbacks in its plumbing threads): no points to find there, only the cost of tracing."""
    import concurrent.futures.process as cfp
    import multiprocessing.pool as mpp

    for cls, names in ((mpp.Pool, ("__init__", "apply", "apply_async", "map", "map_async", "starmap",
                                   "starmap_async", "imap", "imap_unordered", "close", "join", "terminate",
                                   "__exit__")),
                       (cfp.ProcessPoolExecutor, ("__init__", "submit", "map", "shutdown", "__exit__"))):
        for name in names:
            setattr(cls, name, primitives.untraced(getattr(cls, name)))


def _patch_thread(sched: Scheduler, tracer: Tracer) -> None:
    Thread = threading.Thread
    orig_init = Thread.__init__
    orig_start = Thread.start
    orig_bootstrap_inner = Thread._bootstrap_inner  # type: ignore[attr-defined]
    orig_join = Thread.join
    orig_is_alive = Thread.is_alive

    def __init__(self, *args, **kwargs):
        orig_init(self, *args, **kwargs)
        self._started._internal = True  # the handshake of start() is not the student's operation
        _name_after_the_students_function(self, kwargs.get("name", args[2] if len(args) > 2 else None))

    def start(self):
        if not self._initialized:
            raise RuntimeError("thread.__init__() not called")
        if self._started.is_set():
            raise RuntimeError("threads can only be started once")
        st = sched.announce_start(self, self.name, tracked=not _is_plumbing(self), handshake=self._started)
        st.target = target_name(self)
        if sched.recorder is not None and st.tracked:
            sched.recorder.started(sched.current(), self.name)
        if ON_THREAD_ANNOUNCED is not None:
            ON_THREAD_ANNOUNCED(1)
        try:
            with primitives.quiet():
                orig_start(self)
        except BaseException:
            sched.retract_start(st)  # e.g. "can't start new thread" under a thread limit
            if ON_THREAD_ANNOUNCED is not None:
                # start() fails only where the OS made no thread: the wait for the new thread's
                # handshake after it is the harness's, and nothing the student's code can interrupt.
                ON_THREAD_ANNOUNCED(-1)
            raise

    def _bootstrap_inner(self):
        if ON_THREAD_START is not None:
            ON_THREAD_START()
        st = sched.thread_begins(self)
        if st is not None and st.tracked and ON_THREAD_NAMED is not None and st.ident is not None:
            ON_THREAD_NAMED(st.ident, st.name)
        try:
            orig_bootstrap_inner(self)
        finally:
            settrace(None)  # run() has returned: what is left is bookkeeping
            if st is not None:
                sched.thread_ends(st)

    def join(self, timeout=None):
        if self is threading.current_thread() or not self._started.is_set():
            return orig_join(self, timeout)
        target = sched.by_thread.get(id(self))
        me = sched.current()
        if target is None or not me.tracked:
            return orig_join(self, timeout)
        if not me.quiet:
            sched.point(me)
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
        me = sched.current()
        if me.tracked and not me.quiet:
            sched.point(me)
            sched.polled(me)
        st = sched.by_thread.get(id(self))
        if st is not None and st.status == FINISHED:
            return False
        if st is not None and st.ident is None:
            return True  # announced, not yet scheduled
        return orig_is_alive(self)

    Thread.__init__ = primitives.untraced(__init__)  # type: ignore[method-assign]  # a subclass's own stays traced
    Thread.start = primitives.untraced(start)  # type: ignore[method-assign]
    Thread._bootstrap_inner = _bootstrap_inner  # type: ignore[attr-defined]
    Thread.join = primitives.untraced(join)  # type: ignore[method-assign]
    Thread.is_alive = primitives.untraced(is_alive)  # type: ignore[method-assign]
    # threading calls its trace hook in each new thread just before run(): the thread's own start-up
    # stays untraced, and plumbing threads turn it off at once.
    threading._trace_hook = _trace_from_run(sched, tracer)  # type: ignore[attr-defined]


def _schedule_raw_threads() -> None:
    """Threads started through `_thread` (start_new_thread, and start_joinable_thread on newer
    Pythons) become threading.Threads, so the scheduler runs them like any other: unseen, they ran
    at full speed beside the baton, their races never searched. threading's own start() keeps the
    real one (it hands over its bound _bootstrap)."""
    import _thread

    real = _thread.start_new_thread
    bootstrap = threading.Thread._bootstrap  # type: ignore[attr-defined]

    def start_new_thread(function, args, kwargs=None):
        if getattr(function, "__func__", None) is bootstrap and isinstance(getattr(function, "__self__", None),
                                                                          threading.Thread):
            return real(function, args, *(() if kwargs is None else (kwargs,)))
        if not isinstance(args, tuple):
            raise TypeError("2nd arg must be a tuple")
        thread = threading.Thread(target=function, args=args, kwargs=kwargs or {}, daemon=True)
        thread.start()
        return thread.ident

    _thread.start_new_thread = _thread.start_new = start_new_thread
    threading._start_new_thread = start_new_thread  # type: ignore[attr-defined]
    if hasattr(_thread, "start_joinable_thread"):  # 3.13: threading starts its threads with it
        real_joinable = _thread.start_joinable_thread

        def start_joinable_thread(function, handle=None, daemon=True):
            if getattr(function, "__func__", None) is bootstrap:
                return real_joinable(function, handle=handle, daemon=daemon)
            thread = threading.Thread(target=function, daemon=daemon)
            thread.start()
            return thread._handle  # type: ignore[attr-defined]

        _thread.start_joinable_thread = start_joinable_thread


def _trace_from_run(sched: Scheduler, tracer: Tracer):
    def first_call(frame, event, arg):
        me = sched.current()
        if me.tracked and sched.hold_for is not None:
            sched.point(me)  # through start(), a held thread gives way before running its target
        if not tracer.enabled or not me.tracked:
            settrace(None)
            return None
        settrace(tracer.global_trace)
        return tracer.global_trace(frame, event, arg)
    return first_call


def _after_fork() -> None:
    global ON_THREAD_START, ON_THREAD_ANNOUNCED
    ON_THREAD_START = ON_THREAD_ANNOUNCED = None  # a worker process reports nothing of its own (bootstrap._guard)
    if SCHED is not None:
        SCHED.after_fork_in_child()
        primitives.reset_after_fork()
        tracer().stop()  # a worker process's own schedule is not explored: no cost there
        random.seed(RANDOM_SEED)
        if CPUS:
            os.sched_setaffinity(0, CPUS)  # worker processes run in parallel, as the student meant
