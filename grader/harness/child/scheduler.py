"""A deterministic scheduler with a virtual clock, for the child interpreter that runs student code.

Only one *tracked* thread runs Python code at a time: it holds the baton. The baton moves only at
scheduling points, and every move is decided here, never by the OS:

- a thread gives the baton up when it sleeps, blocks on an instrumented primitive, joins, or ends;
  the next thread is picked from the runnable ones (a *dispatch*);
- at a *point* (an operation on a primitive or a queue, or a bytecode of the student's that
  touches shared state, see tracing.py) the holder may be preempted.

Each choice among two or more runnable threads is a *step*. The strategy (strategies.py) picks at
each step; the default one never preempts and dispatches first-come first-served, which is the
schedule every scenario runs first. Steps are logged (`decisions`, `widths`) so that a schedule can
be replayed exactly. Two rules hold for every strategy: a runnable thread passed over for
STARVE_LIMIT steps runs next (a spin loop starved by a strategy is not a hang), and a thread that
spins without progress (see `tick`) yields; when every runnable thread spins, that is a busy wait,
reported at once like a deadlock.

Virtual time advances only when no tracked thread can run; then every thread whose deadline is the
earliest wakes (equal deadlines wake together, in the order they went to sleep). A read-sleep-write
race therefore loses updates on every run, and no real time passes while "sleeping".

A timed wait on a primitive (`Event.wait(0.05)`, `q.get(timeout=1)`, `lock.acquire(timeout=...)`)
would therefore never run out while another thread can still run. On a real machine it may: the
others can be slower than the timeout. So its expiry is a choice too: the strategy's `expire` holds
the ordinals of the timed waits (counted from 0 in the order they begin) that run out at once, as if
the machine had stalled until its deadline: the clock jumps there, and every other sleep or timed
wait due by then ends too (CHESS treats timeouts as choices the same way). The first schedule lets
none run out early.

*Untracked* threads are the standard library's own plumbing (multiprocessing's pool handlers and
queue feeders), which block in real pipe reads: they never take the baton, and while one of them is
active the scheduler does not declare "nobody is left to wake you".
"""

from __future__ import annotations

import _thread
import itertools
import sys
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from types import FrameType
from typing import TYPE_CHECKING, Protocol, TypeAlias

from . import sites

if TYPE_CHECKING:
    from .events import Recorder

RUNNABLE = "runnable"
RUNNING = "running"
SLEEPING = "sleeping"
BLOCKED = "blocked"
JOINING = "joining"
FINISHED = "finished"

STARVE_LIMIT = 1000  # steps a runnable thread may be passed over before it runs
STEPLOG_STEPS = 5000  # a longer run's step log is cut short: the judge never foresees that run
SPIN_TICKS = 200  # loop iterations without progress before a thread's state is compared
SPIN_CONFIRM = 50  # further iterations with its state unchanged: it spins


class Waitable(Protocol):
    """What a thread parks on when it is not joining a thread: an instrumented primitive
    (primitives._Primitive implements this). The scheduler reaches a primitive only through it."""

    # The standard library's or the harness's own (a thread's start-up handshake, the virtual event
    # loop's wake-up): no scheduling points, and a wait on it is not the student's.
    _internal: bool
    # The one thread that must release it before a waiter can go on (a Lock's owner), if there is one.
    _owner_state: ThreadState | None

    def _forget_waiter(self, st: ThreadState) -> None:
        """`st` leaves its waiters without being handed the primitive (a timeout)."""


# What a parked thread waits on: a primitive, the thread it joins, or nothing (sleeping, runnable).
WaitingOn: TypeAlias = "Waitable | ThreadState | None"


