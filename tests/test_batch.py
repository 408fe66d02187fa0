"""Batch grading of a class: intake layouts, outputs, resume, and kill -9 in the middle."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tarfile
import time
import zipfile
from pathlib import Path

import pytest

from grader.host.batch.roster import ClassInputError, discover
from grader.host.batch.run import grade_class
from grader.host.packs import load_all

from .conftest import ROOT

SOLUTIONS = ROOT / "solutions"
CATALOG = load_all(ROOT / "exercises")
FULL = sum(ex.max_score for ex in CATALOG)  # alice submits every reference solution
SAMPLES = ROOT / "tests" / "samples"
LMS_FILE = "Li Lei_12345_assignsubmission_file_race_counter.py"


def make_class(folder: Path) -> Path:
    """alice/ (all solutions), bob.zip (the race-counter starter), an LMS-style file for Li Lei,
    evil.tar (path traversal: refused), and a stray notes.txt."""
    folder.mkdir(parents=True)
    (folder / "alice").mkdir()
    for f in SOLUTIONS.glob("*/*.py"):
        shutil.copy(f, folder / "alice")
    with zipfile.ZipFile(folder / "bob.zip", "w") as zf:
        zf.write(ROOT / "exercises" / "race-counter" / "race_counter.py", "bob/race_counter.py")
    shutil.copy(SAMPLES / "race-counter" / "lock_per_call.py", folder / LMS_FILE)
    with tarfile.open(folder / "evil.tar", "w") as tar:
        info = tarfile.TarInfo("../race_counter.py")
        info.size = 1
        tar.addfile(info, io.BytesIO(b"x"))
    (folder / "notes.txt").write_text("not a submission")
    return folder


def test_roster_reads_folders_archives_and_lms_prefixes(tmp_path):
    cls = make_class(tmp_path / "class")
    staging = tmp_path / "staging"
    staging.mkdir()
    roster = discover(cls, staging, ["race_counter.py", "handoff.py", "primes.py"])
    by_name = {s.student: s for s in roster.submissions}
    assert set(by_name) == {"alice", "bob", "evil", "Li Lei"}
    assert (by_name["bob"].folder / "race_counter.py").is_file()  # bob.zip -> bob/ unwrapped
    assert (by_name["Li Lei"].folder / "race_counter.py").is_file()
    assert by_name["evil"].refused["id"] == "archive_unsafe_path"
    assert roster.ignored == ["notes.txt"]


def test_lms_names_hold_for_archives_and_folders_and_resubmissions_keep_their_number(tmp_path):
    # Regressions: a Moodle zip kept its whole prefix as the name; Canvas's `-1` file was ignored.
    cls = tmp_path / "class"
    cls.mkdir()
    with zipfile.ZipFile(cls / "Zhang San_67890_assignsubmission_file_作业3.zip", "w") as zf:
        zf.write(ROOT / "exercises" / "race-counter" / "race_counter.py", "race_counter.py")
    (cls / "Wang Wu_13579_assignsubmission_file_").mkdir()
    shutil.copy(SOLUTIONS / "race-counter" / "race_counter.py", cls / "Wang Wu_13579_assignsubmission_file_")
    shutil.copy(SOLUTIONS / "race-counter" / "race_counter.py", cls / "lilei_12345_67890_race_counter.py")
    shutil.copy(SAMPLES / "race-counter" / "lock_per_call.py", cls / "lilei_12345_67891_race_counter-1.py")
    staging = tmp_path / "staging"
    staging.mkdir()
    roster = discover(cls, staging, ["race_counter.py", "handoff.py", "primes.py"])
    by_name = {s.student: s for s in roster.submissions}
    assert set(by_name) == {"Zhang San", "Wang Wu", "lilei"}
    files = sorted(p.name for p in by_name["lilei"].folder.iterdir())
    assert files == ["race_counter-1.py", "race_counter.py"]


def test_a_nested_class_archive_is_unwrapped(tmp_path):
    cls = make_class(tmp_path / "class")
    archive = tmp_path / "class.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(cls, arcname="period-3")
    staging = tmp_path / "staging"
    staging.mkdir()
    roster = discover(archive, staging, ["race_counter.py"])
    assert {s.student for s in roster.submissions} == {"alice", "bob", "evil", "Li Lei"}


def test_names_that_clash_get_distinct_folders(tmp_path):
    cls = tmp_path / "class"
    for name in ("Wang Fang", "Wang_Fang"):
        (cls / name).mkdir(parents=True)
    staging = tmp_path / "staging"
    staging.mkdir()
    roster = discover(cls, staging, [])
    assert sorted(s.out_name for s in roster.submissions) == ["Wang_Fang", "Wang_Fang-2"]


@pytest.mark.slow  # a class of students graded twice in full: ~45 s
def test_batch_grades_everyone_and_reruns_only_what_changed(tmp_path):
    cls = make_class(tmp_path / "class")
    out = tmp_path / "out"
    first = grade_class(submissions=cls, out_dir=out, sandbox="local", workers=2)
    got = {e.student: (e.status, e.score) for e in first.entries}
    assert got == {"alice": ("graded", FULL), "bob": ("graded", 4.0), "evil": ("error", 0.0),
                   "Li Lei": ("graded", 4.0)}
    assert first.graded == 4 and first.ignored == ["notes.txt"]
    evil = json.loads((out / "evil" / "report.json").read_text(encoding="utf-8"))
    assert "outside its folder" in evil["exercises"][0]["message"]

    rows = list(csv.DictReader(io.StringIO((out / "grades.csv").read_bytes().decode("utf-8-sig"))))
    assert [r["student"] for r in rows] == ["alice", "bob", "evil", "Li Lei"]
    assert rows[0]["total"] == f"{FULL:g}" and rows[1]["race-counter"] == "4"
    assert rows[3]["report"] == "Li_Lei/report.html"
    gradescope = json.loads((out / "alice" / "results.json").read_text(encoding="utf-8"))
    assert gradescope["score"] == FULL and len(gradescope["tests"]) == sum(len(ex.spec.checks) for ex in CATALOG)
    assert set(gradescope["tests"][0]) == {"name", "score", "max_score", "status", "output", "visibility"}
    html = (out / "index.html").read_text(encoding="utf-8")
    for folder in ("alice", "bob", "evil", "Li_Lei"):
        assert f'href="{folder}/report.html"' in html

    again = grade_class(submissions=cls, out_dir=out, sandbox="local", workers=2)
    assert again.graded == 0 and again.skipped == 4
    assert {e.student: e.score for e in again.entries} == {k: v[1] for k, v in got.items()}

    with zipfile.ZipFile(cls / "bob.zip", "w") as zf:
        zf.write(SOLUTIONS / "race-counter" / "race_counter.py", "race_counter.py")
    changed = grade_class(submissions=cls, out_dir=out, sandbox="local", workers=2)
    assert [e.student for e in changed.entries if not e.skipped] == ["bob"]
    assert next(e for e in changed.entries if e.student == "bob").score == 10.0

    forced = grade_class(submissions=cls, out_dir=out, sandbox="local", workers=2, force=True)
    assert forced.graded == 4


def test_reports_and_dashboard_in_chinese(tmp_path):
    cls = tmp_path / "class"
    (cls / "李雷").mkdir(parents=True)
    shutil.copy(ROOT / "exercises" / "race-counter" / "race_counter.py", cls / "李雷")
    out = tmp_path / "out"
    grade_class(submissions=cls, out_dir=out, sandbox="local", workers=1, lang="zh")
    report = (out / "李雷" / "report.html").read_text(encoding="utf-8")
    assert 'lang="zh-CN"' in report and "使用本地沙箱评分" in report and "缺失" in report
    data = json.loads((out / "李雷" / "report.json").read_text(encoding="utf-8"))
    missing = next(e for e in data["exercises"] if e["exercise"] == "semaphore-handoff")
    assert missing["message"] == "你的提交中没有 handoff.py，所以这道练习没有评分。"
    assert "班级成绩" in (out / "index.html").read_text(encoding="utf-8")


def test_a_change_of_language_renders_again_without_judging(tmp_path):
    # Regression: `--lang zh` into an English output skipped everyone and kept English reports.
    cls = tmp_path / "class"
    (cls / "李雷").mkdir(parents=True)
    shutil.copy(ROOT / "exercises" / "race-counter" / "race_counter.py", cls / "李雷")
    out = tmp_path / "out"
    grade_class(submissions=cls, out_dir=out, sandbox="local", workers=1, lang="en")
    before = json.loads((out / "李雷" / "report.json").read_text(encoding="utf-8"))
    assert before["lang"] == "en"

    import grader.host.grading as grading_module

    def no_judging(*args, **kwargs):
        raise AssertionError("a change of language must not judge again")

    original = grading_module.run_sandbox
    grading_module.run_sandbox = no_judging
    try:
        again = grade_class(submissions=cls, out_dir=out, sandbox="local", workers=1, lang="zh")
    finally:
        grading_module.run_sandbox = original
    assert again.graded == 0 and again.skipped == 1 and again.entries[0].rerendered
    after = json.loads((out / "李雷" / "report.json").read_text(encoding="utf-8"))
    assert after["lang"] == "zh" and after["score"] == before["score"]
    missing = next(e for e in after["exercises"] if e["exercise"] == "semaphore-handoff")
    assert missing["message"] == "你的提交中没有 handoff.py，所以这道练习没有评分。"
    failed = next(c for e in after["exercises"] for c in e["checks"] if c["status"] == "failed" and c["message"])
    english = next(c for e in before["exercises"] for c in e["checks"] if c["name"] == failed["name"])
    assert failed["message"] != english["message"] and "丢失" in failed["message"]  # the pack's own words
    assert failed["description"] != english["description"]
    assert 'lang="zh-CN"' in (out / "李雷" / "report.html").read_text(encoding="utf-8")
    assert "班级成绩" in (out / "index.html").read_text(encoding="utf-8")
    third = grade_class(submissions=cls, out_dir=out, sandbox="local", workers=1, lang="zh")
    assert not third.entries[0].rerendered  # nothing changed this time


def test_missing_files_have_their_own_column_and_the_counts_agree(tmp_path):
    cls = tmp_path / "class"
    (cls / "ann").mkdir(parents=True)
    shutil.copy(SOLUTIONS / "race-counter" / "race_counter.py", cls / "ann")
    shutil.copy(SOLUTIONS / "semaphore-handoff" / "handoff.py", cls / "ann" / "handoff - 副本.py")
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "grader.cli", "batch", str(cls), "--out", str(out),
                           "--sandbox", "local", "--workers", "1"], capture_output=True, text=True, cwd=ROOT,
                          timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "0 with errors or timeouts, 1 with a missing file" in proc.stdout
    html = (out / "index.html").read_text(encoding="utf-8")
    assert "did you mean handoff - 副本.py?" in html
    missing = html.split('id="missing"', 1)[1].split("</ul>", 1)[0]
    assert "ann" in missing and "did you mean to name it handoff.py?" in missing
    problems = html.split("Errors and timeouts", 1)[1]
    assert "ann" not in problems.split("</p>", 1)[0] and "None." in problems


@pytest.mark.slow  # kill -9 and resume: two batch runs, ~10 s
def test_kill_9_in_the_middle_then_rerun_grades_everyone_exactly_once(tmp_path):
    cls = tmp_path / "class"
    for i in range(8):
        (cls / f"s{i}").mkdir(parents=True)
        shutil.copy(SOLUTIONS / "race-counter" / "race_counter.py", cls / f"s{i}")
    out = tmp_path / "out"
    command = [sys.executable, "-m", "grader.cli", "batch", str(cls), "--out", str(out), "--sandbox", "local",
               "--workers", "1"]
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    deadline = time.monotonic() + 300  # a hang guard, not a measurement
    while len(list(out.glob("*/report.json"))) < 2:
        assert proc.poll() is None and time.monotonic() < deadline, "the batch ended before it could be killed"
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    before = {p.parent.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in out.glob("*/report.json")}
    assert 2 <= len(before) < 8

    rerun = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    journal = json.loads((out / "batch.json").read_text(encoding="utf-8"))
    regraded = {s["folder"] for s in journal["students"] if not s["skipped"]}
    assert {s["folder"] for s in journal["students"]} == {f"s{i}" for i in range(8)}
    assert regraded.isdisjoint(before) and regraded | set(before) == {f"s{i}" for i in range(8)}
    for folder, identity in before.items():  # finished reports were not touched
        p = out / folder / "report.json"
        assert (p.stat().st_ino, p.stat().st_mtime_ns) == identity
    assert all(s["score"] == 10.0 for s in journal["students"])


def test_a_student_the_grader_cannot_grade_does_not_stop_the_batch(tmp_path, monkeypatch):
    from grader.host.batch import run

    cls = tmp_path / "class"
    for name in ("a", "b"):
        (cls / name).mkdir(parents=True)

    real = run.grade_submission

    def explode_for_a(**kw):
        if kw["student"] == "a":
            raise RuntimeError("a bug of ours")
        return real(**kw)

    monkeypatch.setattr(run, "grade_submission", explode_for_a)
    result = grade_class(submissions=cls, out_dir=tmp_path / "out", sandbox="local", workers=2)
    got = {e.student: (e.status, e.score) for e in result.entries}
    assert got == {"a": ("infrastructure_error", None), "b": ("graded", 0.0)}
    monkeypatch.setattr(run, "grade_submission", real)
    again = grade_class(submissions=cls, out_dir=tmp_path / "out", sandbox="local", workers=2)
    assert [e.student for e in again.entries if not e.skipped] == ["a"]  # regraded, b skipped


def _class_with_a_bomb(tmp_path, monkeypatch) -> tuple[Path, list]:
    """Students `bomb` and `beside`, graded at the same time the first time; `bomb` reports refused
    forks. Returns the class folder and the list of students graded, in order."""
    import threading

    from grader.host.batch import run

    cls = tmp_path / "class"
    for name in ("bomb", "beside"):
        (cls / name).mkdir(parents=True)
    real = run.grade_submission
    together = threading.Barrier(2, timeout=60)  # bomb and beside are graded at the same time
    calls = []

    def grade_with_a_bomb(**kw):
        calls.append(kw["student"])
        first = calls.count(kw["student"]) == 1
        if first:
            together.wait()
        result = real(**kw)
        if kw["student"] == "bomb":
            result.forks_refused = 1234
        if first:
            together.wait()  # neither ends before the other has started
        return result

    monkeypatch.setattr(run, "grade_submission", grade_with_a_bomb)
    return cls, calls


def test_whoever_ran_beside_a_fork_bomb_is_graded_again_after_it(tmp_path, monkeypatch):
    """A fork bomb's container slows the whole machine (every refused fork is kernel work): a
    correct submission beside it can run out of time starting its threads. Its grade is taken
    from a second grading, once the bomb is gone; the bomb's own is not repeated."""
    cls, calls = _class_with_a_bomb(tmp_path, monkeypatch)
    announced = []
    done = []
    result = grade_class(submissions=cls, out_dir=tmp_path / "out", sandbox="local", workers=2,
                         on_again=announced.append, on_done=lambda e: done.append(e.student))
    assert sorted(calls) == ["beside", "beside", "bomb"]
    assert announced == [1] and sorted(done) == ["beside", "beside", "bomb"]
    again = {e.student: e.graded_again for e in result.entries}
    assert again["bomb"] is False and again["beside"] is True
    journal = json.loads((tmp_path / "out" / "batch.json").read_text(encoding="utf-8"))
    assert {s["student"]: s["graded_again"] for s in journal["students"]}["beside"] is True
    report = json.loads((tmp_path / "out" / "bomb" / "report.json").read_text(encoding="utf-8"))
    assert report["forks_refused"] == 1234


