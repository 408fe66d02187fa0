"""The order a submission's exercises are judged in: the longest first.

The container judges two exercises at once, each lane taking the next exercise of the plan as it
finishes one (harness/judge/lanes.py), so the grading ends when the last exercise to start ends.
With the long exercises first and the short ones filling in at the end, neither lane idles long
(the longest-processing-time-first rule). How long an exercise takes is what this process saw in
its own last gradings of it (a worker's, a batch's): the judge's report says. An exercise not yet
seen goes first, as it may be long. Only the order changes: every exercise is judged as before, and
results and reports keep the plan's order.
"""

from __future__ import annotations

import statistics
import threading
from collections import deque
from pathlib import Path

from .judge_report import JudgeRun
from .sandboxes.base import JudgeJob

KEPT = 5  # an exercise's last judge times kept: their median, so one student's hang does not reorder


class JudgeTimes:
    """Each exercise's last judge times, in seconds (thread-safe: a worker grades several at once)."""

    def __init__(self) -> None:
        self._seconds: dict[Path, deque[float]] = {}
        self._lock = threading.Lock()

    def note(self, jobs: list[JudgeJob], runs: dict[str, JudgeRun]) -> None:
        """What each job's judge took: its session's time, or all of its time limit if it ran out."""
        for job in jobs:
            run = runs.get(job.exercise.slug)
            if run is None:
                continue
            if run.timed_out:
                seconds = run.time_limit
            else:
                duration = (run.report or {}).get("duration")
                if not isinstance(duration, (int, float)) or isinstance(duration, bool) or duration < 0:
                    continue
                seconds = float(duration)
            with self._lock:
                self._seconds.setdefault(job.exercise.root, deque(maxlen=KEPT)).append(seconds)

    def expected(self, job: JudgeJob) -> float | None:
        with self._lock:
            seen = self._seconds.get(job.exercise.root)
            return statistics.median(seen) if seen else None

    def longest_first(self, jobs: list[JudgeJob]) -> list[JudgeJob]:
        """`jobs` with the longest expected first; those never seen before all others, in plan order."""
        expected = {id(job): self.expected(job) for job in jobs}
        return sorted(jobs, key=lambda job: (expected[id(job)] is not None, -(expected[id(job)] or 0.0)))


TIMES = JudgeTimes()  # this process's
