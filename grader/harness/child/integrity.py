"""The harness's patches and hooks, still in place: what the student's code may not undo.

A module's attributes are set without any audit event, so the audit hook (guard.py) cannot see
`threading.Lock = _thread.allocate_lock`, `threading._trace_hook = None` or a harness module patched
through `sys.modules`. A snapshot taken once everything is installed, compared by identity when a
thread starts and after every run, finds what was replaced and names it; the tracer is checked to be
the harness's in the main thread, on, with no profiler beside it. A class's attributes (threading.Thread's
methods, queue.Queue's), which CPython 3.11 writes without an audit event either, are compared at a
run's end only: a scenario may wrap them while it runs (and puts them back).
"""

from __future__ import annotations

import _thread
import os
import queue
import sys
import threading
import time
from collections.abc import Mapping
from itertools import repeat
from operator import is_not

# Rebound on purpose during a run: not the student's doing.
_REBOUND = {("grader.harness.child.install", "LAST_CALL_FRAME")}
_STDLIB = {
    threading: ("Lock", "RLock", "Semaphore", "BoundedSemaphore", "Condition", "Event", "Thread", "_trace_hook",
                "_profile_hook", "settrace", "setprofile", "excepthook", "_time", "current_thread", "get_ident"),
    time: ("sleep", "time", "monotonic", "perf_counter", "time_ns", "monotonic_ns", "perf_counter_ns"),
    queue: ("Queue", "SimpleQueue", "time"),
    sys: ("settrace", "setprofile"),  # guard.py's, which check who calls
    _thread: ("start_new_thread", "start_new"),  # install._schedule_raw_threads's
}
_CLASSES = {threading.Thread: "threading.Thread", queue.Queue: "queue.Queue"}
_HARNESS = "grader.harness."


class Snapshot:
    """Every watched name's value when the harness finished installing, to compare by identity.

    Kept per owner as its namespace, the names and their values, so that comparing is a loop in C:
    it runs at every thread's start and every run's end, hundreds of names each time."""

    def __init__(self, classes: bool = False) -> None:
        # (shown as, the owner's namespace, names, values): a module's __dict__, a class's mappingproxy
        self.groups: list[tuple[str, Mapping[str, object], tuple[str, ...], tuple[object, ...]]] = []
        for cls, shown in _CLASSES.items() if classes else ():
            self._watch(shown, vars(cls), [n for n in vars(cls) if not n.startswith("__") or n == "__init__"])
        for module, names in _STDLIB.items():
            self._watch(module.__name__, vars(module), [n for n in names if hasattr(module, n)])
        # `del sys.modules["_thread"]; import _thread` gives the real start_new_thread back: the
        # patched modules themselves must stay the ones in sys.modules.
        self.modules = {name: mod for name, mod in sys.modules.items() if name.startswith(_HARNESS)}
        self.patched = {module.__name__: module for module in _STDLIB}  # the modules, not every name
        self.all_modules = tuple((self.modules | self.patched).items())
        for modname, module in self.modules.items():
            self._watch(modname, vars(module), [n for n in vars(module)
                                                if (modname, n) not in _REBOUND and not n.startswith("__")])

    def _watch(self, shown: str, namespace: Mapping[str, object], names: list[str]) -> None:
        self.groups.append((shown, namespace, tuple(names), tuple(namespace[n] for n in names)))

    def changed(self) -> str | None:
        """The first watched name that no longer holds its value, as `module.name`, or None."""
        for modname, module in self.all_modules:
            if sys.modules.get(modname) is not module:
                return f"sys.modules[{modname!r}]"
        for shown, namespace, names, values in self.groups:
            if any(map(is_not, map(namespace.get, names, repeat(_GONE)), values)):
                name = next(n for n, v in zip(names, values, strict=True) if namespace.get(n, _GONE) is not v)
                return f"{shown}.{name}"
        return None


_GONE = object()


def _tasks() -> set[int] | None:
    try:
        return {int(tid) for tid in os.listdir("/proc/self/task")}
    except OSError:
        return None  # no /proc (a Mac): nothing to compare


