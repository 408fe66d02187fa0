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


def test_content_no_encoding_explains_is_refused_naming_both(tmp_path):
    (tmp_path / "primes.py").write_bytes(b"x = '\xff\xfe'\n")
    taken = intake.take(tmp_path, EXERCISES)
    assert taken.refused["parallel-primes"] == {"id": "not_utf8_nor_gb18030", "params": {
        "file": "primes.py", "utf8_at": 5, "gb18030_at": 5}}
    from grader.host.messages import render

    assert "not UTF-8 (byte offset 5) nor GB18030/GBK" in render(taken.refused["parallel-primes"])
    assert "既不是 UTF-8（第 5 字节处出错），也不是 GB18030/GBK" in render(taken.refused["parallel-primes"], "zh")


def test_a_gbk_file_is_read_as_gb18030_converted_line_for_line_with_a_warning(tmp_path):
    # Regression (issue 22): Chinese Windows saves GBK; it was refused as "not valid UTF-8 (byte 53)".
    source = "# -*- coding: gbk -*-\n# 计数器：加锁\nx = '线程'\n"
    (tmp_path / "race_counter.py").write_bytes(source.encode("gbk"))
    taken = intake.take(tmp_path, EXERCISES)
    assert taken.accepted["race-counter"] == source.replace("gbk", "utf-8").encode("utf-8")
    assert taken.warnings == {"race-counter": [{"id": "read_as_gb18030", "params": {"file": "race_counter.py"}}]}
    assert intake.precheck(taken.accepted["race-counter"], "race_counter.py") is None


def test_utf8_with_a_bom_and_crlf_is_taken_as_it_is(tmp_path):
    content = "\ufeff# 注释\r\nx = 1\r\n".encode()
    (tmp_path / "race_counter.py").write_bytes(content)
    taken = intake.take(tmp_path, EXERCISES)
    assert taken.accepted["race-counter"] == content and not taken.warnings
    assert intake.precheck(content, "race_counter.py") is None


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
                       ("primes.py.txt", "parallel-primes")):
        folder = tmp_path / slug
        folder.mkdir()
        (folder / name).write_text("x = 1\n")
        taken = intake.take(folder, EXERCISES)
        assert slug in taken.missing and not taken.accepted
        assert taken.near == {slug: name}


def test_a_missing_file_with_a_near_match_says_did_you_mean(tmp_path):
    from grader.host.grading import grade_submission

    (tmp_path / "handoff - 副本.py").write_text("x = 1\n")
    result = grade_submission(submission=tmp_path, student="s", exercises=["semaphore-handoff"], sandbox="local")
    (ex,) = result.exercises
    assert ex.status.value == "missing" and ex.near == "handoff - 副本.py"
    assert "did you mean to name it handoff.py?" in ex.message
    zh = grade_submission(submission=tmp_path, student="s", exercises=["semaphore-handoff"], sandbox="local",
                          lang="zh")
    assert "你是不是想把它命名为 handoff.py" in zh.exercises[0].message


def test_version_numbers_of_canvas_moodle_and_browsers():
    assert intake.version_of("pipeline.py", "pipeline.py") == 0
    assert intake.version_of("pipeline-2.py", "pipeline.py") == 2
    assert intake.version_of("pipeline (3).py", "pipeline.py") == 3
    assert intake.version_of("pipeline(4).py", "pipeline.py") == 4
    for other in ("Pipeline.py", "pipeline - 副本.py", "pipeline (x).py", "pipeline.py.txt", "my_pipeline.py"):
        assert intake.version_of(other, "pipeline.py") is None


def test_pick_version_drops_starter_copies_unless_all_are_and_takes_the_highest():
    starter = b"starter\n"
    pick = intake.pick_version
    # pipeline.py (work) and pipeline (1).py (newer work): the newer is graded
    assert pick([("a", 0, b"v1"), ("b", 1, b"v2")], starter) == ("b", ["a"], [])
    # pipeline (1).py is the starter downloaded again: the student's pipeline.py is graded
    assert pick([("a", 0, b"v1"), ("b", 1, starter)], starter) == ("a", [], ["b"])
    # every one is the starter: the highest number, as without a starter
    assert pick([("a", 0, starter), ("b", 1, starter)], starter) == ("b", ["a"], [])
    assert pick([("a", 0, b"v1"), ("b", 2, b"v3"), ("c", 1, b"v2")], None) == ("b", ["c", "a"], [])


def test_a_newer_upload_is_graded_and_the_others_named(tmp_path):
    # Regression (issue 22): Moodle names a second upload `pipeline (1).py`; the old one was graded.
    starter = next(ex for ex in EXERCISES if ex.slug == "producer-consumer").starter.read_bytes()
    (tmp_path / "pipeline.py").write_text("old = 1\n")
    (tmp_path / "pipeline (1).py").write_text("new = 1\n")
    (tmp_path / "pipeline (2).py").write_bytes(starter)
    taken = intake.take(tmp_path, EXERCISES)
    assert taken.accepted["producer-consumer"] == b"new = 1\n"
    assert taken.taken_from["producer-consumer"] == "pipeline (1).py"
    assert taken.not_graded["producer-consumer"] == ["pipeline.py", "pipeline (2).py"]
    assert taken.warnings["producer-consumer"] == [
        {"id": "older_versions_not_graded", "params": {"graded": "pipeline (1).py", "files": "pipeline.py"}},
        {"id": "starter_copies_not_graded", "params": {"graded": "pipeline (1).py", "files": "pipeline (2).py"}}]
    assert taken.ignored == ["pipeline (2).py", "pipeline.py"]


def test_an_archive_inside_the_submission_is_opened_and_one_inside_it_too(tmp_path):
    import io
    import zipfile

    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as zf:
        zf.writestr("handoff.py", "y = 2\n")
    with zipfile.ZipFile(tmp_path / "陈静作业1.zip", "w") as zf:
        zf.writestr("陈静作业1/race_counter.py", "x = 1\n")
        zf.writestr("more.zip", inner.getvalue())
    taken = intake.take(tmp_path, EXERCISES)
    assert taken.accepted["race-counter"] == b"x = 1\n"
    assert taken.taken_from["race-counter"] == "陈静作业1.zip/陈静作业1/race_counter.py"
    assert taken.accepted["semaphore-handoff"] == b"y = 2\n"
    assert taken.taken_from["semaphore-handoff"] == "陈静作业1.zip/more.zip/handoff.py"


def test_a_refused_archive_inside_is_the_reason_an_exercise_is_not_found(tmp_path):
    import zipfile

    with zipfile.ZipFile(tmp_path / "hw.zip", "w") as zf:
        zf.writestr(zipfile.ZipInfo("../race_counter.py"), "x = 1\n")
    taken = intake.take(tmp_path, [ex for ex in EXERCISES if ex.slug == "race-counter"])
    refusal = taken.refused["race-counter"]
    assert refusal["id"] == "nested_archive_refused" and refusal["params"]["file"] == "hw.zip"
    assert refusal["params"]["reason"]["id"] == "archive_unsafe_path"
    assert taken.ignored == ["hw.zip"] and not (tmp_path / "race_counter.py").exists()
