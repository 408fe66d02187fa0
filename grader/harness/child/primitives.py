"""Instrumented replacements for threading's Lock, RLock, Semaphore, BoundedSemaphore, Condition, Event.

They keep the standard API but live on the deterministic scheduler: a blocked thread parks and hands
over the baton, a release hands ownership straight to the longest waiter (FIFO), and every primitive
records what a check needs to observe: owner, waiters, acquire/release counts, its value, and where
in the student's file it was created.

Every operation starts with a scheduling point (`_begin`), where the scheduler may preempt the
caller, and ends by telling the scheduler whether it changed anything (spin detection) and, when
a schedule is being recorded, what it did (`_end`). Inside another operation (a queue method, the
inner steps of Condition.wait) the caller is `quiet`: its steps are not points of their own.
"""

from __future__ import annotations

import operator
import weakref
from _thread import TIMEOUT_MAX
from collections import deque
from collections.abc import Callable
from contextlib import contextmanager
from sys import gettrace, settrace
from typing import Any, TypeVar, cast

from . import scheduler as sched_mod
from .scheduler import BLOCKED, ThreadState
from .sites import student_site

_SCHED: sched_mod.Scheduler | None = None
_F = TypeVar("_F", bound=Callable[..., Any])
REGISTRY: weakref.WeakSet[_Primitive] = weakref.WeakSet()
CREATED: list[_Primitive] = []  # primitives created from the student's file, in order


def bind(scheduler: sched_mod.Scheduler) -> None:
    global _SCHED
    _SCHED = scheduler


def untraced(operation: _F) -> _F:
    """Run an operation with the calling thread's tracer off (and back on after): under CPython 3.11
    every frame of a traced thread runs about 3x slower, and the harness's own code needs no points."""
    def run(*args, **kwargs):
        trace = gettrace()
        if trace is None:
            return operation(*args, **kwargs)
        settrace(None)
        try:
            return operation(*args, **kwargs)
        finally:
            settrace(trace)

    run.__name__, run.__qualname__, run.__doc__ = operation.__name__, operation.__qualname__, operation.__doc__
    run.__wrapped__ = operation  # type: ignore[attr-defined]  # as functools.wraps sets it (which also copies __dict__)
    return cast(_F, run)


def _sched() -> sched_mod.Scheduler:
    """The child's scheduler: install.install() binds it before the student's code can make a primitive."""
    if _SCHED is None:
        raise RuntimeError("an instrumented primitive was used before install.install() bound the scheduler")
    return _SCHED


def _begin(prim: _Primitive) -> tuple[sched_mod.Scheduler, ThreadState, bool]:
    """The start of an operation: (the scheduler, the caller, whether it is a point of its own)."""
    sched = _sched()
    me = sched.current()
    if me.quiet or not me.tracked or prim._internal:
        return sched, me, False
    sched.point(me)
    return sched, me, True


def _end(sched: sched_mod.Scheduler, me: ThreadState, active: bool, changed: bool, op: str, prim: _Primitive,
         **params) -> None:
    """The end of an operation (mutex held or not): progress, and the recorded event."""
    if me.quiet:
        return  # a step of a bigger operation, which speaks for itself
    if changed:
        sched.progress += 1
    elif active:
        me.polls += 1
    if active and sched.recorder is not None:
        sched.recorder.op(me, op, {"prim": sched.recorder.prim(prim), **params})


def _virtual_deadline(sched: sched_mod.Scheduler, timeout: float | None) -> float | None:
    """None waits for ever; a timeout of zero or less expires at once, as in CPython's Semaphore,
    Event and Condition (Lock.acquire turns its -1, "for ever", into None before it waits)."""
    if timeout is None:
        return None
    return sched.now + max(timeout, 0)


def _lock_timeout(blocking, timeout) -> float | None:
    """CPython's checks on Lock/RLock.acquire's arguments, in its order: the seconds to wait, or None
    for ever. `timeout` converts as _thread's does (a float, or an integer: None is a TypeError)."""
    if isinstance(timeout, float):
        if timeout != timeout:
            raise ValueError("Invalid value NaN (not a number)")
    else:
        timeout = operator.index(timeout)
    if timeout > TIMEOUT_MAX:
        raise OverflowError("timeout value is too large")
    if not blocking and timeout != -1:
        raise ValueError("can't specify a timeout for a non-blocking call")
    if timeout < 0 and timeout != -1:
        raise ValueError("timeout value must be a non-negative number")
    return None if timeout == -1 else timeout


