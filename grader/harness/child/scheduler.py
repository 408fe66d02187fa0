"""A deterministic scheduler with a virtual clock, for the child interpreter that runs student code.

Only one *tracked* thread runs Python code at a time: it holds the baton. The baton moves only at
scheduling points (sleeping, blocking on an instrumented primitive, joining, finishing, sleep(0)),
always to the longest-waiting runnable thread, so an interleaving depends on the program and never
on the OS. Virtual time advances only when no tracked thread can run; then every thread whose
deadline is the earliest wakes (equal deadlines wake together, in the order they went to sleep).

A read-sleep-write race therefore loses updates on every run, a locked version never does, and no
real time passes while "sleeping".

*Untracked* threads are the standard library's own plumbing (multiprocessing's pool handlers and
queue feeders), which block in real pipe reads: they never take the baton, and while one of them is
active the scheduler does not declare "nobody is left to wake you".
"""

from __future__ import annotations

import _thread
import itertools
import sys
from collections import deque
from dataclasses import dataclass
from typing import Callable

RUNNABLE = "runnable"
RUNNING = "running"
SLEEPING = "sleeping"
BLOCKED = "blocked"
JOINING = "joining"
FINISHED = "finished"


class ThreadState:
    """What the scheduler knows about one thread."""

    __slots__ = (
        "order", "ident", "name", "thread", "tracked", "status", "deadline", "waiting_on",
        "park", "timed_out", "joiners", "real_timeout",
    )

    def __init__(self, order: int, name: str, thread=None, tracked: bool = True):
        self.order = order
        self.ident: int | None = None
        self.name = name
        self.thread = thread
        self.tracked = tracked
        self.status = RUNNABLE
        self.deadline: float | None = None
        self.waiting_on = None  # a primitive, or the ThreadState being joined
        self.park = _thread.allocate_lock()
        self.park.acquire()  # held = parked; whoever wakes us releases it
        self.timed_out = False
        self.joiners: list[ThreadState] = []
        self.real_timeout = False  # an untracked thread parked with a real timeout stays "active"

    def __repr__(self):
        return f"<ThreadState {self.name} {self.status}>"


@dataclass
class DeadlockFound:
    """What the scheduler hands the deadlock handler, which reports it and ends the child."""

    kind: str  # self, cycle, all_blocked
    threads: list[ThreadState]
    culprit: ThreadState | None = None