def test_stopped_before_the_second_grading_a_rerun_grades_them_again(tmp_path, monkeypatch):
    """Ctrl-C as the second grading is announced: the first grade (beside the bomb) stays readable,
    but the rerun does not take it as finished."""
    cls, calls = _class_with_a_bomb(tmp_path, monkeypatch)

    def stop(count):
        raise KeyboardInterrupt

    first = grade_class(submissions=cls, out_dir=tmp_path / "out", sandbox="local", workers=2, on_again=stop)
    assert first.interrupted and sorted(calls) == ["beside", "bomb"]
    waiting = json.loads((tmp_path / "out" / "beside" / "report.json").read_text(encoding="utf-8"))
    assert waiting["submission_key"] == "" and waiting["score"] is not None
    rerun = grade_class(submissions=cls, out_dir=tmp_path / "out", sandbox="local", workers=2)
    assert sorted(calls) == ["beside", "beside", "bomb"]  # the bomb's grade is kept
    assert {e.student: e.skipped for e in rerun.entries} == {"bomb": True, "beside": False}
    again = json.loads((tmp_path / "out" / "beside" / "report.json").read_text(encoding="utf-8"))
    assert again["submission_key"] != ""


@pytest.mark.parametrize("first", ["bomb", "beside"])
def test_killed_during_the_first_grading_a_rerun_grades_the_bombs_neighbour_again(tmp_path, monkeypatch, first):
    """kill -9 once both first gradings are written, before anyone speaks of a second: whichever of
    the two ended first, the neighbour's report already has no key, so the rerun grades it again."""
    import threading

    from grader.host.batch import run

    cls, calls = _class_with_a_bomb(tmp_path, monkeypatch)
    beside_the_bomb = run.grade_submission
    first_written = threading.Event()

    def in_order(**kw):
        result = beside_the_bomb(**kw)
        if kw["student"] != first and calls.count(kw["student"]) == 1:
            assert first_written.wait(60), "the other student's report was never written"
        return result

    def done(entry):
        if entry.student == first:
            first_written.set()
        if not entry.graded_again and first_written.is_set() and entry.student != first:
            shutil.copytree(tmp_path / "out", tmp_path / "killed")  # what kill -9 here would leave

    monkeypatch.setattr(run, "grade_submission", in_order)
    grade_class(submissions=cls, out_dir=tmp_path / "out", sandbox="local", workers=2, on_done=done)
    left = json.loads((tmp_path / "killed" / "beside" / "report.json").read_text(encoding="utf-8"))
    assert left["submission_key"] == "" and left["score"] is not None
    assert sorted(calls) == ["beside", "beside", "bomb"]  # the run itself graded beside again
    rerun = grade_class(submissions=cls, out_dir=tmp_path / "killed", sandbox="local", workers=2)
    assert calls[3:] == ["beside"]
    assert {e.student: e.skipped for e in rerun.entries} == {"bomb": True, "beside": False}


