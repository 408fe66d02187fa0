"""Judge a plan's exercises side by side, one lane per student user, and believe a result only
when nothing beside it could have changed it.

Two judges on two cores take about half the time of one after the other. What stays apart: each
lane has its own student user (so sweeping one exercise's processes, or a student's `kill(-1)`,
never touches the other lane) and its own scratch folder. What does not: the container's memory
and process limits and its /tmp and /dev/shm. So each exercise's run notes whether the container's
limit counters moved between its start and its end, and an exercise that ran beside another is
believed only if neither run saw them move. Otherwise it is judged again, alone, once every lane is
done. A fork bomb in one exercise can then cost only its own points, on every run.

A result is published only once every run that overlapped it has ended: a count that moves at the
end of a neighbour's run (a full /tmp found by its sweep) can still send it back.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from .cgroup import limit_events

Job = TypeVar("Job")
Lane = TypeVar("Lane")


@dataclass(eq=False)
class _Run:
    job: Any
    before: tuple
    started: float
    beside: list[_Run] = field(default_factory=list)  # runs that overlapped this one
    seconds: float = 0.0
    ended: bool = False
    moved: bool = False  # the limit counters moved between its start and its end
    settled: bool = False
    result: dict = field(default_factory=dict)  # judge()'s, once it returned
    failure: Exception | None = None


def judge_in_lanes(jobs: Sequence[Job], lanes: Sequence[Lane], judge: Callable[[Job, Lane], dict],
                   publish: Callable[[Job, dict], None],
                   events: Callable[[], tuple] = limit_events,
                   clock: Callable[[], float] = time.monotonic) -> list[Job]:
    """judge(job, lane) each job, len(lanes) at a time, in plan order; publish(job, result) each
    believed result. Returns the jobs that were judged again alone (quickest first)."""
    pending = list(jobs)
    running: list[_Run] = []
    ended: list[_Run] = []
    doubtful: list[_Run] = []
    failures: list[BaseException] = []
    lock = threading.Lock()

    def settle() -> None:
        """Publish or doubt every ended run whose neighbours have all ended (under the lock)."""
        for run in ended:
            if run.settled or not all(other.ended for other in run.beside):
                continue
            run.settled = True
            if run.beside and (run.moved or any(other.moved for other in run.beside)):
                doubtful.append(run)
            elif run.failure is not None:
                raise run.failure
            else:
                publish(run.job, run.result)

    def take_jobs(lane: Lane) -> None:
        while True:
            with lock:
                if not pending:
                    return
                run = _Run(pending.pop(0), before=events(), started=clock())
                for other in running:
                    other.beside.append(run)
                    run.beside.append(other)
                running.append(run)
            try:
                run.result = judge(run.job, lane)
            except Exception as exc:  # noqa: BLE001 - e.g. no process left to start the judge with: a bomb beside
                run.failure = exc
            with lock:
                run.seconds = clock() - run.started
                run.moved = events() != run.before
                run.ended = True
                running.remove(run)
                ended.append(run)
                settle()

    def lane_thread(lane: Lane) -> None:
        try:
            take_jobs(lane)
        except BaseException as exc:  # noqa: BLE001 - the entry fails as it would with one lane; the other stops too
            with lock:
                failures.append(exc)
                pending.clear()

    threads = [threading.Thread(target=lane_thread, args=(lane,), name=f"lane-{i}") for i, lane in enumerate(lanes)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]
    # Quickest first: if the container's wall clock ends the run, it ends the longest (a bomb's) last.
    again = [run.job for run in sorted(doubtful, key=lambda run: run.seconds)]
    for job in again:
        publish(job, judge(job, lanes[0]))
    return again