def _known() -> set[int]:
    """The OS threads behind threading's own Thread objects (not the dummies made for foreign ones),
    the calling thread (a new thread asks before threading has listed it), and the process's first
    thread (its id is the pid; a forked child's MainThread keeps the fork server's native_id)."""
    return {t.native_id for t in threading.enumerate()
            if t.native_id is not None and not isinstance(t, threading._DummyThread)} | {
        threading.get_native_id(), os.getpid()}


class Threads:
    """The kernel's list of this process's threads (/proc/self/task) against threading's: a thread the
    scheduler does not know (started from C, or through a `_thread` imported afresh) races unseen.

    Exact, with no waiting: a thread is accounted for from the moment its start() asks the OS for it
    (`announced`) until it runs its first line (`started`), and after that by its id, so a thread
    between the kernel's list and threading's is never mistaken for an unknown one however slowly
    a loaded machine runs it. (It used to ask the kernel again for up to 100 ms: under load a new
    thread could take longer than that to run, and an honest answer ended `tampered`.)"""

    def __init__(self) -> None:
        self.baseline: set[int] = set()
        # Every thread that went through threading's start: one that has left threading's list is
        # still in the kernel's for a moment.
        self.seen: set[int] = set()
        self.starting = 0  # asked of the OS, not yet at their first line
        self._lock = _thread.allocate_lock()  # the real one: these calls come from any thread

    def start(self) -> None:
        """At a run's start: the threads that are not threading's but are the harness's (faulthandler's
        watchdog). Threads seen before that are still in the kernel's list stay seen: a thread of the
        last run may leave threading's list only now."""
        tasks = _tasks()
        if tasks is None:
            return
        known = _known()
        with self._lock:
            self.seen &= tasks
            self.baseline = tasks - known - self.seen

    def announced(self, count: int) -> None:
        """A start() is about to ask the OS for a thread (1), or the OS refused it (-1)."""
        with self._lock:
            self.starting += count

    def started(self) -> None:
        """The calling thread is one of threading's (install.ON_THREAD_START runs in it)."""
        with self._lock:
            self.seen.add(threading.get_native_id())
            self.starting = max(0, self.starting - 1)

    def unknown(self) -> int:
        """How many live OS threads neither threading, the baseline, nor a start in progress accounts for."""
        unaccounted, counts = self._unaccounted()
        return max(0, len(unaccounted) - counts["starting"])

    def detail(self) -> dict:
        """What the kernel says of the threads unknown() counts, for the teacher's record: to tell a
        start the harness missed from a thread the student's code hid (a false `tampered` was seen
        twice and never reproduced; this is what would explain it)."""
        unaccounted, counts = self._unaccounted()
        return {"threads": [_kernel_state(tid) for tid in sorted(unaccounted)[:10]], **counts}

    def _unaccounted(self) -> tuple[set[int], dict]:
        """The live OS threads that neither threading, the baseline nor `seen` accounts for, and the counts."""
        tasks = _tasks()  # first: a thread listed here and started since is in `seen` below
        if tasks is None:
            return set(), {"starting": 0}
        known = _known()
        with self._lock:
            return tasks - known - self.baseline - self.seen, {
                "starting": self.starting, "seen": len(self.seen), "baseline": len(self.baseline),
                "tasks": len(tasks), "known": len(known)}


def _kernel_state(tid: int) -> str:
    """`tid state`, the state as /proc/self/task/<tid>/stat has it (R, S, D, Z...). Read here, not
    with grader/procfs.py: a child in bubblewrap sees only the harness (judge/isolation.py)."""
    try:
        with open(f"/proc/self/task/{tid}/stat", "rb") as f:
            stat = f.read().decode("ascii", "replace")
    except OSError:
        return f"{tid} gone"
    return f"{tid} {stat.rsplit(')', 1)[1].split()[0]}"


def tracer_changed(global_trace, enabled: bool) -> str | None:
    """The main thread's tracer at a run's end: the harness's (when tracing), and no profiler."""
    if sys.getprofile() is not None:
        return "sys.setprofile"
    if enabled and sys.gettrace() is not global_trace:
        return "sys.settrace"
    return None