def test_files_that_could_not_be_hashed_are_graded_on_every_run(tmp_path, monkeypatch):
    """No key (the files could not be read to make it): nothing proves the grade is still theirs."""
    from grader.host.batch import run

    cls = tmp_path / "class"
    (cls / "unreadable").mkdir(parents=True)

    def cannot_read(*args):
        raise PermissionError("denied")

    monkeypatch.setattr(run, "submission_key", cannot_read)
    for _ in range(2):
        result = grade_class(submissions=cls, out_dir=tmp_path / "out", sandbox="local", workers=1)
        assert [(e.student, e.skipped, e.status) for e in result.entries] == [("unreadable", False, "graded")]


# Assignments (docs/batch.md, "Assignments"): only the assigned exercises are graded and reported,
# each out of its points, and the resume key includes them.
def _csv(out: Path) -> list[dict]:
    return list(csv.DictReader(io.StringIO((out / "grades.csv").read_bytes().decode("utf-8-sig"))))


def _assignment(tmp_path: Path, name: str, text: str):
    from grader.host.assignment import load_assignment

    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_assignment(path)


def _titles(lang: str) -> dict[str, str]:
    from grader.host.pack_i18n import pack_text

    return {ex.slug: pack_text(ex, ex.spec.title, lang) for ex in CATALOG}


