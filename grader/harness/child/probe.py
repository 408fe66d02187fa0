"""What a scenario can observe in the child: scheduler state, primitives, sleeps, child processes.

This module is the scenarios' whole public surface (a scenario receives it as `probe`), documented
call by call in docs/exercise-packs.md: packs may live outside this repository, so they use nothing
else of the harness, and the harness's other modules stay free to change. What another module
already does right is re-exported here rather than written again.

Scenarios hand back plain JSON built with these helpers; every comparison happens in the judge.
"""

from __future__ import annotations

import functools
import os
import threading
from contextlib import contextmanager

from . import install, primitives, sites
from .http_watch import HttpWatch  # noqa: F401 - scenarios use it as probe.HttpWatch
from .pool_watch import JudgeTask, PoolWatch, TaskFailed  # noqa: F401 - probe.JudgeTask, ...
from .process_order import ProcessOrder  # noqa: F401 - scenarios use it as probe.ProcessOrder
from .rendezvous_client import RendezvousCheck  # noqa: F401 - scenarios use it as probe.RendezvousCheck
from .scheduler import FINISHED, ThreadState, frames_of

_PLAIN = (int, float, str, bool, type(None))


def encode(value, depth: int = 0):
    """A JSON form of a value that a student object cannot disguise (its __eq__ never runs)."""
    if type(value) in _PLAIN:
        return value
    if depth < 4 and type(value) in (list, tuple):
        return [encode(v, depth + 1) for v in value[:100]]
    if depth < 4 and type(value) is dict:
        return {str(k): encode(v, depth + 1) for k, v in list(value.items())[:100]}
    try:
        text = object.__repr__(value)
    except Exception:  # noqa: BLE001 - object.__repr__ does not fail  # pragma: no cover
        text = "?"
    return {"__object__": sites.shown_type(type(value)), "repr": text[:200]}


def _state(thread: threading.Thread) -> ThreadState | None:
    sched = install.scheduler()
    st = sched.by_thread.get(id(thread))
    if st is None and thread.ident is not None:
        st = sched.by_ident.get(thread.ident)
    return st


# a queue's own conditions (queues.py): which of its calls a thread waiting on one is in
_QUEUE_WAITS = {"queue_empty": "get", "queue_full": "put", "queue_tasks": "join"}


def thread_state(thread: threading.Thread) -> dict:
    """Where a thread is: `status` (running, runnable, sleeping, blocked, joining, finished,
    unknown), `waiting_on` (the primitive it waits for, or None) and, when that primitive is a
    queue.Queue's own, `queue` (that queue) and `queue_wait` (`get`, `put` or `join`), else None."""
    st = _state(thread)
    if st is None:
        return {"status": "finished" if not thread.is_alive() else "unknown", "waiting_on": None,
                "queue": None, "queue_wait": None}
    prim = st.waiting_on if isinstance(st.waiting_on, primitives._Primitive) else None
    ref = getattr(prim, "_grader_queue", None)
    queue_wait = _QUEUE_WAITS.get(prim._waits_for or "") if prim is not None else None
    return {"status": st.status, "waiting_on": prim, "queue": ref() if ref is not None else None,
            "queue_wait": queue_wait}


def is_blocked_on(thread: threading.Thread, prim) -> bool:
    state = thread_state(thread)
    return state["status"] == "blocked" and state["waiting_on"] is prim


def finished(thread: threading.Thread) -> bool:
    st = _state(thread)
    return st is not None and st.status == FINISHED


def created(kind: str | None = None) -> list[dict]:
    """Primitives created from the student's file, in creation order."""
    out = []
    for p in primitives.CREATED:
        if kind is None or p.kind == kind:
            info = {"kind": p.kind, "site": p.site}
            if hasattr(p, "initial"):
                info["initial"] = p.initial
            out.append(info)
    return out


def created_objects(kind: str | None = None) -> list:
    """The primitives themselves that created() describes, in the same order (to pass to
    primitive(), thread_state() comparisons, on_release())."""
    return [p for p in primitives.CREATED if kind is None or p.kind == kind]


