"""Scoring: points only for passed checks; hidden checks show only name, outcome and hint."""

from __future__ import annotations

from grader.host.judge_report import CheckVerdict
from grader.host.packs import load_exercise
from grader.host.scoring import exercise_result

from .conftest import ROOT

EX = load_exercise(ROOT / "exercises" / "race-counter")
ALL = list(EX.spec.checks)


def _verdicts(default, **overrides):
    return {name: overrides.get(name, default) for name in ALL}


def test_full_marks_is_passed():
    r = exercise_result(EX, _verdicts(CheckVerdict("passed")))
    assert r.status.value == "passed" and r.score == r.max_score == 10


def test_partial_score():
    failed = CheckVerdict("failed", {"text": "lost 99 updates"}, {"status": "failed", "details": {"lost": 99}})
    r = exercise_result(EX, _verdicts(CheckVerdict("passed"), run_returns_start_minus_n=failed))
    assert r.status.value == "failed" and r.score == 7
    check = r.checks[0]
    assert check.message == "lost 99 updates" and check.details == {"details": {"lost": 99}}


def test_hidden_check_shows_only_the_hint():
    secret = CheckVerdict("failed", {"text": "judge internals: expected 25 calls"},
                          {"status": "failed", "output": "x", "stack": [{"line": 1}]})
    r = exercise_result(EX, _verdicts(CheckVerdict("passed"), counts_with_decrement=secret))
    hidden = next(c for c in r.checks if c.name == "counts_with_decrement")
    assert hidden.message == EX.spec.checks["counts_with_decrement"].hint
    assert hidden.details == {}
    assert "judge internals" not in str(r)


def test_import_failure_is_one_exercise_error():
    boom = CheckVerdict("error", {"id": "exception_import", "params": {"type": "ValueError", "message": "bad"}},
                        {"status": "error", "phase": "import", "stack": [{"line": 3, "function": "<module>"}]})
    r = exercise_result(EX, _verdicts(boom))
    assert r.status.value == "error"
    assert "ValueError: bad" in r.message
    assert r.details["stack"] == [{"line": 3, "function": "<module>"}]
    assert all(c.details == {} for c in r.checks)