def test_an_assignment_decides_what_is_graded_and_reported_and_another_one_regrades(tmp_path):
    cls = tmp_path / "class"
    for name in ("ann", "bob", "cy"):
        (cls / name).mkdir(parents=True)
    shutil.copy(SOLUTIONS / "race-counter" / "race_counter.py", cls / "ann")
    shutil.copy(SOLUTIONS / "parallel-primes" / "primes.py", cls / "ann")  # not in the homework: not graded
    shutil.copy(ROOT / "exercises" / "race-counter" / "race_counter.py", cls / "bob")
    first = _assignment(tmp_path, "hw1.yaml", "title: 作业一\nexercises:\n  - slug: race-counter\n    points: 20\n"
                                               "  - semaphore-handoff\ndeadline: 2026-11-30T23:59:00+08:00\n")
    out = tmp_path / "out"
    result = grade_class(submissions=cls, out_dir=out, sandbox="local", workers=2, lang="zh", assignment=first)
    assert {e.student: (e.score, e.max_score) for e in result.entries} == {
        "ann": (20, 30), "bob": (8, 30), "cy": (0, 30)}
    rows = _csv(out)
    assert list(rows[0]) == ["student", "status", "race-counter", "semaphore-handoff", "total", "max_total",
                             "report", "lms_id", "flags"]
    assert [(r["student"], r["race-counter"], r["total"], r["max_total"]) for r in rows] == [
        ("ann", "20", "20", "30"), ("bob", "8", "8", "30"), ("cy", "0", "0", "30")]
    ann = json.loads((out / "ann" / "report.json").read_text(encoding="utf-8"))
    assert [e["exercise"] for e in ann["exercises"]] == ["race-counter", "semaphore-handoff"]
    assert ann["assignment"] == "作业一" and ann["not_assigned"] == ["primes.py"]
    assert ann["exercises"][0]["scaled_from"] == 10 and sum(c["max_score"] for c in ann["exercises"][0]["checks"]) == 20
    gradescope = json.loads((out / "ann" / "results.json").read_text(encoding="utf-8"))
    assert gradescope["score"] == 20 and {t["name"].split(":")[0] for t in gradescope["tests"]} == {
        "race-counter", "semaphore-handoff"}
    html = (out / "index.html").read_text(encoding="utf-8")
    zh, en = _titles("zh"), _titles("en")
    assert "班级成绩：作业一" in html and "截止时间 2026-11-30 23:59+08:00" in html
    table = html.split('id="exercises"', 1)[1].split("</table>", 1)[0]
    assert table.count("<tr>") == 3 and zh["race-counter"] in table and zh["semaphore-handoff"] in table
    assert "9.3/20" in table  # race-counter's mean, (20 + 8 + 0) / 3, out of its points here
    checks = html.split('id="checks"', 1)[1].split("</table>", 1)[0]
    assert checks.count("<tbody>") == 5 + 5 and en["race-counter"] not in checks and zh["race-counter"] in checks
    assert "primes" not in html.split('id="students"', 1)[1]
    journal = json.loads((out / "batch.json").read_text(encoding="utf-8"))
    assert journal["assignment"]["title"] == "作业一" and journal["exercises"] == [
        {"slug": "race-counter", "max_score": 20}, {"slug": "semaphore-handoff", "max_score": 10}]

    again = grade_class(submissions=cls, out_dir=out, sandbox="local", workers=2, lang="zh", assignment=first)
    assert again.graded == 0 and again.skipped == 3

    second = _assignment(tmp_path, "hw2.yaml", "title: 作业二\nexercises: [race-counter, bounded-desks]\n")
    other = grade_class(submissions=cls, out_dir=out, sandbox="local", workers=2, lang="zh", assignment=second)
    assert other.graded == 3
    assert {e.student: (e.score, e.max_score) for e in other.entries} == {"ann": (10, 20), "bob": (4, 20),
                                                                          "cy": (0, 20)}
    rows = _csv(out)
    assert list(rows[0])[2:5] == ["race-counter", "bounded-desks", "total"] and rows[0]["max_total"] == "20"
    html = (out / "index.html").read_text(encoding="utf-8")
    assert "作业二" in html and "作业一" not in html and zh["semaphore-handoff"] not in html
    bob = json.loads((out / "bob" / "report.json").read_text(encoding="utf-8"))
    assert [e["exercise"] for e in bob["exercises"]] == ["race-counter", "bounded-desks"]
    assert bob["assignment"] == "作业二" and bob["max_score"] == 20
    assert "semaphore-handoff" not in json.dumps(json.loads((out / "batch.json").read_text(encoding="utf-8")))