class _Primitive:
    """What every instrumented primitive shares; it is what the scheduler knows as a Waitable."""

    kind = "primitive"
    _internal = False  # the standard library's own (a thread's `_started`): no points
    _owner_state: ThreadState | None = None  # the thread that holds it, for those that have an owner
    _waits_for: str | None = None  # a queue's own condition: which way a waiter is stuck (queues.py)

    def __init__(self) -> None:
        self._waiters: deque[ThreadState] = deque()
        self.acquires = 0
        self.releases = 0
        self.contended = 0  # acquisitions that had to wait
        self.max_waiters = 0
        self.takers: set[int] = set()  # the threads that ever held it: one alone means it was never shared
        self.users: set[int] = set()  # those and the threads that released it (a semaphore signals)
        self.site = student_site()
        REGISTRY.add(self)
        if self.site is not None:
            CREATED.append(self)

    # the scheduler calls this when a waiter leaves by timeout
    def _forget_waiter(self, st: ThreadState) -> None:
        try:
            self._waiters.remove(st)
        except ValueError:
            pass

    def _enqueue(self, me: ThreadState) -> None:
        self._waiters.append(me)
        self.contended += 1
        self.max_waiters = max(self.max_waiters, len(self._waiters))

    def _wait(self, sched: sched_mod.Scheduler, me: ThreadState, timeout: float | None) -> bool:
        """Park `me` on this primitive (mutex held). Returns True if woken by a release."""
        self._enqueue(me)
        return self._park_enqueued(sched, me, timeout)

    def _park_enqueued(self, sched: sched_mod.Scheduler, me: ThreadState, timeout: float | None) -> bool:
        if me.tracked:
            timed_out = sched.park(me, BLOCKED, deadline=_virtual_deadline(sched, timeout), waiting_on=self)
        else:
            real = None if timeout is None else max(timeout, 0)
            timed_out = sched.park(me, BLOCKED, waiting_on=self, real_timeout=real)
        return not timed_out

    def _at_fork_reinit(self):
        self._waiters.clear()

    def describe(self) -> str:
        where = f" created at line {self.site['line']} ({self.site['code']})" if self.site else ""
        return f"{self.kind}{where}"

    @property
    def waiting_threads(self) -> list[str]:
        return [w.name for w in self._waiters]


class Lock(_Primitive):
    kind = "Lock"
    reentrant = False

    def __init__(self):
        super().__init__()
        self._owner_state = None
        self._count = 0

    def _owned_by(self, me) -> bool:
        return self._count > 0 and self._owner_state is me

    @untraced
    def acquire(self, blocking=True, timeout=-1):
        wait = _lock_timeout(blocking, timeout)
        sched, me, active = _begin(self)
        with sched.mutex:
            if self._count == 0:
                self._take(me)
                _end(sched, me, active, True, "acquired", self)
                return True
            if self.reentrant and self._owner_state is me:
                self._count += 1
                self.acquires += 1
                _end(sched, me, active, True, "acquired_again", self, depth=self._count)
                return True
            if not blocking:
                _end(sched, me, active, False, "acquire_failed", self, owner=self.owner)
                return False
            if me.tracked and wait is None:
                sched.check_wait_for(me, self._owner_state, BLOCKED, self)
            if self._wait(sched, me, wait):
                _end(sched, me, active, True, "acquired", self)
                return True  # ownership was handed to us by release()
            _end(sched, me, active, False, "acquire_timed_out", self)
            return False

    def _take(self, me):
        self._owner_state = me
        self._count = 1
        self.acquires += 1
        self.takers.add(id(me))

    @untraced
    def release(self):
        sched, me, active = _begin(self)
        with sched.mutex:
            if self._count == 0:
                raise RuntimeError("release unlocked lock")
            if self.reentrant and self._owner_state is not me:
                raise RuntimeError("cannot release un-acquired lock")
            self._count -= 1
            self.releases += 1
            self.users.add(id(me))
            _end(sched, me, active, True, "released", self)
            if self._count == 0:
                self._owner_state = None
                if self._waiters:
                    nxt = self._waiters.popleft()
                    self._take(nxt)
                    sched.wake(nxt, timed_out=False)

    __enter__ = acquire

    def __exit__(self, *exc):
        self.release()

    @untraced
    def locked(self):
        sched, me, active = _begin(self)
        _end(sched, me, active, False, "saw_locked" if self._count else "saw_unlocked", self)
        return self._count > 0

    @property
    def owner(self) -> str | None:
        owner = self._owner_state
        return owner.name if self._count and owner is not None else None

    # the protocol threading.Condition uses on its lock
    def _is_owned(self):
        return self._owned_by(_sched().current()) if self.reentrant else self._count > 0

    def _release_save(self):
        sched = _sched()
        me = sched.current()
        with sched.mutex:
            if self.reentrant and not self._owned_by(me):
                raise RuntimeError("cannot release un-acquired lock")
            count = self._count if self.reentrant else 1
        me.quiet += 1
        try:
            for _ in range(count):
                self.release()
        finally:
            me.quiet -= 1
        return count

    def _acquire_restore(self, count):
        sched = _sched()
        me = sched.current()
        me.quiet += 1
        try:
            self.acquire()
        finally:
            me.quiet -= 1
        with sched.mutex:
            self._count = count
            self.acquires += count - 1

    def _at_fork_reinit(self):
        super()._at_fork_reinit()
        self._owner_state = None
        self._count = 0

    def __repr__(self):
        # CPython's own, so that a student's print shows what it shows at home
        state = "locked" if self._count else "unlocked"
        if not self.reentrant:
            return f"<{state} _thread.lock object at {id(self):#x}>"
        owner = (self._owner_state.ident if self._count and self._owner_state is not None else None) or 0
        return f"<{state} _thread.RLock object owner={owner} count={self._count} at {id(self):#x}>"