class ThreadState:
    """What the scheduler knows about one thread."""

    __slots__ = (
        "order", "ident", "name", "thread", "handshake", "tracked", "status", "deadline", "waiting_on",
        "park", "timed_out", "joiners", "real_timeout", "quiet", "starved", "priority", "judge_wait",
        "epoch", "idle", "polls", "snap", "same", "spinning", "target",
    )

    def __init__(self, order: int, name: str, thread: threading.Thread | None = None, tracked: bool = True,
                 handshake: Waitable | None = None):
        self.order = order
        self.ident: int | None = None
        self.name = name
        self.thread = thread
        self.handshake = handshake  # what the thread's start() waits on until the new thread runs
        self.tracked = tracked
        self.status = RUNNABLE
        self.deadline: float | None = None
        self.waiting_on: WaitingOn = None  # a primitive, or the ThreadState being joined
        self.park = _thread.allocate_lock()
        self.park.acquire()  # held = parked; whoever wakes us releases it
        self.timed_out = False
        self.judge_wait = False  # its deadline is the judge's (a scenario's join or sleep): a stall does not count
        self.joiners: list[ThreadState] = []
        self.real_timeout = False  # an untracked thread parked with a real timeout stays "active"
        self.quiet = 0  # > 0 inside one operation (a queue method): its inner steps are not points
        self.starved = 0  # steps passed over while runnable
        self.priority = 0.0  # PCT's, set by the strategy
        # spin detection: progress epoch last seen, loop ticks since, shared reads since, state
        self.epoch = -1
        self.idle = 0
        self.polls = 0
        self.snap: tuple | None = None
        self.same = 0
        self.spinning = False
        self.target: str | None = None  # the name of the function it was started to run (install.py)

    def __repr__(self):
        return f"<ThreadState {self.name} {self.status}>"


@dataclass
class DeadlockFound:
    """What the scheduler hands the deadlock handler, which reports it and ends the child."""

    kind: str  # self, cycle, all_blocked, at_exit, busy_wait
    threads: list[ThreadState]
    culprit: ThreadState | None = None


class FirstComeFirstServed:
    """Never preempt; dispatch the longest-waiting thread. The schedule every scenario runs first."""

    final = False  # True for a replay, whose log already holds every override
    diverged = False  # set when the schedule asked for a choice that was not there
    expire: frozenset[int] = frozenset()  # ordinals of the timed waits that run out at once

    def choose(self, step: int, candidates: list[ThreadState], at_point: bool) -> int:
        return 0

    def thread_created(self, st: ThreadState) -> None:
        pass