def test_a_new_title_alone_writes_the_reports_again_without_grading(tmp_path, monkeypatch):
    from grader.host import grading

    cls = tmp_path / "class"
    (cls / "ann").mkdir(parents=True)
    out = tmp_path / "out"
    grade_class(submissions=cls, out_dir=out, sandbox="local", workers=1,
                assignment=_assignment(tmp_path, "a.yaml", "title: Week 1\nexercises: [race-counter]\n"))
    monkeypatch.setattr(grading, "run_sandbox", lambda *a: pytest.fail("a new title must not grade again"))
    again = grade_class(submissions=cls, out_dir=out, sandbox="local", workers=1,
                        assignment=_assignment(tmp_path, "b.yaml", "title: Week 2\nexercises: [race-counter]\n"))
    assert again.graded == 0 and again.entries[0].rerendered
    assert json.loads((out / "ann" / "report.json").read_text(encoding="utf-8"))["assignment"] == "Week 2"
    assert "Week 2" in (out / "ann" / "report.html").read_text(encoding="utf-8")


def test_without_an_assignment_the_dashboard_leaves_out_what_nobody_submitted_and_says_so(tmp_path):
    cls = tmp_path / "class"
    for name in ("ann", "bob"):
        (cls / name).mkdir(parents=True)
    shutil.copy(ROOT / "exercises" / "race-counter" / "race_counter.py", cls / "ann")
    (cls / "bob" / "handoff.py").write_text("def broken(:\n")  # submitted, if badly: it is shown
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "grader.cli", "batch", str(cls), "--out", str(out),
                           "--sandbox", "local", "--workers", "2", "--lang", "zh"], capture_output=True, text=True,
                          cwd=ROOT, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "[1/2]" in proc.stdout and "已评分" in proc.stdout and "没有任何学生提交的 15 道练习" in proc.stdout
    # student, status, a column per pack, then total, max_total, report, lms_id, flags
    assert len(_csv(out)[0]) == 2 + len(CATALOG) + 5 and _csv(out)[0]["max_total"] == f"{FULL:g}"  # every pack
    html = (out / "index.html").read_text(encoding="utf-8")
    table = html.split('id="exercises"', 1)[1].split("</table>", 1)[0]
    assert table.count("<tr>") == 3 and "race-counter" in table and "semaphore-handoff" in table
    note = html.split('id="left-out"', 1)[1].split("</p>", 1)[0]
    assert "15" in note and "bounded-desks" in note and "race-counter" not in note
    students = html.split('id="students"', 1)[1]
    assert "bounded-desks" not in students  # no column, and no missing file, for what nobody submitted
    assert "缺少文件 2 名" in proc.stdout  # each misses the other's exercise, not the fifteen


