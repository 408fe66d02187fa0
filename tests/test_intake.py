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
    assert set(taken.missing) == {ex.slug for ex in EXERCISES} - {"race-counter"}


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


def test_a_file_found_once_at_any_depth_is_taken_and_said_where(tmp_path):
    # Regression: `Homework 3/src/race_counter.py` (plus a README) was "no race_counter.py".
    nested = tmp_path / "Homework 3" / "src"
    nested.mkdir(parents=True)
    (nested / "race_counter.py").write_text("x = 1\n")
    (tmp_path / "Homework 3" / "README.md").write_text("my notes")
    (tmp_path / "__MACOSX" / "Homework 3" / "src").mkdir(parents=True)
    (tmp_path / "__MACOSX" / "Homework 3" / "src" / "race_counter.py").write_text("AppleDouble")
    taken = intake.take(tmp_path, EXERCISES)
    assert taken.accepted["race-counter"] == b"x = 1\n"
    assert taken.taken_from == {"race-counter": "Homework 3/src/race_counter.py"}
    assert taken.ignored == ["Homework 3/README.md"]


def test_a_file_found_in_two_places_is_refused_with_the_paths(tmp_path):
    for folder in ("v1", "final"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "handoff.py").write_text("x = 1\n")
    taken = intake.take(tmp_path, EXERCISES)
    assert "semaphore-handoff" not in taken.accepted
    assert taken.refused["semaphore-handoff"] == {"id": "refused_ambiguous", "params": {
        "file": "handoff.py", "paths": "final/handoff.py, v1/handoff.py"}}


def test_an_lms_resubmission_suffix_counts_and_the_highest_wins(tmp_path):
    # Canvas renames resubmissions race_counter-1.py, race_counter-2.py...
    (tmp_path / "race_counter.py").write_text("first = 1\n")
    (tmp_path / "race_counter-1.py").write_text("second = 1\n")
    (tmp_path / "race_counter-2.py").write_text("third = 1\n")
    (tmp_path / "primes-1.py").write_text("only = 1\n")
    taken = intake.take(tmp_path, EXERCISES)
    assert taken.accepted["race-counter"] == b"third = 1\n"
    assert taken.accepted["parallel-primes"] == b"only = 1\n"
    assert taken.taken_from == {"race-counter": "race_counter-2.py", "parallel-primes": "primes-1.py"}


def test_a_near_name_is_not_graded_but_named(tmp_path):
    for name, slug in (("handoff - 副本.py", "semaphore-handoff"), ("Race_Counter.py", "race-counter"),
                       ("primes (1).py", "parallel-primes")):
        folder = tmp_path / slug
        folder.mkdir()
        (folder / name).write_text("x = 1\n")
        taken = intake.take(folder, EXERCISES)
        assert slug in taken.missing and not taken.accepted
        assert taken.near == {slug: name}


def test_a_missing_file_with_a_near_match_says_did_you_mean(tmp_path):
    from grader.host.grading import grade_submission

    (tmp_path / "handoff (1).py").write_text("x = 1\n")
    result = grade_submission(submission=tmp_path, student="s", exercises=["semaphore-handoff"], sandbox="local")
    (ex,) = result.exercises
    assert ex.status.value == "missing" and ex.near == "handoff (1).py"
    assert "did you mean to name it handoff.py?" in ex.message
    zh = grade_submission(submission=tmp_path, student="s", exercises=["semaphore-handoff"], sandbox="local",
                          lang="zh")
    assert "你是不是想把它命名为 handoff.py" in zh.exercises[0].message