class RLock(Lock):
    kind = "RLock"
    reentrant = True

    def _recursion_count(self):
        """How deep the calling thread holds it: multiprocessing's resource tracker asks."""
        sched = _sched()
        me = sched.current()
        with sched.mutex:
            return self._count if self._owned_by(me) else 0


class Semaphore(_Primitive):
    kind = "Semaphore"

    def __init__(self, value=1):
        if value < 0:
            raise ValueError("semaphore initial value must be >= 0")
        super().__init__()
        self.initial = value
        self._value = value
        self.on_release: list = []  # callbacks run at the moment of each release, by checks

    @property
    def value(self):
        return self._value

    @untraced
    def acquire(self, blocking=True, timeout=None):
        if not blocking and timeout is not None:
            raise ValueError("can't specify timeout for non-blocking acquire")
        sched, me, active = _begin(self)
        with sched.mutex:
            if self._value > 0:
                self._value -= 1
                self.acquires += 1
                self.takers.add(id(me))
                _end(sched, me, active, True, "sem_acquired", self, value=self._value)
                return True
            if not blocking:
                _end(sched, me, active, False, "sem_acquire_failed", self)
                return False
            if self._wait(sched, me, timeout):
                self.acquires += 1  # the releaser handed us its unit
                self.takers.add(id(me))
                _end(sched, me, active, True, "sem_acquired", self, value=self._value)
                return True
            _end(sched, me, active, False, "acquire_timed_out", self)
            return False

    __enter__ = acquire

    @untraced
    def release(self, n=1):
        if n < 1:
            raise ValueError("n must be one or more")
        sched, me, active = _begin(self)
        with sched.mutex:
            self._check_bound(n)  # all or nothing: CPython's BoundedSemaphore checks before it adds
        for hook in list(self.on_release):
            hook(self)
        with sched.mutex:
            self.users.add(id(me))
            for _ in range(n):
                self.releases += 1
                if self._waiters:
                    sched.wake(self._waiters.popleft(), timed_out=False)
                else:
                    self._value += 1
            _end(sched, me, active, True, "sem_released", self, value=self._value)

    def _check_bound(self, n):
        pass

    def __exit__(self, *exc):
        self.release()

    def __repr__(self):
        bound = f"/{self.initial}" if isinstance(self, BoundedSemaphore) else ""
        return f"<threading.{self.kind} at {id(self):#x}: value={self._value}{bound}>"


class BoundedSemaphore(Semaphore):
    kind = "BoundedSemaphore"

    def _check_bound(self, n):
        if self._value + n > self.initial:
            raise ValueError("Semaphore released too many times")


class Event(_Primitive):
    kind = "Event"

    def __init__(self):
        super().__init__()
        self._flag = False
        self.sets = 0

    @untraced
    def is_set(self):
        if self._internal:
            return self._flag  # threading's own bookkeeping asks this all the time
        sched, me, active = _begin(self)
        _end(sched, me, active, False, "saw_set" if self._flag else "saw_unset", self)
        return self._flag

    isSet = is_set

    @untraced
    def set(self):
        sched, me, active = _begin(self)
        with sched.mutex:
            self._flag = True
            self.sets += 1
            while self._waiters:
                sched.wake(self._waiters.popleft(), timed_out=False)
            _end(sched, me, active, True, "event_set", self)

    @untraced
    def clear(self):
        sched, me, active = _begin(self)
        with sched.mutex:
            self._flag = False
            _end(sched, me, active, True, "event_cleared", self)

    @untraced
    def wait(self, timeout=None):
        sched, me, active = _begin(self)
        with sched.mutex:
            if self._flag:
                _end(sched, me, active, False, "saw_set", self)
                return True
            # Woken by set() is True even when clear() came before this thread ran again, as in
            # CPython (gh-57711); a timeout is False.
            woken = self._wait(sched, me, timeout)
            _end(sched, me, active, False, "event_waited" if woken else "acquire_timed_out", self)
            return woken

    def __repr__(self):
        return f"<threading.Event at {id(self):#x}: {'set' if self._flag else 'unset'}>"