@pytest.mark.slow  # the class: 4 students, a 6-exercise homework, 3 runs (the second grades nobody): ~25 s
def test_a_six_exercise_homework_for_a_class_in_chinese(tmp_path):
    six = ["race-counter", "semaphore-handoff", "bounded-desks", "reentrant-lock", "lock-ordering", "queue-drain"]
    by_slug = {ex.slug: ex for ex in CATALOG}
    cls = tmp_path / "class"
    for name, solved in (("alice", six), ("bob", []), ("carol", six[:3]), ("dan", None)):
        (cls / name).mkdir(parents=True)
        for slug in six if solved is not None else []:
            ex = by_slug[slug]
            shutil.copy(ex.solution if slug in solved else ex.starter, cls / name / ex.student_file)
    shutil.copy(SOLUTIONS / "word-tally" / "tally.py", cls / "dan")  # only a file outside the homework
    homework = tmp_path / "hw.yaml"
    homework.write_text("title: 第三次作业\nexercises:\n" + "".join(f"  - {s}\n" for s in six[:5])
                        + "  - slug: queue-drain\n    points: 20\n", encoding="utf-8")
    out = tmp_path / "out"
    command = [sys.executable, "-m", "grader.cli", "batch", str(cls), "--out", str(out), "--sandbox", "local",
               "--workers", "2", "--lang", "zh", "--assignment", str(homework)]
    proc = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=900)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "6 道练习，满分 70 分" in proc.stdout
    rows = {r["student"]: r for r in _csv(out)}
    assert list(rows["alice"])[2:8] == six and {r["max_total"] for r in rows.values()} == {"70"}
    assert rows["alice"]["total"] == "70" and rows["alice"]["queue-drain"] == "20" and rows["dan"]["total"] == "0"
    assert float(rows["bob"]["total"]) < float(rows["carol"]["total"]) < 70
    html = (out / "index.html").read_text(encoding="utf-8")
    zh = _titles("zh")
    table = html.split('id="exercises"', 1)[1].split("</table>", 1)[0]
    assert table.count("<tr>") == 7 and all(zh[s] in table for s in six)
    checks = html.split('id="checks"', 1)[1].split("</table>", 1)[0]
    assert checks.count("<tbody>") == sum(len(by_slug[s].spec.checks) for s in six)
    assert "word-tally" not in html and "第三次作业" in html
    for name in rows:
        report = json.loads((out / name / "report.json").read_text(encoding="utf-8"))
        assert [e["exercise"] for e in report["exercises"]] == six and report["max_score"] == 70
    dan = json.loads((out / "dan" / "report.json").read_text(encoding="utf-8"))
    assert dan["not_assigned"] == ["tally.py"] and all(e["status"] == "missing" for e in dan["exercises"])

    again = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=900)
    assert "已评分 0 名，未改动而跳过 4 名" in again.stdout, again.stdout

    homework.write_text("title: 补交\nexercises: [race-counter, word-tally]\n", encoding="utf-8")
    other = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=900)
    assert "已评分 4 名" in other.stdout, other.stdout
    rows = {r["student"]: r for r in _csv(out)}
    assert list(rows["alice"])[2:5] == ["race-counter", "word-tally", "total"]
    assert {r["max_total"] for r in rows.values()} == {"20"} and rows["dan"]["total"] == "10"
    html = (out / "index.html").read_text(encoding="utf-8")
    assert "补交" in html and zh["queue-drain"] not in html and "第三次作业" not in html


