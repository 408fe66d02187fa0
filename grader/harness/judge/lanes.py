"""Judge a plan's exercises side by side, one lane per student user, and believe a result only
when nothing beside it could have changed it.

Two judges on two cores take about half the time of one after the other. What stays apart: each
lane has its own student user, so sweeping one exercise's processes (and a student's `kill(-1)`)
never touches the other lane. What does not: the container's memory and process limits. So a result
is published only if the container hit none of its limits while that exercise ran beside another;
otherwise the exercise is judged again, alone, once every lane is done. A fork bomb in one exercise
can then cost only its own points, on every run.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Callable, Generic, Sequence, TypeVar

from .cgroup import limit_events

Job = TypeVar("Job")
User = TypeVar("User")


@dataclass
class _Run(Generic[Job]):
    job: Job
    seconds: float


def judge_in_lanes(jobs: Sequence[Job], users: Sequence[User], judge: Callable[[Job, User], dict],
                   publish: Callable[[Job, dict], None],
                   events: Callable[[], tuple] = limit_events,
                   clock: Callable[[], float] = time.monotonic) -> list[Job]:
    """judge(job, user) each job, len(users) at a time, in plan order; publish(job, result) each
    believed result as soon as it is known. Returns the jobs that were judged again alone."""
    pending = list(jobs)
    running: set[int] = set()  # ids of the jobs being judged now
    beside: set[int] = set()  # ids of jobs that ran, at some moment, while another one did
    doubtful: list[_Run] = []
    failures: list[BaseException] = []
    lock = threading.Lock()

    def lane(user: User) -> None:
        try:
            take_jobs(user)
        except BaseException as exc:  # the entry fails as it would with one lane; the other lane stops too
            with lock:
                failures.append(exc)
                pending.clear()

    def take_jobs(user: User) -> None:
        while True:
            with lock:
                if not pending:
                    return
                job = pending.pop(0)
                if running:
                    beside.update(running | {id(job)})
                running.add(id(job))
                before = events()
            start = clock()
            result, failure = None, None
            try:
                result = judge(job, user)
            except Exception as exc:  # e.g. no process left to start the judge with: the bomb beside
                failure = exc
            with lock:
                running.discard(id(job))
                after = events()
                shared = id(job) in beside
            if shared and after != before:
                doubtful.append(_Run(job, clock() - start))
            elif failure is not None:
                raise failure
            else:
                publish(job, result)

    lanes = [threading.Thread(target=lane, args=(user,), name=f"lane-{i}") for i, user in enumerate(users)]
    for thread in lanes:
        thread.start()
    for thread in lanes:
        thread.join()
    if failures:
        raise failures[0]
    # Quickest first: if the container's wall clock ends the run, it ends the longest (a bomb's) last.
    again = [run.job for run in sorted(doubtful, key=lambda run: run.seconds)]
    for job in again:
        publish(job, judge(job, users[0]))
    return again
