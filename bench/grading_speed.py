"""How long grading takes with the local sandbox (a benchmark, not a test: no threshold here).

Prints:
- the time to grade one submission holding every reference solution, and one holding the first three
  packs' (race-counter, semaphore-handoff, parallel-primes: target under 2 s, from issue 9);
- the time from start to verdict for the producer that never releases (target: under 2 s),
  for the whole exercise and for the one scenario that deadlocks.
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

from samples import ROOT

from grader.harness.judge.child_runner import run_scenario
from grader.host import packs
from grader.host.grading import grade_submission

RUNS = int(os.environ.get("RUNS", "5"))
FIRST_THREE = ["race-counter", "semaphore-handoff", "parallel-primes"]


def timed(fn, runs=RUNS):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return times, result


def main():
    exercises = packs.load_all(ROOT / "exercises")
    with tempfile.TemporaryDirectory() as tmp:
        for ex in exercises:
            shutil.copy(ROOT / "solutions" / ex.slug / ex.student_file, Path(tmp) / ex.student_file)
        times, result = timed(lambda: grade_submission(submission=Path(tmp), student="bench", sandbox="local"))
        assert result.score == result.max_score, "a reference solution did not get full marks"
        three_times, three = timed(lambda: grade_submission(submission=Path(tmp), student="bench", sandbox="local",
                                                            exercises=FIRST_THREE))
        assert three.score == three.max_score, "a reference solution did not get full marks"

    handoff = next(ex for ex in exercises if ex.slug == "semaphore-handoff")
    sample = ROOT / "tests" / "samples" / "semaphore-handoff" / "producer_never_releases.py"
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy(sample, Path(tmp) / handoff.student_file)
        dl_times, dl = timed(lambda: grade_submission(submission=Path(tmp), student="bench",
                                                      exercises=["semaphore-handoff"], sandbox="local"))
    assert dl.exercises[0].checks[0].status.value == "deadlock"
    source = (handoff.tests_dir / "scenarios.py").read_text(encoding="utf-8")
    sc_times, outcome = timed(lambda: run_scenario(
        student_file=sample, module="handoff", scenario_source=source, function="run_values",
        kwargs={"values": [42], "repeats": 1}, backstop=handoff.spec.check_timeout))
    assert outcome.status == "deadlock"

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{platform.platform()}")
    print(f"runs per measurement: {RUNS} (median, min, max in seconds)")

    def row(label, ts):
        print(f"  {label:<58} {statistics.median(ts):6.2f} {min(ts):6.2f} {max(ts):6.2f}")

    row(f"grade all {len(exercises)} reference solutions in one submission", times)
    row("grade the first three packs' reference solutions (< 2 s)", three_times)
    row("producer never releases: whole exercise graded", dl_times)
    row("producer never releases: start to deadlock verdict (< 2 s)", sc_times)


if __name__ == "__main__":
    main()