class Condition(_Primitive):
    kind = "Condition"

    def __init__(self, lock=None):
        super().__init__()
        self._lock = RLock() if lock is None else lock
        self.acquire = self._lock.acquire
        self.release = self._lock.release
        # As CPython's: the lock's own _release_save/_acquire_restore/_is_owned when it has them.
        for name in ("_release_save", "_acquire_restore", "_is_owned"):
            if hasattr(self._lock, name):
                setattr(self, name, getattr(self._lock, name))
        self.notifies = 0

    def __enter__(self):
        return self._lock.__enter__()

    def __exit__(self, *exc):
        return self._lock.__exit__(*exc)

    def _release_save(self):
        self._lock.release()

    def _acquire_restore(self, saved):
        self._lock.acquire()

    def _is_owned(self):
        if self._lock.acquire(False):
            self._lock.release()
            return False
        return True

    @untraced
    def wait(self, timeout=None):
        if not self._is_owned():
            raise RuntimeError("cannot wait on un-acquired lock")
        sched, me, active = _begin(self)
        # Enqueue before releasing the lock, as the standard library does, so that a notify
        # slipping in between (from an untracked plumbing thread) is not lost.
        with sched.mutex:
            self._enqueue(me)
        saved = self._release_save()
        try:
            with sched.mutex:
                if me in self._waiters:
                    notified = self._park_enqueued(sched, me, timeout)
                else:
                    sched.reclaim(me)  # already notified while we released the lock
                    notified = True
                _end(sched, me, active, False, "cond_woken" if notified else "acquire_timed_out", self)
                return notified
        finally:
            self._acquire_restore(saved)

    def wait_for(self, predicate, timeout=None):
        sched = _sched()
        endtime = None
        waittime = timeout
        result = predicate()
        while not result:
            if waittime is not None:
                if endtime is None:
                    endtime = sched.now + waittime
                else:
                    waittime = endtime - sched.now
                    if waittime <= 0:
                        break
            self.wait(waittime)
            result = predicate()
        return result

    @untraced
    def notify(self, n=1):
        if not self._is_owned():
            raise RuntimeError("cannot notify on un-acquired lock")
        sched, me, active = _begin(self)
        with sched.mutex:
            self.notifies += 1
            woken = min(n, len(self._waiters))
            for _ in range(woken):
                sched.wake(self._waiters.popleft(), timed_out=False)
            _end(sched, me, active, True, "notified", self, n=woken)

    def notify_all(self):
        self.notify(len(self._waiters))

    notifyAll = notify_all

    def _at_fork_reinit(self):
        super()._at_fork_reinit()
        if hasattr(self._lock, "_at_fork_reinit"):
            self._lock._at_fork_reinit()

    def __repr__(self):
        return f"<Condition({self._lock!r}, {len(self._waiters)})>"


@contextmanager
def quiet():
    """The caller's operations are steps of one bigger operation: no points of their own."""
    me = _sched().current()
    me.quiet += 1
    try:
        yield me
    finally:
        me.quiet -= 1


def instances_per_site() -> list[dict]:
    """What each creation site of the student's made in this run: how many primitives, how many of them
    were held, by how many threads the most shared one was taken or released, how many acquisitions and waits they
    saw in all, how many threads held one, and the most of them one thread held. A lock made anew on
    each call reads as many instances, none shared or waited for (judge/per_call.py words it)."""
    sites: dict[tuple, dict] = {}
    per_thread: dict[tuple, dict[int, int]] = {}
    for p in CREATED:
        site = p.site or {}
        key = (p.kind, site.get("line"), site.get("function"))
        entry = sites.setdefault(key, {"kind": p.kind, "line": site.get("line"), "function": site.get("function"),
                                       "instances": 0, "held": 0, "most_users": 0, "acquires": 0,
                                       "contended": 0})
        entry["instances"] += 1
        entry["held"] += bool(p.takers)
        entry["most_users"] = max(entry["most_users"], len(p.takers | p.users))
        entry["acquires"] += p.acquires
        entry["contended"] += p.contended
        threads = per_thread.setdefault(key, {})
        for taker in p.takers:
            threads[taker] = threads.get(taker, 0) + 1
    for key, entry in sites.items():
        entry["threads"] = len(per_thread[key])
        entry["most_per_thread"] = max(per_thread[key].values(), default=0)
    return list(sites.values())


def reset() -> None:
    """A fresh schedule in the same process: forget the primitives of the last one."""
    REGISTRY.clear()
    CREATED.clear()


def reset_after_fork() -> None:
    """Waiters from threads that did not survive a fork would swallow releases: forget them."""
    for prim in list(REGISTRY):
        prim._waiters.clear()