class Scheduler:
    def __init__(self, on_deadlock: Callable[[DeadlockFound], None]):
        self.mutex = _thread.allocate_lock()
        self.now = 0.0
        self.on_deadlock = on_deadlock
        self._orders = itertools.count()
        self.by_ident: dict[int, ThreadState] = {}
        self.by_thread: dict[int, ThreadState] = {}  # id(threading.Thread) -> state
        self.runq: deque[ThreadState] = deque()
        self.holder: ThreadState | None = None
        self.untracked_active = 0
        self.max_alive = 1  # most tracked threads alive (not finished) at one moment, main included
        main = ThreadState(next(self._orders), "MainThread")
        main.ident = _thread.get_ident()
        main.status = RUNNING
        self.by_ident[main.ident] = main
        self.holder = main

    # ----------------------------------------------------------------- thread bookkeeping
    def current(self) -> ThreadState:
        """The caller's state; a thread we never saw start is untracked plumbing."""
        ident = _thread.get_ident()
        st = self.by_ident.get(ident)
        if st is None:
            st = ThreadState(next(self._orders), f"thread-{ident}", tracked=False)
            st.ident = ident
            st.status = RUNNING
            with self.mutex:
                self.by_ident[ident] = st
                # Its end is never seen, so it keeps "nobody left to wake you" from firing:
                # fail safe (the backstop still ends a real hang).
                self.untracked_active += 1
        return st

    def alive_tracked(self) -> list[ThreadState]:
        return sorted(
            (s for s in self.by_ident.values() if s.tracked and s.status != FINISHED),
            key=lambda s: s.order,
        )

    def announce_start(self, thread, name: str, tracked: bool) -> ThreadState:
        """Called by the starting thread, before the OS thread exists."""
        st = ThreadState(next(self._orders), name, thread=thread, tracked=tracked)
        with self.mutex:
            self.by_thread[id(thread)] = st
            if tracked:
                self._make_runnable(st)
                self.max_alive = max(self.max_alive, len(self.alive_tracked()) + 1)
            else:
                st.status = RUNNING
                self.untracked_active += 1
        return st

    def retract_start(self, st: ThreadState) -> None:
        """The OS would not start the thread: it must never be handed the baton."""
        with self.mutex:
            if st in self.runq:
                self.runq.remove(st)
            if not st.tracked:
                self.untracked_active -= 1
            st.status = FINISHED

    def thread_begins(self, thread) -> ThreadState | None:
        """First thing a new OS thread does: bind its ident and, if tracked, wait for the baton."""
        with self.mutex:
            st = self.by_thread.get(id(thread))
            if st is None:
                return None
            st.ident = _thread.get_ident()
            self.by_ident[st.ident] = st
        if st.tracked:
            st.park.acquire()  # released when the baton is granted
        return st

    def thread_ends(self, st: ThreadState) -> None:
        with self.mutex:
            st.status = FINISHED  # kept in by_thread: is_alive() must not ask the OS mid-teardown
            for j in st.joiners:
                if j.status == JOINING and j.waiting_on is st:
                    self._wake(j, timed_out=False)
            st.joiners.clear()
            if st.tracked:
                if self.holder is st:
                    self.holder = None
                    self._dispatch()
            else:
                self.untracked_active -= 1
                if self.holder is None:
                    self._dispatch()

    # ----------------------------------------------------------------- scheduling core
    def _make_runnable(self, st: ThreadState) -> None:
        st.status = RUNNABLE
        st.deadline = None
        st.waiting_on = None
        self.runq.append(st)

    def _grant(self, st: ThreadState) -> None:
        st.status = RUNNING
        self.holder = st
        st.park.release()

    def _wake(self, st: ThreadState, timed_out: bool) -> None:
        """Make a parked thread runnable (mutex held)."""
        prim = st.waiting_on
        if prim is not None and hasattr(prim, "_forget_waiter"):
            prim._forget_waiter(st)
        st.timed_out = timed_out
        if not st.tracked:
            if not st.real_timeout:
                self.untracked_active += 1
            st.status = RUNNING
            st.deadline = None
            st.waiting_on = None
            st.park.release()
            return
        self._make_runnable(st)
        if self.holder is None:
            self._dispatch()

    def _dispatch(self) -> None:
        """Give the free baton to someone, advance the clock, or report a deadlock (mutex held)."""
        if self.holder is not None:
            return
        if self.runq:
            self._grant(self.runq.popleft())
            return
        alive = self.alive_tracked()
        if not alive:
            return
        timed = [s for s in alive if s.deadline is not None]
        if timed:
            earliest = min(s.deadline for s in timed)
            self.now = max(self.now, earliest)
            for s in timed:  # already in start order: equal deadlines wake together, in order
                if s.deadline <= earliest:
                    self._wake(s, timed_out=True)
            if self.holder is None and self.runq:
                self._grant(self.runq.popleft())
            return
        if self.untracked_active > 0:
            return  # the standard library's plumbing may still wake someone
        self.on_deadlock(DeadlockFound("all_blocked", alive))

    def park(self, me: ThreadState, status: str, *, deadline: float | None = None,
             waiting_on=None, real_timeout: float | None = None) -> bool:
        """Give up the baton and wait to be woken. Mutex held on entry and on return.

        Returns True when woken by a timeout (virtual for tracked threads, real otherwise).
        """
        me.status = status
        me.deadline = deadline
        me.waiting_on = waiting_on
        me.timed_out = False
        if not me.tracked:
            me.real_timeout = real_timeout is not None
            if not me.real_timeout:
                self.untracked_active -= 1
                if self.holder is None:
                    self._dispatch()
            self.mutex.release()
            got = me.park.acquire(True, -1 if real_timeout is None else max(real_timeout, 0))
            self.mutex.acquire()
            if not got:  # real timeout: nobody released us
                if me.waiting_on is not None and hasattr(me.waiting_on, "_forget_waiter"):
                    me.waiting_on._forget_waiter(me)
                me.status, me.waiting_on, me.timed_out = RUNNING, None, True
            me.real_timeout = False
            return me.timed_out
        if status == RUNNABLE:
            self.runq.append(me)
        if self.holder is me:
            self.holder = None
        self._dispatch()
        self.mutex.release()
        me.park.acquire()
        self.mutex.acquire()
        return me.timed_out

    def reclaim(self, me: ThreadState) -> None:
        """Undo a wake-up that reached `me` before it parked (mutex held)."""
        if me.tracked:
            if me in self.runq:
                self.runq.remove(me)
            me.status = RUNNING
        else:
            me.park.acquire(False)
            self.untracked_active -= 1
            me.status = RUNNING

    def sleep(self, seconds: float) -> None:
        me = self.current()
        with self.mutex:
            if seconds <= 0:
                self.park(me, RUNNABLE)  # a yield: back of the queue, same instant
            else:
                self.park(me, SLEEPING, deadline=self.now + seconds)

    def check_wait_for(self, me: ThreadState, blocker: ThreadState | None, status: str, waiting_on) -> None:
        """Report at once when `me` waiting on `blocker` would close a cycle (mutex held)."""
        if blocker is me:
            me.status, me.waiting_on = status, waiting_on
            self.on_deadlock(DeadlockFound("self", [me], culprit=me))
            return
        seen = []
        cur = blocker
        while cur is not None and cur not in seen:
            if cur is me:
                me.status, me.waiting_on = status, waiting_on
                self.on_deadlock(DeadlockFound("cycle", [me, *seen], culprit=me))
                return
            seen.append(cur)
            cur = blocker_of(cur)

    def after_fork_in_child(self) -> None:
        """Only the forking thread survives a fork: start over with it as the holder."""
        self.mutex = _thread.allocate_lock()
        me = ThreadState(next(self._orders), "MainThread")
        me.ident = _thread.get_ident()
        me.status = RUNNING
        self.by_ident = {me.ident: me}
        self.by_thread = {}
        self.runq = deque()
        self.holder = me
        self.untracked_active = 0


def blocker_of(st: ThreadState) -> ThreadState | None:
    """The thread that must act before `st` can go on, when there is exactly one."""
    if st.status == JOINING and isinstance(st.waiting_on, ThreadState):
        return st.waiting_on
    if st.status == BLOCKED and st.waiting_on is not None:
        owner = getattr(st.waiting_on, "_owner_state", None)
        return owner
    return None


def frames_of(ident: int):
    """The current frame of a thread, for stack reports."""
    if ident == _thread.get_ident():
        return sys._getframe(1)
    return sys._current_frames().get(ident)