def test_the_progress_lines_are_in_the_batchs_language():
    from types import SimpleNamespace

    from rich.console import Console

    from grader.host.batch.progress import BatchProgress

    console = Console(file=io.StringIO(), force_terminal=False, width=200)
    with BatchProgress(console, "zh") as progress:
        progress.start(2)
        progress.done(SimpleNamespace(student="李雷", score=8.0, max_score=30.0, status="graded", skipped=True,
                                      seconds=0.0, graded_again=False))
        progress.again(1)
    assert console.file.getvalue().splitlines() == [
        "2 名学生", "[1/2] 李雷：8/30 已评分（未改动，跳过）", "1 名学生评分时旁边有 fork 炸弹：重新给他们评分"]


def test_every_student_gets_a_row_and_the_teachers_files_none(tmp_path):
    # Issue 22: a .rar or .7z got no row in grades.csv; README_first.txt and __init__.py became students.
    cls = tmp_path / "class"
    cls.mkdir()
    (cls / "alice").mkdir()
    solution = (ROOT / "solutions" / "race-counter" / "race_counter.py").read_bytes()
    (cls / "alice" / "race_counter.py").write_bytes(solution)
    (cls / "bob.rar").write_bytes(b"Rar!\x1a\x07\x00")
    (cls / "carol_race_counter.py").write_bytes((ROOT / "exercises" / "race-counter" / "race_counter.py").read_bytes())
    for junk in ("README_first.txt", "class_list.xlsx", "__init__.py"):
        (cls / junk).write_text("x\n")
    out = tmp_path / "out"
    batch = grade_class(submissions=cls, out_dir=out, sandbox="local", exercises=["race-counter"], workers=2)
    rows = {e.student: (e.status, e.score) for e in batch.entries}
    assert rows == {"alice": ("graded", 10.0), "bob": ("error", 0.0), "carol": ("graded", 4.0)}
    report = json.loads((out / "bob" / "report.json").read_text(encoding="utf-8"))
    assert "cannot open" in report["exercises"][0]["message"]
    assert set(batch.ignored) >= {"README_first.txt", "class_list.xlsx", "__init__.py"}