class Scheduler:
    def __init__(self, on_deadlock: Callable[[DeadlockFound], None], strategy: FirstComeFirstServed | None = None):
        self.on_deadlock = on_deadlock
        self.mutex = _thread.allocate_lock()
        self.log_steps = False  # an exploration's runs log what each step looked like (judge/schedule_tree.py)
        self.reset(strategy)

    def reset(self, strategy: FirstComeFirstServed | None = None, recorder: Recorder | None = None) -> None:
        """Start a fresh schedule with the calling thread as the only one (the explorer's loop)."""
        self.strategy = strategy or FirstComeFirstServed()
        self.recorder = recorder  # when the interleaving is wanted
        self.now = 0.0
        self._orders = itertools.count()
        self.by_ident: dict[int, ThreadState] = {}
        self.by_thread: dict[int, ThreadState] = {}  # id(threading.Thread) -> state
        self.runq: deque[ThreadState] = deque()
        self.untracked_active = 0
        self.alive = 1  # tracked threads not finished, main included
        self.max_alive = 1  # the most alive at one moment
        self.steps = 0
        self.timed_waits = 0  # timed waits on primitives begun so far (the strategy's `expire` counts them)
        self.decisions: list[int] = []  # index chosen among the candidates, per step
        self.widths: list[int] = []  # how many candidates, per step
        self.chosen: list[int] = []  # the chosen thread's order, per step (the judge's shrinking pins threads)
        # With log_steps, what each step looked like, for the judge to foresee a seeded schedule's
        # run without running it (judge/schedule_tree.py): [the candidates' orders, at a point?, the
        # starvation override or None, the spinning candidates' indices]; and each tracked thread's
        # creation, [the steps taken before it, its order].
        self.steplog: list[list] = []
        self.created: list[list[int]] = []
        self.progress = 0  # bumped by every change of shared state: spin detection's epoch
        self.at_exit = False  # the program's main code is done: Python now waits for non-daemon threads
        self.hold_for: ThreadState | None = None  # others wait while it runs or sleeps (probe.hold_...)
        # Threads whose wait closed a cycle through a plain Lock while others could still act
        # (check_wait_for): reported when nobody is left to act, if the cycle still holds.
        self.deferred_cycles: list[ThreadState] = []
        main = ThreadState(next(self._orders), "MainThread")
        main.ident = _thread.get_ident()
        main.status = RUNNING
        self.strategy.thread_created(main)
        if self.log_steps:
            self.created.append([0, main.order])
        self.by_ident[main.ident] = main
        self.holder: ThreadState | None = main

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

    def announce_start(self, thread: threading.Thread, name: str, tracked: bool, handshake: Waitable) -> ThreadState:
        """Called by the starting thread, before the OS thread exists. `handshake` is what its
        start() then waits on until the new thread runs (the Thread's own `_started` event)."""
        st = ThreadState(next(self._orders), name, thread=thread, tracked=tracked, handshake=handshake)
        with self.mutex:
            self.by_thread[id(thread)] = st
            if tracked:
                self.strategy.thread_created(st)
                if self.log_steps:
                    self.created.append([self.steps, st.order])
                self._make_runnable(st)
                self.alive += 1
                self.max_alive = max(self.max_alive, self.alive)
            else:
                st.status = RUNNING
                self.untracked_active += 1
        return st

    def retract_start(self, st: ThreadState) -> None:
        """The OS would not start the thread: it must never be handed the baton."""
        with self.mutex:
            if st in self.runq:
                self.runq.remove(st)
            if st.tracked:
                self.alive -= 1
            else:
                self.untracked_active -= 1
            st.status = FINISHED

    def thread_begins(self, thread: threading.Thread) -> ThreadState | None:
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
            self.progress += 1
            if st.tracked:
                self.alive -= 1
            st.status = FINISHED  # kept in by_thread: is_alive() must not ask the OS mid-teardown
            if self.recorder is not None and st.tracked:
                self.recorder.finished(st)
            for j in st.joiners:
                if j.status == JOINING and j.waiting_on is st:
                    self.wake(j, timed_out=False)
            st.joiners.clear()
            if st.tracked:
                if self.holder is st:
                    self.holder = None
                    self._dispatch()
            else:
                self.untracked_active -= 1
                if self.holder is None:
                    self._dispatch()

    def leftovers(self) -> list[ThreadState]:
        """Threads other than the caller that have not finished: tracked or not."""
        me = _thread.get_ident()
        return [s for s in self.by_ident.values() if s.ident != me and s.status != FINISHED] + [
            s for s in self.by_thread.values() if s.ident is None and s.status != FINISHED]

    # ----------------------------------------------------------------- decisions
    def _choose(self, candidates: list[ThreadState], at_point: bool) -> int:
        """One step: which candidate runs next (mutex held). Logged for replay."""
        step = self.steps
        self.steps += 1
        strategy = self.strategy
        if strategy.final:  # a replay: the log already holds every override
            idx = strategy.choose(step, candidates, at_point)
        else:
            starved = self._starved(candidates)
            idx = strategy.choose(step, candidates, at_point) if starved is None else starved
            chosen = candidates[idx]
            if chosen.spinning and chosen.epoch == self.progress:
                idx = next((i for i, c in enumerate(candidates) if not _is_spinning(c, self.progress)), idx)
            if self.log_steps and step < STEPLOG_STEPS:
                self.steplog.append([[c.order for c in candidates], at_point, starved,
                                     [i for i, c in enumerate(candidates) if _is_spinning(c, self.progress)]])
        for c in candidates:
            c.starved += 1
        # The chosen one was not passed over, whether it keeps the baton at a point or is handed it:
        # were the holder counted too, it would tie with a thread waiting as long and win every tie
        # (it comes first among the candidates), and the strategy would never be asked again.
        candidates[idx].starved = 0
        self.decisions.append(idx)
        self.widths.append(len(candidates))
        self.chosen.append(candidates[idx].order)
        return idx

    @staticmethod
    def _starved(candidates: list[ThreadState]) -> int | None:
        worst, at = STARVE_LIMIT - 1, None
        for i, c in enumerate(candidates):
            if c.starved > worst:
                worst, at = c.starved, i
        return at

    def point(self, me: ThreadState, at: str = "op") -> None:
        """The holder may be preempted here (called outside the mutex, by the holder itself).
        `at` says what kind of point it is, for the recorded interleaving: read, write or op."""
        if self.holder is not me or not self.runq:
            return
        with self.mutex:
            held = self.hold_for if self._holding() else None
            if held is not None and me is not held and held in self.runq:
                self._switch(me, held)  # a held thread got here through start(): give way
                return
            runnable = self._runnable()
            if self.holder is not me or not runnable:
                return
            candidates = [me, *runnable]
            idx = self._choose(candidates, at_point=True)
            if idx == 0:
                return
            if self.recorder is not None:
                self.recorder.paused(me, at)
            self._switch(me, candidates[idx])

    def _switch(self, me: ThreadState, target: ThreadState) -> None:
        """Hand the baton from the runnable `me` to `target` and wait for it back (mutex held)."""
        self.runq.remove(target)
        me.status = RUNNABLE
        self.runq.append(me)
        self.holder = None
        self._grant(target)
        self.mutex.release()
        try:
            me.park.acquire()
        finally:
            self.mutex.acquire()

    # ----------------------------------------------------------------- spin detection
    def tick(self, me: ThreadState, frame: FrameType) -> None:
        """A loop of the student's went round once (called by the holder, outside the mutex).

        A thread that keeps going round a loop while nothing changes (no store, no operation, no
        thread woken or finished anywhere), that reads shared state on the way, and whose own local
        variables stay the same, spins: it waits for something without blocking. It yields to a
        thread that does not spin; if every runnable thread spins, that is a busy wait.
        """
        if me.epoch != self.progress:
            me.epoch, me.idle, me.polls, me.snap, me.same, me.spinning = self.progress, 0, 0, None, 0, False
            return
        me.idle += 1
        if me.idle < SPIN_TICKS or me.polls == 0:
            return
        snap = _snapshot(frame)
        if snap != me.snap:
            me.snap, me.same = snap, 0
            return
        me.same += 1
        if me.same < SPIN_CONFIRM:
            return
        me.spinning = True
        with self.mutex:
            if self.holder is not me:
                return
            others = [s for s in self._runnable() if not _is_spinning(s, self.progress)]
            if others:
                self._switch(me, others[0])
                return
            if self.untracked_active > 0:
                return  # plumbing may yet change something; the backstop ends a real hang
            spinners = [me, *self._runnable()]
            self.on_deadlock(DeadlockFound("busy_wait", spinners, culprit=me))

    def polled(self, me: ThreadState) -> None:
        """`me` read shared state (a spin loop must, to be one)."""
        me.polls += 1

    def progressed(self) -> None:
        self.progress += 1

    # ----------------------------------------------------------------- scheduling core
    def _make_runnable(self, st: ThreadState) -> None:
        st.status = RUNNABLE
        st.deadline = None
        st.waiting_on = None
        self.runq.append(st)

    def _grant(self, st: ThreadState) -> None:
        st.status = RUNNING
        st.starved = 0
        self.holder = st
        st.park.release()

    def wake(self, st: ThreadState, timed_out: bool) -> None:
        """Make a parked thread runnable (mutex held)."""
        _leave_waiters(st)
        st.timed_out = timed_out
        self.progress += 1
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

    def _holding(self) -> bool:
        """Whether threads other than `hold_for` are held back now (probe.hold_other_threads_...):
        while it runs, is runnable or sleeps. Once it waits for something (a join, a queue, a lock)
        or ends, the hold is over for good; a thread's start-up handshake does not count."""
        held = self.hold_for
        if held is None:
            return False
        if held.status in (JOINING, FINISHED) or (held.status == BLOCKED and not is_internal(held.waiting_on)):
            self.hold_for = None
            return False
        return True

    def _runnable(self) -> list[ThreadState]:
        """The runnable threads that may run now: all of the run queue, but those held back."""
        held = self.hold_for if self._holding() else None
        if held is None:
            return list(self.runq)
        if held.status == BLOCKED:  # in start(): only the thread it starts, through its start-up
            return [s for s in self.runq if s.handshake is held.waiting_on]
        return [s for s in self.runq if s is held]

    def _dispatch(self) -> None:
        """Give the free baton to someone, advance the clock, or report a deadlock (mutex held)."""
        if self.holder is not None:
            return
        if self._runnable():
            self._grant_next()
            return
        alive = self.alive_tracked()
        if not alive:
            return
        timed = [(s, s.deadline) for s in alive if s.deadline is not None]
        if timed:
            earliest = min(deadline for _, deadline in timed)
            self.now = max(self.now, earliest)
            for s, deadline in timed:  # already in start order: equal deadlines wake together, in order
                if deadline <= earliest:
                    self.wake(s, timed_out=True)
            if self.holder is None and self._runnable():
                self._grant_next()
            return
        if self.untracked_active > 0:
            return  # the standard library's plumbing may still wake someone
        found = self._deferred_deadlock()
        self.on_deadlock(found or DeadlockFound("at_exit" if self.at_exit else "all_blocked", alive))

    def _grant_next(self) -> None:
        candidates = self._runnable()
        if len(candidates) == 1:
            self.runq.remove(candidates[0])
            self._grant(candidates[0])
            return
        chosen = candidates[self._choose(candidates, at_point=False)]
        self.runq.remove(chosen)
        self._grant(chosen)

    def park(self, me: ThreadState, status: str, *, deadline: float | None = None,
             waiting_on: WaitingOn = None, real_timeout: float | None = None) -> bool:
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
                _leave_waiters(me)
                me.status, me.waiting_on, me.timed_out = RUNNING, None, True
            me.real_timeout = False
            return me.timed_out
        if self.recorder is not None and status != RUNNABLE:
            self.recorder.parked(me, status, waiting_on, None if deadline is None else deadline - self.now)
        # Only the student's timed waits run out early, and a stall never cuts the judge's own short.
        student = None
        if deadline is not None and (status == BLOCKED or self.strategy.expire):
            student = sites.student_site(2) is not None
        me.judge_wait = student is False
        if status == BLOCKED and student and deadline is not None:
            ordinal = self.timed_waits
            self.timed_waits += 1
            if ordinal in self.strategy.expire:  # runs out at once; `me` keeps the baton
                self._stall_until(deadline, me)
                _leave_waiters(me)
                me.status, me.deadline, me.waiting_on, me.timed_out = RUNNING, None, None, True
                self.progress += 1
                return True
        if status == RUNNABLE:
            self.runq.append(me)
        if self.holder is me:
            self.holder = None
        self._dispatch()
        self.mutex.release()
        me.park.acquire()
        self.mutex.acquire()
        return me.timed_out

    def _stall_until(self, deadline: float, me: ThreadState) -> None:
        """The clock jumps to `deadline`, as if the machine stalled that long: every other thread whose
        sleep or timed wait is due by then wakes, in start order, as when nobody can run (mutex held;
        the caller keeps the baton). The judge's own deadlines move with the clock: its scenario's
        `join(timeout)` measures the student's threads, and they did not run during the stall."""
        stalled = max(deadline - self.now, 0.0)
        self.now += stalled
        for s in self.alive_tracked():
            if s is me or s.deadline is None or s.status not in (SLEEPING, BLOCKED, JOINING):
                continue
            if s.judge_wait:
                s.deadline += stalled
            elif s.deadline <= self.now:
                self.wake(s, timed_out=True)

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

    def check_wait_for(self, me: ThreadState, blocker: ThreadState | None, status: str, waiting_on: WaitingOn) -> None:
        """Report at once when `me` waiting on `blocker` would close a cycle (mutex held).

        Not at once when a plain Lock is in the cycle and another thread can still act: any thread
        may release a Lock (a Lock used as a signal: acquired by the main thread, released by a
        worker), so that cycle is only a deadlock once nobody is left to act (_dispatch reports it
        then, if it still holds)."""
        cycle = _cycle(me, blocker)
        if cycle is None:
            return
        kind, threads = cycle
        if self._others_can_act(threads) and any(_releasable_by_anyone(w) for w in
                                                  [waiting_on, *(t.waiting_on for t in threads if t is not me)]):
            self.deferred_cycles.append(me)
            return
        me.status, me.waiting_on = status, waiting_on
        self.on_deadlock(DeadlockFound(kind, threads, culprit=me))

    def _others_can_act(self, cycle: list[ThreadState]) -> bool:
        """Whether a thread outside `cycle` can run now or later by itself (mutex held)."""
        if self.untracked_active > 0:
            return True
        return any(s not in cycle and (s.status in (RUNNABLE, RUNNING, SLEEPING) or s.deadline is not None)
                   for s in self.alive_tracked())

    def _deferred_deadlock(self) -> DeadlockFound | None:
        """A cycle that was deferred and that every thread left waiting still closes (mutex held)."""
        for me in self.deferred_cycles:
            if me.status in (BLOCKED, JOINING):
                cycle = _cycle(me, blocker_of(me))
                if cycle is not None:
                    return DeadlockFound(cycle[0], cycle[1], culprit=me)
        return None

    def after_fork_in_child(self) -> None:
        """Only the forking thread survives a fork: start over with it as the holder."""
        self.mutex = _thread.allocate_lock()
        self.reset()


