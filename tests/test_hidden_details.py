"""A teacher's `hidden_details` chooses what a student's report shows of a hidden check that did not
pass (grader/host/hidden.py): `result` (its name, failed), `hint` (also its author's hint: the
default) or `full` (also its message and details). The teacher's record (report.json) and dashboard
keep everything, at every level. One real grading of a word-tally answer whose hidden check
fails, then rendering only (a change of level judges nothing again)."""

from __future__ import annotations

import json
import re
import shutil

import pytest

from grader.host import hidden, reports
from grader.host.batch.run import grade_class
from grader.host.config import ConfigError, load_config
from grader.host.localize import localize
from grader.host.packs import load_all
from grader.host.results import CheckResult, CheckStatus, ExerciseResult, ExerciseStatus, StudentResult

from .conftest import ROOT
from .judge_leaks import page_text

SAMPLE = ROOT / "tests" / "samples" / "word-tally" / "returns_tally_object.py"
CHECK = "fresh_count_each_call"  # hidden, with a hint
HINT = {"en": "Create the Tally inside count_words", "zh": "请在 count_words 内部创建 Tally"}
PACKS = {ex.slug: ex for ex in load_all(ROOT / "exercises")}


def _config(tmp_path, level: str | None):
    if level is None:
        return None
    path = tmp_path / f"grader-{level}.yaml"
    path.write_text(f"hidden_details: {level}\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """One class of one student, graded once with the default level."""
    tmp = tmp_path_factory.mktemp("hidden")
    (tmp / "class" / "ann").mkdir(parents=True)
    shutil.copy(SAMPLE, tmp / "class" / "ann" / "tally.py")
    grade_class(submissions=tmp / "class", out_dir=tmp / "out", sandbox="local", workers=1, exercises=["word-tally"])
    return tmp


def _record(tmp) -> dict:
    data = json.loads((tmp / "out" / "ann" / "report.json").read_text(encoding="utf-8"))
    return next(c for c in data["exercises"][0]["checks"] if c["name"] == CHECK)


def _render_again(tmp, level: str | None, lang: str = "en"):
    """The batch run again with `level` (None: no setting): it renders, it judges nothing."""
    import grader.host.grading as grading_module

    def no_judging(*args, **kwargs):
        raise AssertionError("a change of hidden_details must not judge again")

    original, grading_module.run_sandbox = grading_module.run_sandbox, no_judging
    try:
        grade_class(submissions=tmp / "class", out_dir=tmp / "out", sandbox="local", workers=1, lang=lang,
                    exercises=["word-tally"], config=_config(tmp, level))
    finally:
        grading_module.run_sandbox = original
    page = page_text((tmp / "out" / "ann" / "report.html").read_text(encoding="utf-8"))
    gradescope = json.loads((tmp / "out" / "ann" / "results.json").read_text(encoding="utf-8"))
    said = next(t["output"] for t in gradescope["tests"] if t["name"].endswith(CHECK))
    return " ".join(page.split()), said


def test_the_teachers_record_keeps_the_hidden_checks_whole_message(batch):
    record = _record(batch)
    assert record["visibility"] == "hidden" and record["status"] == "failed"
    assert record["message"] and HINT["en"] not in record["message"]  # the check's own words, not the hint


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_by_default_a_student_reads_the_hint_not_the_checks_own_message(batch, lang):
    page, gradescope = _render_again(batch, None, lang)
    own = _record(batch)["message"]
    assert HINT[lang] in page and HINT[lang] in gradescope
    assert " ".join(own.split()) not in page and own not in gradescope


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_full_shows_the_checks_own_message_and_result_not_even_the_hint(batch, lang):
    page, gradescope = _render_again(batch, "full", lang)
    own = _record(batch)["message"]
    assert " ".join(own.split()) in page and own in gradescope
    page, gradescope = _render_again(batch, "result", lang)
    assert HINT[lang] not in page and HINT[lang] not in gradescope
    assert " ".join(own.split()) not in page and own not in gradescope
    assert CHECK in page  # the name, and that it failed


def _dashboard(tmp) -> str:
    page = (tmp / "out" / "index.html").read_text(encoding="utf-8")
    return re.sub(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d(:\d\d)?", "<time>", page)


def test_the_teachers_dashboard_is_the_same_at_every_level(batch):
    seen = set()
    for level in ("result", "full", None):
        _render_again(batch, level)
        seen.add(_dashboard(batch))
    assert len(seen) == 1


def _deadlocked(visibility: str) -> StudentResult:
    threads = [{"name": name, "status": "blocked", "stack": [{"line": line, "function": "transfer",
                                                               "code": "with dst.lock:"}],
                "waiting_on": {"prim": {"kind": "Lock", "line": 9}, "owner": other}}
               for name, other, line in (("teller-1", "teller-2", 17), ("teller-2", "teller-1", 18))]
    check = CheckResult(name="opposite_transfers_finish", status=CheckStatus.DEADLOCK, score=0, max_score=2,
                        message="", visibility=visibility, message_ref={"id": "deadlock_all_blocked"},
                        details={"threads": threads, "call": "transfer(a, b, 10)"})
    exercise = ExerciseResult(exercise="lock-ordering", title="", status=ExerciseStatus.FAILED, score=0,
                              max_score=2, checks=[check])
    return StudentResult(student="ann", score=0, max_score=2, sandbox="local", sandbox_note="", exercises=[exercise])


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_hidden_deadlock_shows_its_stuck_lines_only_at_full(lang):
    """The outcome of the student's own code (a deadlock, its threads and lines) is a detail too."""
    result = localize(_deadlocked("hidden"), lang, PACKS)
    at = {level: page_text(reports.render_html(hidden.for_student(result, level, PACKS))) for level in hidden.LEVELS}
    stuck = "with dst.lock:"
    assert stuck in at["full"] and "teller-2" in at["full"]
    assert stuck not in at["hint"] and "teller-2" not in at["hint"]
    assert stuck not in at["result"] and "teller-2" not in at["result"]
    assert result.exercises[0].checks[0].status is CheckStatus.DEADLOCK  # the record itself is untouched
    assert result.exercises[0].checks[0].details["threads"]
    # a visible check shows everything at every level
    visible = localize(_deadlocked("visible"), lang, PACKS)
    assert all(stuck in page_text(reports.render_html(hidden.for_student(visible, level, PACKS)))
               for level in hidden.LEVELS)


@pytest.mark.parametrize("value", ["everything", "Hint", "1"])
def test_a_bad_level_names_the_key_and_the_levels(tmp_path, value):
    path = tmp_path / "grader.yaml"
    path.write_text(f"hidden_details: {value}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    said = str(err.value)
    assert str(path) in said and "hidden_details" in said and all(level in said for level in hidden.LEVELS)


def test_the_default_is_the_hint():
    assert load_config(None).hidden_details == hidden.DEFAULT == "hint"


@pytest.mark.parametrize("status, hint_shown", [(CheckStatus.FAILED, True), (CheckStatus.DEADLOCK, False),
                                                 (CheckStatus.TIMEOUT, False)])
def test_a_hidden_checks_hint_shows_only_when_its_expectation_failed(status, hint_shown):
    """Issue 23, item 5: the hint is written for the check's own mistake; a deadlock or a timeout that
    ended the check is another cause, and the hint would send the student the wrong way."""
    hint = "With a starting value of 1"
    check = CheckResult(name="run_starts_semaphore_at_zero", status=status, score=0, max_score=1, message="",
                        visibility="hidden", message_ref={"id": "deadlock_all_blocked"})
    exercise = ExerciseResult(exercise="semaphore-handoff", title="", status=ExerciseStatus.FAILED, score=0,
                              max_score=1, checks=[check])
    result = localize(StudentResult(student="ann", score=0, max_score=1, sandbox="local", sandbox_note="",
                                    exercises=[exercise]), "en", PACKS)
    seen = hidden.for_student(result, "hint", PACKS).exercises[0].checks[0]
    assert (hint in seen.message) is hint_shown, seen.message
    assert seen.status is CheckStatus.FAILED and ("only whether it passed" in seen.message) is not hint_shown