def primitive(prim) -> dict:
    """What a primitive has done and holds now, read without a scheduling point: `kind`, `acquires`,
    `releases`, `contended` (acquisitions that waited), `max_waiters`, `waiting` (the names of the
    threads waiting on it now), `site`; a Lock or RLock also `owner` (the name of the thread holding
    it, or None) and `count` (how many times it is held: 0 free, more than 1 for an RLock taken
    again); a Semaphore `initial` and `value`; an Event `set` and `sets` (its set() calls)."""
    info = {
        "kind": prim.kind, "acquires": prim.acquires, "releases": prim.releases,
        "contended": prim.contended, "max_waiters": prim.max_waiters, "site": prim.site,
        "waiting": prim.waiting_threads,
    }
    if hasattr(prim, "initial"):
        info.update(initial=prim.initial, value=prim.value)
    if isinstance(prim, primitives.Lock):
        info.update(owner=prim.owner, count=prim._count)
    if isinstance(prim, primitives.Event):
        info.update(set=prim._flag, sets=prim.sets)
    return info


def on_release(semaphore, callback) -> None:
    """Call `callback(semaphore)` at the moment of each release of a Semaphore (to look at shared
    state right then: what the releasing thread had written before it signalled)."""
    semaphore.on_release.append(callback)


def student_stack(runner) -> list[dict]:
    """The student's lines that a thread, or a gevent greenlet, is running now: `line`, `function`
    and `code` each, outermost first; [] when it has not started, has ended, or is not in the
    student's file."""
    if isinstance(runner, threading.Thread):
        frame = frames_of(runner.ident) if runner.ident is not None else None
    else:
        frame = getattr(runner, "gr_frame", None)
    return sites.student_stack(frame) if frame is not None else []


def student_line(runner) -> dict | None:
    """The innermost of student_stack(runner): where in the student's file it is now, or None."""
    stack = student_stack(runner)
    return stack[-1] if stack else None


def student_error(exc, tb=None) -> dict:
    """An exception of the student's code as plain data: `type` (as the student knows it), `message`
    (cut short) and `stack`, the student's lines of its traceback (`tb`, else its own)."""
    return sites.student_error(exc, tb)


def thread_target(thread: threading.Thread) -> str:
    """The name of the function a thread was started to run (kept after it ends), else its class's
    name (a Thread subclass with its own run())."""
    st = _state(thread)
    name = st.target if st is not None else install.target_name(thread)  # not started (yet)
    return name or type(thread).__name__


def started_threads() -> list[threading.Thread]:
    """Every thread started in this run, in the order start() was called (the scenario's and the
    student's; not the standard library's own helper threads)."""
    sched = install.scheduler()
    return [st.thread for st in list(sched.by_thread.values()) if st.tracked and st.thread is not None]


def greenlet_target(greenlet):
    """What a gevent Greenlet was made to run (`gevent.spawn(f, ...)`: f), or None for one made with
    nothing to run (`gevent.spawn(None)`, a bare `Greenlet()`)."""
    from gevent import Greenlet

    run = getattr(greenlet, "_run", None)
    if getattr(run, "__self__", None) is greenlet and getattr(run, "__func__", None) is Greenlet._run:
        return None  # gevent's own empty default
    return run


def run_coroutine(make_coroutine, *, observe=None) -> dict:
    """Run `make_coroutine()` on an asyncio event loop whose waits take virtual time, until it is
    done; plain data back (child/virtual_loop.py's run(): `outcome`, `value`, `error`, `waiting`,
    `pending`, `end`, and `observed`, what `observe()` returned at that instant)."""
    from . import virtual_loop  # asyncio is imported only by the scenarios that use it

    return virtual_loop.run(make_coroutine, observe=observe)


def blocking_sleeps() -> list[dict]:
    """Every time.sleep of this run made inside a running event loop (a blocking call that holds up
    every task): `at`, `seconds`, `site` (the student's line)."""
    from . import virtual_loop

    return virtual_loop.blocking_sleeps()


def sleeps(thread_name: str | None = None) -> list[dict]:
    return [s for s in install.SLEEP_LOG if thread_name is None or s["thread"] == thread_name]


def most_asleep_at_once(thread_names=None) -> int:
    """The most threads that were inside time.sleep at one virtual instant (of those named, if given)."""
    edges = []
    for s in install.SLEEP_LOG:
        if s["seconds"] > 0 and (thread_names is None or s["thread"] in thread_names):
            edges += [(s["at"], 1), (s["at"] + s["seconds"], -1)]
    most = inside = 0
    for _, step in sorted(edges, key=lambda e: (e[0], e[1])):  # an end before a start at one instant
        inside += step
        most = max(most, inside)
    return most


