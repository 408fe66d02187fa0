"""Container overhead per student: the same submission graded in the container sandbox minus the
local sandbox, per student (a benchmark, not a test: no threshold here). Target: under 0.5 s.

Students: one holding every reference solution, one holding every starter, and one holding a
typical wrong answer of each exercise (WRONG) from tests/samples. Each is graded ROUNDS times with each sandbox,
alternating, so load drifts hit both alike.
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

from grader.host import packs
from grader.host.grading import grade_submission

ROUNDS = int(os.environ.get("ROUNDS", "5"))
# One typical wrong answer per exercise; a pack missing here stops the bench with its slug.
WRONG = {"race-counter": "lock_around_write_only", "semaphore-handoff": "releases_before_storing",
         "parallel-primes": "thread_pool", "bounded-desks": "lock_instead_of_semaphore",
         "daemon-writer": "sleeps_instead_of_join", "lock-ordering": "orders_by_balance",
         "producer-consumer": "one_sentinel_for_all_consumers", "queue-drain": "while_not_empty",
         "reentrant-lock": "add_without_lock", "word-tally": "lock_per_call"}


def students(tmp: Path) -> dict[str, Path]:
    exercises = packs.load_all(ROOT / "exercises")
    made = {}
    for name, source in (("solutions", lambda ex: ROOT / "solutions" / ex.slug / ex.student_file),
                         ("starters", lambda ex: ex.starter),
                         ("wrong answers", lambda ex: ROOT / "tests" / "samples" / ex.slug / f"{WRONG[ex.slug]}.py")):
        folder = tmp / name.replace(" ", "-")
        folder.mkdir()
        for ex in exercises:
            shutil.copy(source(ex), folder / ex.student_file)
        made[name] = folder
    return made


def seconds(folder: Path, sandbox: str) -> tuple[float, tuple]:
    start = time.perf_counter()
    result = grade_submission(submission=folder, student="bench", sandbox=sandbox)
    elapsed = time.perf_counter() - start
    assert result.status.value == "graded", result.sandbox_message
    return elapsed, tuple((e.exercise, e.score) for e in result.exercises)


def main():
    grade_submission(submission=ROOT / "solutions" / "race-counter", student="warm-up", sandbox="docker",
                     exercises=["race-counter"])  # builds the image if it is missing; not measured
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, folder in students(Path(tmp)).items():
            local, docker, overhead = [], [], []
            for _ in range(ROUNDS):
                t_local, v_local = seconds(folder, "local")
                t_docker, v_docker = seconds(folder, "docker")
                assert v_local == v_docker, f"{name}: local {v_local} but docker {v_docker}"
                local.append(t_local)
                docker.append(t_docker)
                overhead.append(t_docker - t_local)
            rows.append((name, statistics.median(local), statistics.median(docker), statistics.median(overhead),
                         min(overhead), max(overhead)))
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
          f"medians of {ROUNDS} rounds; each student = {len(packs.load_all(ROOT / 'exercises'))} exercises "
          "in one container")
    print(f"{'student':<15}{'local s':>9}{'docker s':>10}{'overhead s':>12}{'min..max':>14}")
    for name, loc, doc, over, lo, hi in rows:
        print(f"{name:<15}{loc:>9.2f}{doc:>10.2f}{over:>12.2f}{f'{lo:.2f}..{hi:.2f}':>14}")


if __name__ == "__main__":
    main()
