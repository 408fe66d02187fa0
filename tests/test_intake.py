"""Intake takes only each exercise's file, lists the rest, and refuses what it cannot trust."""

from __future__ import annotations

import os

from grader.host import intake, packs

from .conftest import ROOT

EXERCISES = packs.load_all(ROOT / "exercises")


def test_only_student_files_are_taken(tmp_path):
    (tmp_path / "race_counter.py").write_text("x = 1\n")
    for extra in ("conftest.py", "pytest.ini", "sitecustomize.py", "threading.py"):
        (tmp_path / extra).write_text("raise SystemExit\n")
    taken = intake.take(tmp_path, EXERCISES)
    assert set(taken.accepted) == {"race-counter"}
    assert taken.ignored == ["conftest.py", "pytest.ini", "sitecustomize.py", "threading.py"]
    assert set(taken.missing) == {"parallel-primes", "semaphore-handoff"}


def test_symlink_is_refused(tmp_path):
    (tmp_path / "real.py").write_text("x = 1\n")
    os.symlink(tmp_path / "real.py", tmp_path / "handoff.py")
    taken = intake.take(tmp_path, EXERCISES)
    assert taken.refused["semaphore-handoff"]["id"] == "refused_symlink"


def test_huge_file_is_refused(tmp_path):
    (tmp_path / "primes.py").write_bytes(b"#" * (intake.MAX_FILE_BYTES + 1))
    taken = intake.take(tmp_path, EXERCISES)
    assert taken.refused["parallel-primes"]["id"] == "refused_too_large"


def test_non_utf8_content_is_refused(tmp_path):
    (tmp_path / "primes.py").write_bytes(b"x = '\xff\xfe'\n")
    taken = intake.take(tmp_path, EXERCISES)
    assert taken.refused["parallel-primes"]["id"] == "not_utf8"


def test_non_utf8_file_name_is_listed_readably(tmp_path):
    (tmp_path / os.fsdecode(b"caf\xe9.py")).write_text("x = 1\n")
    taken = intake.take(tmp_path, EXERCISES)
    assert taken.ignored == ["caf\\xe9.py"]


def test_precheck_finds_syntax_errors_without_running():
    assert intake.precheck(b"import os\nos._exit(1)\n", "f.py") is None
    problem = intake.precheck(b"def f(:\n    pass\n", "f.py")
    assert problem["id"] == "syntax_error" and problem["params"]["line"] == 1
    assert intake.precheck(b"x = 1\x00\n", "f.py")["id"] == "syntax_error"


def test_refused_files_are_listed_in_the_report(tmp_path):
    from grader.host.grading import grade_submission

    (tmp_path / "real.py").write_text("x = 1\n")
    os.symlink(tmp_path / "real.py", tmp_path / "handoff.py")
    result = grade_submission(submission=tmp_path, student="s", exercises=["semaphore-handoff"])
    assert result.refused_files == [{"file": "handoff.py", "exercise": "semaphore-handoff",
                                     "message": "handoff.py is a symbolic link; submit the file itself.",
                                     "message_ref": {"id": "refused_symlink", "params": {"file": "handoff.py"}}}]
    assert result.exercises[0].status.value == "error"
