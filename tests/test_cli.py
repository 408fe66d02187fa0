"""The command line: exit codes, messages, and what a report may and may not contain."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

from grader.host.packs import load_all
from grader.host.sandboxes.local import usable_bwrap

from .conftest import ROOT, run_cli


def test_list_names_every_exercise():
    proc = run_cli("list")
    assert proc.returncode == 0
    for slug in ("race-counter", "semaphore-handoff", "parallel-primes"):
        assert slug in proc.stdout


def test_list_shows_code_in_topics_as_written_and_speaks_the_teachers_language():
    # Issue 22: rich's markup ate `[x]` in word-tally's topic; `list` had no --lang.
    def listed(*args: str) -> subprocess.CompletedProcess:
        env = {**os.environ, "COLUMNS": "300"}  # one row a line, so a topic is not wrapped
        return subprocess.run([sys.executable, "-m", "grader.cli", "list", *args], capture_output=True, text=True,
                              env=env, cwd=ROOT, timeout=120)

    proc = listed()
    assert proc.returncode == 0 and "D[x] = y" in proc.stdout
    zh = listed("--lang", "zh")
    assert zh.returncode == 0 and "学生文件" in zh.stdout and "原子操作：D[x] = y 是原子操作" in zh.stdout


def test_an_option_is_never_taken_for_a_longer_one():
    # Issue 22: `--exercise` on `list` (which has only `--exercises`, the packs' folder) was taken for it.
    proc = run_cli("list", "--exercise", "race-counter")
    assert proc.returncode == 2 and "unrecognized arguments: --exercise" in proc.stderr


def test_grade_needs_a_folder(tmp_path):
    proc = run_cli("grade", str(tmp_path / "nope"), "--student", "a", "--out", str(tmp_path / "out"))
    assert proc.returncode == 2 and "is not a folder" in proc.stdout


def test_unknown_exercise_is_explained(tmp_path):
    proc = run_cli("grade", str(tmp_path), "--student", "a", "--out", str(tmp_path / "out"), "--exercise", "nope")
    assert proc.returncode == 2 and "unknown exercise nope" in proc.stdout


def test_empty_submission_is_all_missing_and_exits_0(tmp_path):
    (tmp_path / "sub").mkdir()
    proc = run_cli("grade", str(tmp_path / "sub"), "--student", "Wang Fang", "--out", str(tmp_path / "out"),
                   "--sandbox", "local")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads((tmp_path / "out" / "Wang_Fang" / "report.json").read_text(encoding="utf-8"))
    catalog = load_all(ROOT / "exercises")
    assert [e["status"] for e in report["exercises"]] == ["missing"] * len(catalog)
    assert report["score"] == 0 and report["max_score"] == sum(ex.max_score for ex in catalog)
    # Nothing ran: the note says what student code would have run in.
    note = "isolated with bubblewrap" if usable_bwrap() else "not isolation"
    assert report["sandbox"] == "local" and note in report["sandbox_note"]
    assert note in proc.stdout.replace("\n", " ")


def test_student_output_is_escaped_and_hidden_test_source_never_shown(tmp_path):
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "handoff.py").write_text('print("<script>alert(1)</script>")\nraise ValueError("<b>boom</b>")\n')
    shutil.copy(ROOT / "exercises" / "race-counter" / "race_counter.py", sub / "race_counter.py")
    proc = run_cli("grade", str(sub), "--student", "x", "--out", str(tmp_path / "out"), "--sandbox", "local")
    assert proc.returncode == 0
    html = (tmp_path / "out" / "x" / "report.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    both = html + (tmp_path / "out" / "x" / "report.json").read_text(encoding="utf-8")
    for test_file in (ROOT / "exercises").glob("*/tests/*.py"):
        for line in test_file.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if line.startswith(("def ", "expect(", "obs = ", "run = ")):
                assert line not in both, f"judge source leaked into a report: {line}"
    assert "Traceback" not in both and "test_handoff.py" not in both


def test_broken_pack_is_reported_with_file_and_key(tmp_path):
    packs_copy = tmp_path / "grader-copy"
    shutil.copytree(ROOT, packs_copy, ignore=shutil.ignore_patterns(".venv", ".git", "reports", "__pycache__"))
    yaml_path = packs_copy / "exercises" / "race-counter" / "exercise.yaml"
    yaml_path.write_text(yaml_path.read_text(encoding="utf-8") + "colour: blue\n", encoding="utf-8")
    proc = run_cli("list", cwd=packs_copy)
    # run from the copy: its own grader package finds its own exercises
    assert proc.returncode == 2
    assert "exercise.yaml: colour: unknown key" in proc.stdout


def test_an_exercise_given_twice_is_graded_once(tmp_path):
    (tmp_path / "sub").mkdir()
    proc = run_cli("grade", str(tmp_path / "sub"), "--student", "a", "--out", str(tmp_path / "out"),
                   "--sandbox", "local", "--exercise", "race-counter", "--exercise", "race-counter")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads((tmp_path / "out" / "a" / "report.json").read_text(encoding="utf-8"))
    assert [e["exercise"] for e in report["exercises"]] == ["race-counter"] and report["max_score"] == 10


def test_an_unknown_exercise_offers_the_nearest_name(tmp_path):
    proc = run_cli("grade", str(tmp_path), "--student", "a", "--out", str(tmp_path / "out"),
                   "--exercise", "semaphore-handof")
    assert proc.returncode == 2 and "did you mean semaphore-handoff?" in proc.stdout


def test_grade_with_an_assignment_reports_its_exercises_only_out_of_their_points(tmp_path):
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "primes.py").write_text("x = 1\n")  # an exercise this homework does not have: not graded
    homework = tmp_path / "assignment.yaml"
    homework.write_text("title: 作业三\nexercises:\n  - bounded-desks\n  - slug: race-counter\n    points: 25\n",
                        encoding="utf-8")
    proc = run_cli("grade", str(sub), "--student", "a", "--out", str(tmp_path / "out"), "--sandbox", "local",
                   "--assignment", str(homework), "--lang", "zh")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads((tmp_path / "out" / "a" / "report.json").read_text(encoding="utf-8"))
    got = [(e["exercise"], e["max_score"]) for e in report["exercises"]]
    assert got == [("bounded-desks", 10), ("race-counter", 25)]
    assert report["max_score"] == 35 and report["assignment"] == "作业三"
    assert report["not_assigned"] == ["primes.py"] and report["ignored_files"] == ["primes.py"]
    html = (tmp_path / "out" / "a" / "report.html").read_text(encoding="utf-8")
    assert "作业：作业三" in html and "本次作业没有这些练习" in html and "primes.py" in html


def test_a_wrong_assignment_stops_before_grading_and_says_where(tmp_path):
    homework = tmp_path / "assignment.yaml"
    homework.write_text("title: HW\nexercises: [race-counter, race-counter]\n")
    for command in (["grade", str(tmp_path), "--student", "a", "--out", str(tmp_path / "out")],
                    ["batch", str(tmp_path), "--out", str(tmp_path / "out")], ["check", str(tmp_path)],
                    ["handout", "--out", str(tmp_path / "kit.zip")], ["gradescope", "--out", str(tmp_path / "ag.zip")]):
        proc = run_cli(*command, "--assignment", str(homework))
        assert proc.returncode == 2, (command, proc.stdout + proc.stderr)
        assert f"{homework}: exercises: race-counter is listed twice" in proc.stdout.replace("\n", "")
    assert not (tmp_path / "out").exists()
    both = run_cli("grade", str(tmp_path), "--student", "a", "--out", str(tmp_path / "out"),
                   "--assignment", str(homework), "--exercise", "race-counter")
    assert both.returncode == 2 and "not allowed with" in both.stderr


def test_where_grade_would_write_is_checked_before_grading(tmp_path):
    # Issue 22: a file as --out ended in a traceback after the grading; --results-json could overwrite
    # the student's own file.
    sub = tmp_path / "sub"
    sub.mkdir()
    student = sub / "race_counter.py"
    student.write_text("x = 1\n")
    a_file = tmp_path / "a-file"
    a_file.write_text("")
    proc = run_cli("grade", str(sub), "--student", "a", "--out", str(a_file))
    assert proc.returncode == 2 and "is a file" in proc.stdout
    proc = run_cli("grade", str(sub), "--student", "a", "--out", str(tmp_path / "out"), "--results-json", str(student))
    assert proc.returncode == 2 and f"is inside {sub}" in proc.stdout
    assert student.read_text() == "x = 1\n" and not (tmp_path / "out").exists()
