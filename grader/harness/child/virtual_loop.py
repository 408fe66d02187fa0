"""An asyncio event loop on the child's virtual clock, for scenarios that await the student's coroutines.

Why it is needed. A scenario must see coroutines' waits overlap in virtual time, as it sees threads'
`time.sleep`s overlap, and must never wait for real. In the child, `time.monotonic` is already virtual
(install.py), so the loop's clock, `loop.time()`, follows it; what stays real is the loop's wait: a
SelectorEventLoop asks its selector for ready descriptors with `select(timeout)`, the time to its next
timer, and a real select would sleep that long in real time while the virtual clock stands still (so the
timer would never come due). `VirtualSelector` answers that call from virtual time:

- it looks, without waiting, for descriptors ready now (the loop's self-pipe, a real socket), and
  returns them if there are any;
- when none are and the loop is alone in the child (no other tracked thread), it advances the virtual
  clock by `timeout` through the scheduler (Scheduler.sleep: no real time passes, and it is no
  `time.sleep` of the student's) and returns no events, so the loop runs the timers now due;
- when other tracked threads are alive (`run_in_executor`, `asyncio.to_thread`), it waits on an
  instrumented event, in virtual time, that `call_soon_threadsafe` sets (VirtualEventLoop's
  `_write_to_self`): those threads run meanwhile, and a wait that can never end is reported by the
  scheduler as a deadlock, like any other;
- a wait with no timeout, nothing ready and nobody else to wake the loop means every task awaits
  something that never comes: it raises `AwaitsForever` (out of `run_until_complete`) instead of
  blocking forever, and `run()` reports which tasks waited at which line of the student's file.

Blocking calls. The tutorial warns that a blocking call inside a coroutine blocks the whole program
(进行阻塞操作会阻塞掉整个程序): a `time.sleep` there holds up every task. install.VirtualTime.sleep
marks each sleep made while an event loop runs in the calling thread (`in_event_loop`, with the
student's line); `blocking_sleeps()` lists them. The selector never calls `time.sleep`, so the loop's
own waits are never among them, and a thread started by the loop (`to_thread`) has no running loop.

`run(make_coroutine)` is what a scenario calls: it runs the coroutine on a fresh virtual loop and
returns plain data (the result, or what it raised, or where it got stuck; the tasks still pending when
it returned), then cancels what is left and closes the loop.
"""

from __future__ import annotations

import asyncio
import inspect
import selectors
import sys

from . import install, primitives, probe, sites


class AwaitsForever(RuntimeError):
    """The loop has nothing ready, no timer and nobody to wake it: every task awaits for ever."""


class VirtualSelector(selectors.BaseSelector):
    """A selector whose waits take virtual time (see the module's docstring)."""

    def __init__(self):
        self._real = selectors.DefaultSelector()
        self._wake = None  # an instrumented Event, made when another thread may wake the loop

    # -- registration: the real selector's -------------------------------------------------------
    def register(self, fileobj, events, data=None):
        return self._real.register(fileobj, events, data)

    def unregister(self, fileobj):
        return self._real.unregister(fileobj)

    def modify(self, fileobj, events, data=None):
        return self._real.modify(fileobj, events, data)

    def get_key(self, fileobj):
        return self._real.get_key(fileobj)

    def get_map(self):
        return self._real.get_map()

    def close(self):
        self._real.close()

    # -- the wait ------------------------------------------------------------------------------
    @primitives.untraced
    def select(self, timeout=None):
        ready = self._real.select(0)
        if ready or (timeout is not None and timeout <= 0):
            return ready
        sched = install.scheduler()
        me = sched.current()
        others = [s for s in sched.alive_tracked() if s is not me]
        if others or sched.untracked_active or not me.tracked:
            self._wait_for_threads(timeout)
            return self._real.select(0)
        if timeout is None:
            raise AwaitsForever("every task awaits something that never comes: nothing is ready, no timer "
                                "is due, and no other thread is left to wake the event loop")
        sched.sleep(timeout)  # virtual: the clock moves on to the next timer, no real time passes
        return self._real.select(0)

    def _wait_for_threads(self, timeout) -> None:
        if self._wake is None:
            self._wake = primitives.Event()
            self._wake._internal = True  # the harness's own: no scheduling point of the student's
        self._wake.wait(timeout)
        self._wake.clear()

    def wake(self) -> None:
        """Another thread called call_soon_threadsafe: end the loop's wait."""
        if self._wake is not None:
            self._wake.set()


class VirtualEventLoop(asyncio.SelectorEventLoop):
    """asyncio's selector loop on a VirtualSelector."""

    def __init__(self):
        self._virtual_selector = VirtualSelector()
        super().__init__(self._virtual_selector)

    def _write_to_self(self):
        super()._write_to_self()  # type: ignore[misc]  # asyncio's private hook, not in its stubs
        selector = getattr(self, "_virtual_selector", None)
        if selector is not None:
            selector.wake()


