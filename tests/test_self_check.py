"""A student's self-check (`make check` in the kit): only the exercises started, or the one named;
an untouched starter, also as a Windows editor saves it, is "not started" and not graded."""

from __future__ import annotations

import shutil

import pytest
from markupsafe import escape

from grader.host import packs, self_check
from grader.host.assignment import AssignmentError
from grader.host.messages import text

from .conftest import ROOT, run_cli

EXERCISES = {ex.slug: ex for ex in packs.load_all(ROOT / "exercises")}
TWO = [EXERCISES["race-counter"], EXERCISES["queue-drain"]]
STARTERS = {ex.slug: ex.starter.read_bytes() for ex in TWO}


def _windows(content: bytes) -> bytes:
    return b"\xef\xbb\xbf" + content.replace(b"\n", b"\r\n")


def test_untouched_starters_are_not_started_and_nothing_is_graded():
    chosen = self_check.choose(TWO, dict(STARTERS), STARTERS)
    assert chosen.graded == [] and [ex.slug for ex in chosen.not_started] == ["race-counter", "queue-drain"]


def test_a_starter_saved_with_crlf_and_a_bom_is_still_not_started():
    saved = {slug: _windows(content) for slug, content in STARTERS.items()}
    assert saved != STARTERS
    chosen = self_check.choose(TWO, saved, STARTERS)
    assert chosen.graded == [] and len(chosen.not_started) == 2


def test_an_edited_file_is_graded_and_a_missing_one_too():
    edited = {"race-counter": STARTERS["race-counter"] + b"\n# started\n"}  # queue-drain: no file
    chosen = self_check.choose(TWO, edited, STARTERS)
    assert [ex.slug for ex in chosen.graded] == ["race-counter", "queue-drain"] and chosen.not_started == []
    edited["queue-drain"] = STARTERS["queue-drain"]
    chosen = self_check.choose(TWO, edited, STARTERS)
    assert [ex.slug for ex in chosen.graded] == ["race-counter"]
    assert [ex.slug for ex in chosen.not_started] == ["queue-drain"]


def test_the_exercise_named_is_graded_started_or_not():
    chosen = self_check.choose(TWO, dict(STARTERS), STARTERS, only=["queue-drain"])
    assert [ex.slug for ex in chosen.graded] == ["queue-drain"] and chosen.not_started == []


def test_an_unknown_exercise_says_the_nearest_and_the_ones_there_are():
    with pytest.raises(AssignmentError):
        self_check.choose(TWO, dict(STARTERS), STARTERS, only=["queue-drian"])
    assert self_check.unknown_text(["queue-drian"], TWO, "en") == (
        "There is no exercise queue-drian here (did you mean queue-drain?). "
        "The exercises: race-counter, queue-drain (make check EX=<exercise>).")
    zh = self_check.unknown_text(["nope"], TWO, "zh")
    assert zh.startswith("这里没有名为 nope 的练习。") and "（make check EX=<练习名>）。" in zh


def _folder(tmp_path):
    """A kit's layout: two packs, race-counter solved, queue-drain its starter as Windows saved it."""
    kit_packs = tmp_path / "packs"
    for ex in TWO:
        shutil.copytree(ex.root, kit_packs / ex.slug, ignore=shutil.ignore_patterns("__pycache__"))
    work = tmp_path / "work"
    for ex in TWO:
        (work / ex.slug).mkdir(parents=True)
    shutil.copy(EXERCISES["race-counter"].solution, work / "race-counter" / "race_counter.py")
    (work / "queue-drain" / "drain.py").write_bytes(_windows(STARTERS["queue-drain"]))
    return kit_packs, work


def test_the_self_check_grades_what_was_started_only(tmp_path):
    kit_packs, work = _folder(tmp_path)
    done = run_cli("check", str(work), "--exercises", str(kit_packs), "--out", str(tmp_path / "reports"),
                   "--sandbox", "local", "--started-only")
    out = done.stdout + done.stderr
    assert done.returncode == 0, out
    assert "Not started, not graded (still the starter): queue-drain" in out
    assert "race-counter" in out and "why (first failing check)" in out
    report = (tmp_path / "reports" / "self-check" / "report.json").read_text(encoding="utf-8")
    assert '"exercise": "race-counter"' in report and '"exercise": "queue-drain"' not in report