def thread_errors() -> list[dict]:
    """Exceptions that ended a thread of this run: thread name, type, message, the student's lines."""
    return list(install.THREAD_ERRORS)


def queue_log(q) -> list[dict]:
    """Every operation on a queue.Queue, in order: virtual time, thread, operation (get, put,
    get_nowait, empty...), outcome (`ok`, or `empty`/`full` when it raised queue.Empty/Full), and
    how many items the queue held after it."""
    return [{"at": at, "thread": thread, "op": op, "outcome": outcome, "size": size}
            for at, thread, op, outcome, size in getattr(q, "_grader_log", [])]


def run_as_main(argv: list[str]) -> dict:
    """Run the student's file as `python file.py ARGV...` would, in this process: as `__main__`,
    then Python's exit, which waits for every thread that is not a daemon (a thread that never ends
    is a deadlock of kind at_exit, with its line). Returns the exit status and the daemon threads
    still alive when the program ended (their work is cut off)."""
    import builtins
    import sys

    sched = install.scheduler()
    code, student_file = install.STUDENT_CODE, sites.STUDENT_FILE
    if code is None or student_file is None:
        raise RuntimeError("the student's module is not compiled yet (bootstrap sets install.STUDENT_CODE)")
    namespace = {"__name__": "__main__", "__file__": student_file, "__builtins__": builtins}
    saved, sys.argv = sys.argv, [student_file, *map(str, argv)]
    status = 0
    try:
        exec(code, namespace)
    except SystemExit as exc:
        status = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        sys.argv = saved
    sched.at_exit = True  # from here, nobody left to wake a thread means Python never exits
    main = threading.main_thread()
    for thread in threading.enumerate():
        if thread is not main and not thread.daemon:
            thread.join()
    daemons = [t.name for t in threading.enumerate() if t is not main and t.daemon and t.is_alive()]
    return {"exit_status": status, "daemons_cut_off": daemons}


def hold_other_threads_while_main_runs() -> None:
    """From now on, no other thread runs while the calling thread is running or sleeping; they run
    as soon as it blocks (a join, a queue's get, a lock...) or ends. So "sleep a while and hope the
    other thread is done" finds it not done, on every run, while waiting for it works."""
    sched = install.scheduler()
    sched.hold_for = sched.current()


def now() -> float:
    return install.scheduler().now


class Visits:
    """Who is inside a judge-supplied function, and when. Each call wraps its body in
    `with visits.inside(who):`, which logs its entry and its exit: virtual time, thread, and how many
    calls were inside right after. The judge reads the log with grader.harness.judge.visits.

    It refuses to run in another process (a pool's worker): nothing it logs there would come back,
    so the caller gets an exception that says so instead of a wrong verdict."""

    def __init__(self, what: str = "this function"):
        self.log: list[dict] = []
        self.what = what
        self._inside: list = []
        self._pid = os.getpid()

    @contextmanager
    def inside(self, who):
        if os.getpid() != self._pid:
            raise RuntimeError(f"the {self.what} given to your code works only in the process it was "
                               f"given in, not in process {os.getpid()}")
        self._note("enter", who)
        try:
            yield
        finally:
            self._note("leave", who)

    def _note(self, event: str, who) -> None:
        if event == "enter":
            self._inside.append(who)
        else:
            self._inside.remove(who)
        self.log.append({"event": event, "who": who, "at": now(), "inside": len(self._inside),
                         "thread": threading.current_thread().name})


class LocalOnly:
    """A judge-supplied function that only the process that got it may run (it logs into that
    process's memory). Sent to another process (a process pool's worker) it arrives as a function
    that raises, saying so: pickling it never fails, because a pickling error is raised in the
    pool's own feeder thread, and that path races with the pool's shutdown (a hang on some runs)."""

    def __init__(self, function, what: str):
        self.function, self.what = function, what

    def __call__(self, *args, **kwargs):
        return self.function(*args, **kwargs)

    def __reduce__(self):
        return (_runs_only_at_home, (self.what,))

    def __repr__(self):
        return f"<the test's {self.what}>"


def _runs_only_at_home(what: str):
    return functools.partial(_refuse, what)


def _refuse(what: str, *args, **kwargs):
    raise RuntimeError(f"the {what} given to your code works only in the process it was given in, "
                       "not in a worker process")