class VirtualLoopPolicy(asyncio.DefaultEventLoopPolicy):
    """New loops are virtual ones: a student's own asyncio.run() or new_event_loop() waits no real time."""

    def new_event_loop(self):
        return VirtualEventLoop()


def new_event_loop() -> VirtualEventLoop:
    asyncio.set_event_loop_policy(VirtualLoopPolicy())
    return VirtualEventLoop()


def blocking_sleeps() -> list[dict]:
    """Every time.sleep of this run made while an event loop was running in the same thread: the
    virtual instant, the seconds, and the student's line."""
    return [{"at": s["at"], "seconds": s["seconds"], "site": s["site"]}
            for s in install.SLEEP_LOG if s.get("in_event_loop")]


def await_chain(coro) -> list[dict]:
    """Where a suspended coroutine waits, in the student's file: its lines, outermost first."""
    out, seen = [], 0
    while coro is not None and seen < 50:
        seen += 1
        frame = getattr(coro, "cr_frame", None) or getattr(coro, "gi_frame", None) or getattr(coro, "ag_frame", None)
        if frame is not None and frame.f_code.co_filename == sites.STUDENT_FILE:
            out.append(sites._entry(frame))
        coro = getattr(coro, "cr_await", None) or getattr(coro, "gi_yieldfrom", None)
    return out


def describe_task(task) -> dict:
    coro = task.get_coro()
    return {"coroutine": getattr(coro, "__qualname__", type(coro).__name__), "where": await_chain(coro)}


def pending_tasks(loop, but=None) -> list[dict]:
    """The loop's tasks that are not done (but `but`), in creation order, with where they wait."""
    tasks = [t for t in asyncio.all_tasks(loop) if t is not but and not t.done()]
    tasks.sort(key=_creation_order)
    return [describe_task(t) for t in tasks]


def _creation_order(task) -> int:
    name = task.get_name()  # Task-N, numbered in creation order; a renamed task goes last
    return int(name[5:]) if name.startswith("Task-") and name[5:].isdigit() else sys.maxsize


def run(make_coroutine, *, observe=None, cleanup_within: float = 60.0) -> dict:
    """Run `make_coroutine()` on a fresh virtual loop until it is done; return plain data:

    - `outcome`: "returned", "raised" (an exception came out of it), "stuck" (AwaitsForever), or
      "not_awaitable" (the call returned something that is no coroutine);
    - `value` (returned), `error` (raised: type, message, the student's lines), `waiting` (stuck: each
      task not done, with where it waits), `pending` (returned or raised: the tasks still not done);
    - `end`: the virtual instant at which it ended;
    - `observed`: what `observe()` returned right then, when it is given (the scenario's own notes as
      they were when the coroutine ended, before the clean-up below can add to them).

    Then the tasks left are cancelled and given `cleanup_within` virtual seconds to end, and the loop
    closes (what happened during the clean-up is not part of the result)."""
    loop = new_event_loop()
    asyncio.set_event_loop(loop)
    report: dict = {}
    main = None
    try:
        try:
            coro = make_coroutine()
        except Exception as exc:  # noqa: BLE001 - the student's call raised before any await
            report.update(outcome="raised", error=sites.student_error(exc), pending=[], end=install.scheduler().now)
            return report
        if not inspect.isawaitable(coro):
            report.update(outcome="not_awaitable", value=probe.encode(coro), pending=pending_tasks(loop),
                          end=install.scheduler().now)
            return report
        main = asyncio.ensure_future(coro, loop=loop)
        try:
            value = loop.run_until_complete(main)
        except AwaitsForever:
            report.update(outcome="stuck", waiting=pending_tasks(loop), end=install.scheduler().now)
        except Exception as exc:  # noqa: BLE001 - whatever the student's coroutine raised
            report.update(outcome="raised", error=sites.student_error(exc), pending=pending_tasks(loop, but=main),
                          end=install.scheduler().now)
        else:
            report.update(outcome="returned", value=probe.encode(value), pending=pending_tasks(loop, but=main),
                          end=install.scheduler().now)
        return report
    finally:
        if observe is not None:
            report["observed"] = observe()
        _clean_up(loop, cleanup_within)


def _clean_up(loop, within: float) -> None:
    try:
        left = [t for t in asyncio.all_tasks(loop) if not t.done()]
        for task in left:
            task.cancel()
        if left:
            try:
                loop.run_until_complete(asyncio.wait(left, timeout=within))
            except BaseException:  # noqa: BLE001 - stuck again, or a task that will not end: leave it
                pass
        loop.run_until_complete(loop.shutdown_asyncgens())
    except BaseException:  # noqa: BLE001 - the result is already taken
        pass
    finally:
        asyncio.set_event_loop(None)
        try:
            loop.close()
        except BaseException:  # noqa: BLE001
            pass