def test_out_inside_the_class_folder_is_refused_before_anything_is_written(tmp_path):
    cls = tmp_path / "class"
    (cls / "alice").mkdir(parents=True)
    with pytest.raises(ClassInputError, match="inside the class folder"):
        grade_class(submissions=cls, out_dir=cls / "graded", sandbox="local", exercises=["race-counter"])
    assert not (cls / "graded").exists()


def test_the_dashboards_error_list_says_why_in_the_teachers_language(tmp_path):
    # Issue 22: "孙丽: producer-consumer: 错误", without the reason.
    cls = tmp_path / "class"
    (cls / "孙丽").mkdir(parents=True)
    (cls / "孙丽" / "race_counter.py").write_text("def run(:\n    pass\n", encoding="utf-8")
    out = tmp_path / "out"
    grade_class(submissions=cls, out_dir=out, sandbox="local", exercises=["race-counter"], lang="zh")
    problems = (out / "index.html").read_text(encoding="utf-8").split('id="problems"', 1)[1].split("</ul>", 1)[0]
    assert "孙丽" in problems and "第 1 行" in problems, problems


def test_a_class_of_one_student_is_that_student_and_one_students_folder_is_refused(tmp_path):
    # Issue 22: a class of one was stepped into, and the student renamed after a subfolder (src).
    cls = tmp_path / "class"
    (cls / "alice" / "src").mkdir(parents=True)
    (cls / "alice" / "src" / "race_counter.py").write_text("x = 1\n")
    (cls / "alice" / "notes").mkdir()
    staging = tmp_path / "staging"
    staging.mkdir()
    assert [s.student for s in discover(cls, staging, ["race_counter.py"]).submissions] == ["alice"]
    moodle = tmp_path / "moodle"
    (moodle / "陈静_2481005_assignsubmission_file_" / "作业").mkdir(parents=True)
    assert [s.student for s in discover(moodle, staging, ["race_counter.py"]).submissions] == ["陈静"]
    one = tmp_path / "bob"
    one.mkdir()
    (one / "race_counter.py").write_text("x = 1\n")
    with pytest.raises(ClassInputError, match="looks like one student's folder"):
        discover(one, staging, ["race_counter.py"])
