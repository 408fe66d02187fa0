"""The command line: exit codes, messages, and what a report may and may not contain."""

from __future__ import annotations

import json
import shutil

from grader.host.packs import load_all
from grader.host.sandboxes.local import usable_bwrap

from .conftest import ROOT, run_cli


def test_list_names_every_exercise():
    proc = run_cli("list")
    assert proc.returncode == 0
    for slug in ("race-counter", "semaphore-handoff", "parallel-primes"):
        assert slug in proc.stdout


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