def _cycle(me: ThreadState, blocker: ThreadState | None) -> tuple[str, list[ThreadState]] | None:
    """("self", [me]) or ("cycle", [me, ...]) when `me` waiting on `blocker` closes a cycle of waits."""
    if blocker is me:
        return "self", [me]
    seen: list[ThreadState] = []
    cur = blocker
    while cur is not None and cur not in seen:
        if cur is me:
            return "cycle", [me, *seen]
        seen.append(cur)
        cur = blocker_of(cur)
    return None


def _releasable_by_anyone(waiting_on: WaitingOn) -> bool:
    """A plain Lock: CPython lets any thread release it (an RLock only by its owner; a join by nobody)."""
    return getattr(waiting_on, "reentrant", True) is False


def _is_spinning(st: ThreadState, progress: int) -> bool:
    return st.spinning and st.epoch == progress


_PLAIN = (int, float, str, bool, bytes, type(None))


def _snapshot(frame: FrameType) -> tuple:
    """A loop frame's local variables, by value where they are plain and by identity otherwise."""
    return tuple((k, v if type(v) in _PLAIN else id(v)) for k, v in frame.f_locals.items())


def blocker_of(st: ThreadState) -> ThreadState | None:
    """The thread that must act before `st` can go on, when there is exactly one."""
    waiting_on = st.waiting_on
    if isinstance(waiting_on, ThreadState):
        return waiting_on if st.status == JOINING else None
    if st.status == BLOCKED and waiting_on is not None:
        return waiting_on._owner_state
    return None


def is_internal(waiting_on: WaitingOn) -> bool:
    """Whether a wait is on the harness's or the standard library's own primitive, not the student's."""
    if waiting_on is None or isinstance(waiting_on, ThreadState):
        return False
    return waiting_on._internal


def _leave_waiters(st: ThreadState) -> None:
    """`st` stops waiting without being handed what it waited on: the primitive forgets it. (A thread
    being joined keeps no waiters here: join() takes itself off the joiners.)"""
    waiting_on = st.waiting_on
    if waiting_on is not None and not isinstance(waiting_on, ThreadState):
        waiting_on._forget_waiter(st)


def frames_of(ident: int) -> FrameType | None:
    """The current frame of a thread, for stack reports."""
    if ident == _thread.get_ident():
        return sys._getframe(1)
    return sys._current_frames().get(ident)
