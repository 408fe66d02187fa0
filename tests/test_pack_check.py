"""pack_check.differences: the one comparison of a grading with a case's expected verdict, used by the
tests, `grader check` and `grader check --samples`; and the promise expected.yaml makes for a pack."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from grader.host import pack_check
from grader.host.packs import PackError, load_all
from grader.host.results import CheckResult, CheckStatus, ExerciseResult, ExerciseStatus

from .conftest import ROOT

WANT = {"status": "failed", "score": 5.0, "checks": {"a": "passed", "b": "failed"},
        "report_mentions": ["lost update"]}


def _graded(status="failed", score=5.0, a="passed", b="failed", message="a lost update at line 3"):
    checks = [CheckResult("a", CheckStatus(a), 5.0 if a == "passed" else 0.0, 5.0, ""),
              CheckResult("b", CheckStatus(b), 0.0, 5.0, message)]
    return ExerciseResult("x", "X", ExerciseStatus(status), score, 10.0, checks=checks)


def test_a_grading_as_expected_has_no_difference():
    assert pack_check.differences(WANT, _graded()) == []


def test_a_different_status_alone_is_named_even_with_the_same_checks():
    assert pack_check.differences(WANT, _graded(status="error")) == ["status: expected failed, got error"]


def test_a_null_score_is_a_difference_not_a_type_error():
    assert pack_check.differences(WANT, _graded(score=None)) == ["score: expected 5, got null"]


def test_a_check_that_differs_is_named_with_its_message():
    found = pack_check.differences({**WANT, "report_mentions": []}, _graded(b="timeout", message="stuck\nmore"))
    assert found == ["check b: expected failed, got timeout: stuck"]


def test_missing_and_unexpected_checks_are_named():
    want = {"status": "failed", "score": 5.0, "checks": {"a": "passed", "c": "failed"}}
    assert pack_check.differences(want, _graded()) == [
        "check c: expected failed, got no such check", "check b: got failed, not in expected.yaml"]


def test_a_phrase_the_report_does_not_mention_is_a_difference():
    assert pack_check.differences(WANT, _graded(message="the count was 7")) == [
        "the report does not mention 'lost update'"]


def test_advice_the_report_must_not_give_is_a_difference_when_given():
    want = {**WANT, "report_omits": ["add a Lock"]}
    assert pack_check.differences(want, _graded()) == []
    assert pack_check.differences(want, _graded(message="a lost update at line 3: add a Lock")) == [
        "the report mentions 'add a Lock'"]


@pytest.fixture
def pack_copy(tmp_path: Path):
    (race,) = [ex for ex in load_all(ROOT / "exercises") if ex.slug == "race-counter"]
    copy = tmp_path / "packs" / "race-counter"
    shutil.copytree(race.root, copy)
    shutil.copytree(race.samples_dir, copy / "samples")
    return copy


@pytest.mark.parametrize("edit,says", [
    (("solution:\n  status: passed\n  score: 10.0", "solution:\n  status: passed\n  score: 9.0"),
     "the solution must be expected to pass with full marks (10)"),
    (("starter:\n  status: failed\n  score: 4.0", "starter:\n  status: failed\n  score: 10.0"),
     "the starter must be expected to score below full marks (10)"),
])
def test_expected_yaml_must_promise_a_full_solution_and_a_failing_starter(pack_copy: Path, edit, says):
    expected = pack_copy / "samples" / "expected.yaml"
    text = expected.read_text(encoding="utf-8")
    assert edit[0] in text
    expected.write_text(text.replace(edit[0], edit[1]), encoding="utf-8")
    (exercise,) = load_all(pack_copy.parent)
    with pytest.raises(PackError, match=says.replace("(", r"\(").replace(")", r"\)")):
        pack_check.cases(exercise)