def test_the_self_check_of_a_named_exercise_fails_while_a_check_fails(tmp_path):
    kit_packs, work = _folder(tmp_path)
    done = run_cli("check", str(work), "--exercises", str(kit_packs), "--out", str(tmp_path / "reports"),
                   "--sandbox", "local", "--started-only", "--exercise", "queue-drain", "--lang", "zh")
    out = done.stdout + done.stderr
    assert done.returncode == 1, out
    assert "尚未开始" not in out and "原因（第一个未通过的检查）" in out


def test_nothing_started_grades_nothing_and_passes(tmp_path):
    kit_packs, work = _folder(tmp_path)
    shutil.copy(EXERCISES["race-counter"].starter, work / "race-counter" / "race_counter.py")
    done = run_cli("check", str(work), "--exercises", str(kit_packs), "--started-only", "--lang", "zh")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("还没有开始任何练习"), done.stdout
    unknown = run_cli("check", str(work), "--exercises", str(kit_packs), "--started-only", "--exercise", "nope")
    assert unknown.returncode == 2 and "There is no exercise nope here." in unknown.stdout, unknown.stdout


def test_the_kits_own_files_and_untouched_starters_are_not_listed_as_ignored():
    ignored = ["Makefile", "README.md", "race-counter/README.md", "reports/self-check/report.html",
               "queue-drain/drain.py", "race-counter/notes.txt", "racecounter.py", "notes/README.md"]
    assert self_check.students_ignored(ignored, TWO, not_graded=[EXERCISES["queue-drain"]]) == [
        "race-counter/notes.txt", "racecounter.py", "notes/README.md"]


def test_the_self_check_tells_a_student_what_it_is_worth_not_what_a_teacher_needs(tmp_path):
    kit_packs, work = _folder(tmp_path)
    (work / "README.md").write_text("the kit's README\n", encoding="utf-8")
    (work / "race-counter" / "README.md").write_text("the task\n", encoding="utf-8")
    (work / "notes.txt").write_text("mine\n", encoding="utf-8")  # a file of the student's own
    done = run_cli("check", str(work), "--exercises", str(kit_packs), "--out", str(tmp_path / "reports"),
                   "--sandbox", "local", "--started-only")
    out = done.stdout + done.stderr
    assert done.returncode == 0, out
    page = (tmp_path / "reports" / "self-check" / "report.html").read_text(encoding="utf-8")
    note = text("self_check_note", "en")  # a self-check; the grade has hidden checks too
    assert note in out and str(escape(note)) in page
    for said in (out, page):
        for teachers in ("class grades", "isolation", "results schema"):
            assert teachers not in said, teachers
    # the student's stray file is named, in one line; the kit's own files and the untouched starter are not
    assert "Not graded (not the file of any exercise): notes.txt\n" in out
    assert '<details class="small" id="ignored">' in page and "drain.py" not in page.split('id="ignored"')[1]
    assert "README.md" not in page.split('id="ignored"')[1].split("</details>")[0]
    # one exercise named: the others' files are the kit's, not strays
    one = run_cli("check", str(work), "--exercises", str(kit_packs), "--out", str(tmp_path / "reports"),
                  "--sandbox", "local", "--started-only", "--exercise", "queue-drain")
    assert "Not graded (not the file of any exercise): notes.txt\n" in one.stdout, one.stdout


def test_a_cause_several_checks_share_shows_its_threads_once_in_the_terminal(tmp_path):
    kit_packs, work = _folder(tmp_path)
    shutil.copy(ROOT / "tests" / "samples" / "queue-drain" / "continue_on_empty.py", work / "queue-drain" / "drain.py")
    done = run_cli("check", str(work), "--exercises", str(kit_packs), "--out", str(tmp_path / "reports"),
                   "--sandbox", "local", "--started-only", "--exercise", "queue-drain")
    lines = done.stdout.splitlines()
    said = [i for i, line in enumerate(lines) if "The same cause as" in line]
    assert len(said) == 4, done.stdout  # a busy wait in each of the five checks: said once, then pointed to
    first = next(i for i, line in enumerate(lines) if "queue-drain / records_every_item_once [" in line)
    assert lines[first + 1].startswith("      ")  # its threads, under the cause
    assert not any(lines[i + 1].startswith("      ") for i in said), done.stdout