def join_all(threads, within: float | None = None) -> list[threading.Thread]:
    """Join every thread; with `within`, give them that many virtual seconds in all. Returns the
    threads still alive. A wait that can never end is not waited out: the scheduler reports it."""
    give_up = None if within is None else now() + within
    for t in threads:
        t.join(timeout=None if give_up is None else max(give_up - now(), 0.0))
    return [t for t in threads if t.is_alive()]


def start_and_join(threads, within: float | None = None) -> list[threading.Thread]:
    """Start every thread, then join_all(threads, within)."""
    for t in threads:
        t.start()
    return join_all(threads, within)


def max_alive() -> int:
    return install.scheduler().max_alive


# The standard library's own helper processes: they outlive a spawn or forkserver pool by design
# (one per interpreter, shared by every pool), so they are never the student's leftovers.
STDLIB_HELPERS = (b"multiprocessing.resource_tracker", b"multiprocessing.forkserver")


def live_children() -> list[int]:
    """The student's child processes of this process that are still running (zombies are already
    dead; multiprocessing's resource tracker and fork server are not the student's)."""
    if os.environ.get("GRADER_PORTABLE") or not os.path.isdir("/proc"):
        # No /proc (macOS): the processes multiprocessing started, which is what a pool's are.
        import multiprocessing

        return sorted(p.pid for p in multiprocessing.active_children() if p.pid is not None)
    me = os.getpid()
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                stat = fh.read().decode("ascii", "replace")
            with open(f"/proc/{entry}/cmdline", "rb") as fh:
                cmdline = fh.read()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2:].split()
        if len(fields) > 1 and fields[1] == str(me) and fields[0] != "Z" and not any(
                helper in cmdline for helper in STDLIB_HELPERS):
            out.append(int(entry))
    return sorted(out)


class PoolTracker:
    """Records every process pool created and how it was shut down, and keeps it referenced.

    Keeping a reference stops CPython's garbage collector from quietly terminating a pool the
    student never shut down; the verdict then comes from the calls made, which is deterministic,
    rather than from whether worker processes happen to have exited yet.
    """

    def __init__(self):
        import concurrent.futures
        import multiprocessing.pool

        self.pools: list[dict] = []
        self._keep: list = []
        tracker = self

        def wrap(cls, method, flag, when=lambda *a, **k: True):
            original = getattr(cls, method)

            def wrapper(obj, *args, **kwargs):
                record = tracker._record(obj)
                result = original(obj, *args, **kwargs)
                if record is not None and when(*args, **kwargs):
                    record[flag] = True
                return result

            setattr(cls, method, wrapper)

        for cls, kind in ((multiprocessing.pool.Pool, "Pool"),
                          (concurrent.futures.ProcessPoolExecutor, "ProcessPoolExecutor")):
            original_init = cls.__init__

            def init(obj, *args, _original=original_init, _kind=kind, **kwargs):
                _original(obj, *args, **kwargs)
                tracker._keep.append(obj)
                tracker.pools.append({"kind": _kind, "class": type(obj).__name__, "site": sites.student_site(),
                                      "id": id(obj),
                                      "closed": False, "joined": False, "terminated": False})

            # patching the standard library's pools is the point here; mypy would keep their __init__ as typed
            cls.__init__ = init  # type: ignore[method-assign, assignment]
        wrap(multiprocessing.pool.Pool, "close", "closed")
        wrap(multiprocessing.pool.Pool, "join", "joined")
        wrap(multiprocessing.pool.Pool, "terminate", "terminated")
        wrap(concurrent.futures.ProcessPoolExecutor, "shutdown", "terminated",
             when=lambda wait=True, **k: wait)

    def _record(self, obj):
        for record in self.pools:
            if record["id"] == id(obj):
                return record
        return None

    def report(self) -> list[dict]:
        out = []
        for record in self.pools:
            shut = record["terminated"] or (record["closed"] and record["joined"])
            out.append({"kind": record["kind"], "class": record["class"], "site": record["site"], "shut_down": shut,
                        "closed": record["closed"], "joined": record["joined"]})
        return out


# The probe's helpers run in the scenario's (traced) main thread but never call student code.
for _name in ("encode", "thread_state", "is_blocked_on", "finished", "created", "primitive", "sleeps",
              "live_children", "most_asleep_at_once", "thread_errors", "queue_log", "created_objects",
              "student_stack", "student_line", "thread_target", "started_threads"):
    globals()[_name] = primitives.untraced(globals()[_name])
