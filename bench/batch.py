"""Batch grading speed (a benchmark, not a test: no threshold here).

Builds a synthetic class of STUDENTS (default 60) from the reference solutions, the starters and
the sample wrong answers (student i takes case i of each exercise, round robin), grades it with
the container sandbox and prints:
- students per minute with 1 worker and with 2 workers, and the ratio (target: at least 1.8);
- the naive method a teacher would otherwise script: one `docker run` per student and exercise,
  in sequence, each running pytest on the hidden tests, measured in the same run, and the ratio
  (target: ours at least 5 times faster);
- the time a rerun takes when nothing changed (target: under 2 s for the whole class);
- the best ratio any orchestration could reach against that naive loop on this machine. Both run the
  same judge, so the naive loop's time is its fixed cost per run (a `docker run` of pytest that only
  collects the checks, measured here) plus the judging; no batch can beat the judging spread over
  all the cores.
"""

from __future__ import annotations

import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from samples import ROOT, cases

from grader.host import docker_engine, packs
from grader.host.batch.run import grade_class
from grader.host.config import DockerSettings
from grader.host.sandboxes.container import ensure_image

STUDENTS = int(os.environ.get("STUDENTS", "60"))
SKIP_NAIVE = os.environ.get("SKIP_NAIVE") == "1"


def build_class(folder: Path) -> int:
    by_exercise: dict[str, list[Path]] = {}
    exercises = {}
    for exercise, _name, path, _want in cases():
        by_exercise.setdefault(exercise.slug, []).append(path)
        exercises[exercise.slug] = exercise
    files = 0
    for i in range(STUDENTS):
        student = folder / f"student-{i:03d}"
        student.mkdir(parents=True)
        for slug, paths in by_exercise.items():
            shutil.copy(paths[i % len(paths)], student / exercises[slug].student_file)
            files += 1
    return files


def ours(cls: Path, out: Path, workers: int) -> float:
    shutil.rmtree(out, ignore_errors=True)
    start = time.perf_counter()
    result = grade_class(submissions=cls, out_dir=out, sandbox="docker", workers=workers)
    elapsed = time.perf_counter() - start
    assert result.graded == STUDENTS and all(e.status == "graded" for e in result.entries)
    return elapsed


def naive_run(image: str, ex, student: Path, *extra: str) -> None:
    """One `docker run` of pytest on one exercise's hidden tests, as a teacher would script it."""
    subprocess.run([
        "docker", "run", "--rm", "--network", "none",
        "-v", f"{ex.tests_dir}:/tests:ro", "-v", f"{student}:/sub:ro", image,
        "python", "-m", "pytest", "/tests", "-q", "-p", "no:cacheprovider",
        "-p", "grader.harness.judge.plugin", "--student-file", f"/sub/{ex.student_file}",
        "--student-module", ex.module, "--check-backstop", str(ex.spec.check_timeout), *extra,
    ], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, timeout=ex.spec.time_limit + 30)


def naive(cls: Path, image: str) -> tuple[float, int]:
    """What a teacher scripts: for each student, for each exercise, `docker run` pytest on the tests."""
    exercises = packs.load_all(ROOT / "exercises")
    runs = 0
    start = time.perf_counter()
    for student in sorted(cls.iterdir()):
        for ex in exercises:
            naive_run(image, ex, student)
            runs += 1
    return time.perf_counter() - start, runs


def naive_fixed_cost(cls: Path, image: str, rounds: int = 3) -> float:
    """The naive loop's cost per run without judging: container start and pytest collecting the checks."""
    student = sorted(cls.iterdir())[0]
    times = []
    for _ in range(rounds):
        for ex in packs.load_all(ROOT / "exercises"):
            start = time.perf_counter()
            naive_run(image, ex, student, "--collect-only")
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    image = ensure_image(docker_engine.connect(), DockerSettings())
    with tempfile.TemporaryDirectory() as tmp:
        cls, out = Path(tmp) / "class", Path(tmp) / "out"
        files = build_class(cls)
        one = ours(cls, out, 1)
        two = ours(cls, out, 2)
        start = time.perf_counter()
        rerun = grade_class(submissions=cls, out_dir=out, sandbox="docker", workers=2)
        unchanged = time.perf_counter() - start
        assert rerun.skipped == STUDENTS
        if not SKIP_NAIVE:
            naive_seconds, runs = naive(cls, image)
            fixed = naive_fixed_cost(cls, image)
    per_min = lambda seconds: STUDENTS / seconds * 60  # noqa: E731
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
          f"{STUDENTS} students, {files} files; container sandbox, image {image}")
    print(f"  1 worker : {one:7.1f} s  {per_min(one):6.1f} students/min")
    print(f"  2 workers: {two:7.1f} s  {per_min(two):6.1f} students/min   ratio {one / two:.2f} (target >= 1.8)")
    if not SKIP_NAIVE:
        print(f"  naive docker run per student and exercise, in sequence: {naive_seconds:7.1f} s  "
              f"{per_min(naive_seconds):6.1f} students/min   ours (2 workers) is {naive_seconds / two:.2f}x faster "
              f"(target >= 5)")
        judging = naive_seconds - runs * fixed
        cores = os.cpu_count() or 1
        print(f"  naive fixed cost per run (docker run + pytest collecting the checks): {fixed:.2f} s x {runs} runs "
              f"= {runs * fixed:.1f} s; judging inside the naive loop: {judging:.1f} s")
        print(f"  best ratio any batch could reach here (the same judging on all {cores} cores, no other cost): "
              f"{naive_seconds / (judging / cores):.2f}x")
    print(f"  rerun with nothing changed: {unchanged:.2f} s (target < 2 s)")


if __name__ == "__main__":
    main()
