"""The whole catalog's cost (a benchmark, no threshold here).

Prints:
- one student who submits every reference solution, graded in one container (issue 11's target for
  the ten thread exercises: under 6 s on 2 cores), median of RUNS;
- every case of every pack (solution, starter, samples) graded once with the local sandbox, and the
  slowest ten, so a pack author sees which answers cost the most.

PACKS=slug,slug: only those packs' solutions (issue 11's ten: ISSUE11=1). ONLY_SOLUTIONS=1 skips
the every-case part. SANDBOX=local grades the solutions in the local sandbox instead; LANES=1 judges
one exercise at a time in the container (default: the setting judges_at_once, 2).
"""

from __future__ import annotations

import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from samples import ROOT, cases

from grader.host import packs
from grader.host.config import DockerSettings
from grader.host.grading import grade_submission
from grader.host.pack_check import grade_file
from grader.host.sandboxes.container import DockerSandbox

RUNS = int(os.environ.get("RUNS", "3"))
SANDBOX = os.environ.get("SANDBOX", "docker")
LANES = os.environ.get("LANES")
ISSUE11_TEN = ["race-counter", "semaphore-handoff", "parallel-primes", "queue-drain", "producer-consumer",
               "bounded-desks", "reentrant-lock", "lock-ordering", "daemon-writer", "word-tally"]
PACKS = ISSUE11_TEN if os.environ.get("ISSUE11") else sorted(filter(None, os.environ.get("PACKS", "").split(",")))


def all_solutions() -> None:
    exercises = [ex for ex in packs.load_all(ROOT / "exercises") if not PACKS or ex.slug in PACKS]
    times = []
    box = SANDBOX
    if SANDBOX == "docker" and LANES:
        box = DockerSandbox(DockerSettings(judges_at_once=int(LANES)))
    with tempfile.TemporaryDirectory() as tmp:
        for ex in exercises:
            shutil.copy(ex.solution, Path(tmp) / ex.student_file)
        for _ in range(RUNS):
            start = time.perf_counter()
            result = grade_submission(submission=Path(tmp), student="bench", sandbox=box,
                                      exercises=[ex.slug for ex in exercises] if PACKS else None)
            times.append(time.perf_counter() - start)
            assert result.score == result.max_score, [(e.exercise, e.score) for e in result.exercises]
    print(f"{len(exercises)} reference solutions in one submission, {SANDBOX} sandbox"
          f"{f', {LANES} lane(s)' if LANES else ''}: "
          f"{statistics.median(times):.2f} s (min {min(times):.2f}, max {max(times):.2f})")


def every_case() -> None:
    timed = []
    start_all = time.perf_counter()
    for ex, name, path, _ in cases():
        start = time.perf_counter()
        grade_file(ex, path, sandbox="local")
        timed.append((time.perf_counter() - start, f"{ex.slug}/{name}"))
    timed.sort(reverse=True)
    print(f"{len(timed)} cases, each graded once (local sandbox): {time.perf_counter() - start_all:.0f} s; slowest:")
    for seconds, name in timed[:10]:
        print(f"  {seconds:6.2f} s  {name}")


if __name__ == "__main__":
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    all_solutions()
    if not os.environ.get("ONLY_SOLUTIONS"):
        every_case()
