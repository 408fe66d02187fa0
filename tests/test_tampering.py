"""Submissions that tamper with the grader from inside their own process (issue 24), graded in both
sandboxes: each gets no points for its exercise, its exercise ends `tampered`, and the report names
what it did. The static screen marks each for the teacher's review."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from .conftest import ROOT, run_cli

TAMPERING = Path(__file__).resolve().parent / "hostile" / "tampering"


@dataclass
class Case:
    name: str  # tests/hostile/tampering/<name>.py
    exercise: str
    file: str  # the exercise's file name
    mentions: str  # in the exercise's message: what the submission did
    review: bool = True  # the static screen finds it too


CASES = [
    Case("word_tally_settrace_off", "word-tally", "tally.py", "`sys.settrace`"),
    Case("race_counter_frame_trace_off", "race-counter", "race_counter.py", "`sys._getframe`"),
    Case("race_counter_real_primitives", "race-counter", "race_counter.py", "`threading.Lock`", review=False),
    Case("race_counter_patches_harness", "race-counter", "race_counter.py", "grader.harness.child.install"),
    Case("race_counter_fake_report", "race-counter", "race_counter.py", "the grader did not write", review=False),
    # a deadlock's facts can earn the bounded-queue check its points: a deadlock result is sealed too
    Case("producer_consumer_fake_deadlock", "producer-consumer", "pipeline.py", "the grader did not write",
         review=False),
    Case("parallel_primes_code_swap", "parallel-primes", "primes.py", "__call__.__code__ = ..."),
    # in a forked worker, which has no channel of its own: before, the worker died and the pool hung
    # (a timeout), while the checks that need no pool kept their points
    Case("parallel_primes_worker_trace_off", "parallel-primes", "primes.py", "`sys.settrace`"),
    # the HTTP watch's "all quiet", forged on a connection of its own: a second reporting connection
    Case("gevent_pool_forged_quiet", "gevent-pool", "limited.py", "own watch did not write", review=False),
]


def test_every_tampering_file_has_a_case():
    assert {p.stem for p in TAMPERING.glob("*.py")} == {c.name for c in CASES}


def _grade(case: Case, sandbox: str, tmp_path: Path) -> dict:
    sub = tmp_path / "sub"
    sub.mkdir()
    shutil.copy(TAMPERING / f"{case.name}.py", sub / case.file)
    out = tmp_path / "out"
    proc = run_cli("grade", str(sub), "--student", case.name, "--out", str(out), "--exercise", case.exercise,
                   "--sandbox", sandbox)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads((out / case.name / "report.json").read_text(encoding="utf-8"))
    (result,) = report["exercises"]
    return result


def _check(case: Case, result: dict) -> None:
    assert (result["status"], result["score"]) == ("tampered", 0.0), [
        (c["name"], c["status"], c["message"]) for c in result["checks"]]
    assert all(c["score"] == 0 for c in result["checks"])
    assert case.mentions in result["message"], result["message"]
    assert bool(result["review"]) == case.review, result["review"]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_tampering_in_the_local_sandbox(case: Case, tmp_path, bwrap):
    _check(case, _grade(case, "local", tmp_path))


# Each in a container: ~10 s apiece, the same harness as the local sandbox's.
@pytest.mark.docker
@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_tampering_in_the_container(case: Case, tmp_path, docker_image):
    _check(case, _grade(case, "docker", tmp_path))


def test_a_class_shows_the_teacher_who_tampered_and_who_to_review(tmp_path, bwrap):
    """grades.csv's flags and the dashboard's "For your review": a tampered exercise (zero points), and
    a correct answer with a line the static screen finds (full marks, marked for review)."""
    import csv
    import io

    from grader.host.batch.run import grade_class

    cls = tmp_path / "class"
    for name in ("cheat", "curious", "honest"):
        (cls / name).mkdir(parents=True)
    shutil.copy(TAMPERING / "word_tally_settrace_off.py", cls / "cheat" / "tally.py")
    solution = (ROOT / "solutions" / "word-tally" / "tally.py").read_text(encoding="utf-8")
    (cls / "honest" / "tally.py").write_text(solution, encoding="utf-8")
    (cls / "curious" / "tally.py").write_text(
        solution + "\n\ndef _peek():\n    import sys\n    return sys.modules['grader.harness.child.probe']\n",
        encoding="utf-8")
    out = tmp_path / "out"
    grade_class(submissions=cls, out_dir=out, sandbox="local", workers=2, exercises=["word-tally"])
    rows = {r["student"]: r for r in csv.DictReader(io.StringIO((out / "grades.csv").read_bytes().decode("utf-8-sig")))}
    assert {s: (r["word-tally"], r["flags"]) for s, r in rows.items()} == {
        "cheat": ("0", "word-tally:tampered"), "curious": ("10", "word-tally:review"), "honest": ("10", "")}
    dashboard = (out / "index.html").read_text(encoding="utf-8")
    review = dashboard.split('<ul id="review">', 1)[1].split("</ul>", 1)[0]
    assert "cheat" in review and "curious" in review and "honest" not in review
    assert "sys.settrace" in review and "grader.harness.child.probe" in review
