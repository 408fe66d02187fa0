"""Scoring: points only for passed checks; a hidden check's result is kept whole, and a student
reads of it what `hidden_details` allows (hidden.py)."""

from __future__ import annotations

from grader.host import hidden
from grader.host.judge_report import CheckVerdict
from grader.host.localize import localize, render_key
from grader.host.packs import load_exercise
from grader.host.reports import render_html
from grader.host.results import StudentResult
from grader.host.scoring import exercise_result

from .conftest import ROOT

EX = load_exercise(ROOT / "exercises" / "race-counter")
HANDOFF = load_exercise(ROOT / "exercises" / "semaphore-handoff")
ALL = list(EX.spec.checks)


def _scored(verdicts, exercise=EX, lang="en"):
    """exercise_result, then its texts in `lang`, as grading does."""
    r = exercise_result(exercise, verdicts)
    localize(StudentResult(student="s", score=r.score, max_score=r.max_score, sandbox="local", sandbox_note="",
                           exercises=[r]), lang, {exercise.slug: exercise})
    return r


def _verdicts(default, **overrides):
    return {name: overrides.get(name, default) for name in ALL}


def test_full_marks_is_passed():
    r = exercise_result(EX, _verdicts(CheckVerdict("passed")))
    assert r.status.value == "passed" and r.score == r.max_score == 10


def test_partial_score():
    failed = CheckVerdict("failed", {"text": "lost 99 updates"}, {"status": "failed", "details": {"lost": 99}})
    r = _scored(_verdicts(CheckVerdict("passed"), run_returns_start_minus_n=failed))
    assert r.status.value == "failed" and r.score == 7
    check = r.checks[0]
    assert check.message == "lost 99 updates" and check.details == {"details": {"lost": 99}}


def _as_student(r, level, exercise=EX, lang="en"):
    whole = StudentResult(student="s", score=r.score, max_score=r.max_score, sandbox="local", sandbox_note="",
                          exercises=[r], lang=lang)
    return hidden.for_student(whole, level, {exercise.slug: exercise}).exercises[0]


def test_hidden_check_shows_only_the_hint():
    secret = CheckVerdict("failed", {"text": "judge internals: expected 25 calls"},
                          {"status": "failed", "output": "x", "stack": [{"line": 1}]})
    r = _scored(_verdicts(CheckVerdict("passed"), counts_with_decrement=secret))
    record = next(c for c in r.checks if c.name == "counts_with_decrement")
    assert record.message == "judge internals: expected 25 calls"  # the teacher's record: whole
    seen = _as_student(r, "hint")  # the default
    student = next(c for c in seen.checks if c.name == "counts_with_decrement")
    assert student.message == EX.spec.checks["counts_with_decrement"].hint
    assert student.details == {}
    assert "judge internals" not in str(seen)
    assert "judge internals" in str(_as_student(r, "full"))


def test_import_failure_is_one_exercise_error():
    boom = CheckVerdict("error", {"id": "exception_import", "params": {"type": "ValueError", "message": "bad"}},
                        {"status": "error", "phase": "import", "stack": [{"line": 3, "function": "<module>"}]})
    r = _scored(_verdicts(boom))
    assert r.status.value == "error"
    assert "ValueError: bad" in r.message
    assert r.details["stack"] == [{"line": 3, "function": "<module>"}]
    assert all(c.details == {} for c in r.checks)


def test_a_hidden_check_that_did_not_finish_keeps_why_and_a_student_reads_it_at_full():
    # A BoundedSemaphore(0) that deadlocked: the record keeps the deadlock and its lines; at `full` a
    # student reads them; at `hint` (the default) not the hint, which is for the check's own mistake
    # (docs/exercise-packs.md), only that it failed, as at `result`.
    threads = [{"name": "MainThread", "status": "blocked", "involved": True, "stack": [{"line": 30}],
                "waiting_on": {"thread": "consumer"}}]
    stuck = CheckVerdict("deadlock", {"id": "deadlock_all_blocked"},
                         {"status": "deadlock", "threads": threads, "details": {"secret": 1}})
    names = list(HANDOFF.spec.checks)
    r = _scored({n: CheckVerdict("passed") if n != "run_starts_semaphore_at_zero" else stuck for n in names},
                HANDOFF)
    record = next(c for c in r.checks if c.name == "run_starts_semaphore_at_zero")
    assert record.status.value == "deadlock" and record.message.startswith("Deadlock:")
    full = next(c for c in _as_student(r, "full", HANDOFF).checks if c.name == record.name)
    assert full.status.value == "deadlock" and full.message.startswith("Deadlock:")
    assert full.details["threads"] == threads
    hint = next(c for c in _as_student(r, "hint", HANDOFF).checks if c.name == record.name)
    assert hint.status.value == "failed" and hint.details == {}
    # The hint ("With a starting value of 1...") is for the check's own mistake, not for a deadlock.
    assert hint.message != HANDOFF.spec.checks[record.name].hint and "only whether it passed" in hint.message
    result = next(c for c in _as_student(r, "result", HANDOFF).checks if c.name == record.name)
    assert result.status.value == "failed" and result.details == {} and result.message == hint.message


def test_one_outcome_of_several_checks_is_said_once():
    boom = CheckVerdict("error", {"id": "exception_scenario", "params": {"type": "KeyError", "message": "'x'"}},
                        {"status": "error", "phase": "scenario", "stack": [{"line": 9, "function": "run"}]})
    r = _scored(_verdicts(CheckVerdict("passed"), run_returns_start_minus_n=boom, decrement_is_thread_safe=boom,
                          threads_really_overlap=boom))
    assert len(r.shared) == 1 and r.shared[0]["checks"] == [
        "run_returns_start_minus_n", "decrement_is_thread_safe", "threads_really_overlap"]
    assert r.shared[0]["details"]["stack"] == [{"line": 9, "function": "run"}]
    affected = [c for c in r.checks if c.shared == 0]
    assert len(affected) == 3 and all(c.details == {} for c in affected)


def test_one_cause_reached_from_two_calls_is_said_once_with_both_stacks():
    """The same deadlock seen from two calls (different stacks, so not one shared outcome): the
    second check points at the first instead of repeating the cause, and keeps its own stacks."""
    def stuck(line):
        threads = [{"name": "MainThread", "status": "blocked", "involved": True, "stack": [{"line": line}],
                    "waiting_on": {"thread": "MainThread"}}]
        return CheckVerdict("deadlock", {"id": "deadlock_all_blocked"}, {"status": "deadlock", "threads": threads})

    r = _scored(_verdicts(CheckVerdict("passed"), run_returns_start_minus_n=stuck(12),
                          decrement_is_thread_safe=stuck(14),
                          keeps_simulated_work=CheckVerdict("failed", {"id": "exception_scenario",
                                                                       "params": {"type": "E", "message": "m"}})))
    first, second, other = r.checks[0], r.checks[1], r.checks[2]
    assert r.shared == [] and first.message == second.message
    assert first.cause_said_in == "" and second.cause_said_in == "run_returns_start_minus_n"
    assert second.details["threads"][0]["stack"] == [{"line": 14}]
    assert other.cause_said_in == ""  # another cause is said in full
    html = render_html(StudentResult(student="s", score=r.score, max_score=r.max_score, sandbox="local",
                                     sandbox_note="", exercises=[r]))
    assert html.count(first.message) == 1 and "The same cause as <code>run_returns_start_minus_n</code>" in html


def test_texts_follow_the_language_and_come_back_from_report_json():
    boom = CheckVerdict("error", {"id": "exception_scenario", "params": {"type": "KeyError", "message": "'x'"}},
                        {"status": "error", "phase": "scenario"})
    r = _scored(_verdicts(CheckVerdict("passed"), run_returns_start_minus_n=boom), lang="zh")
    assert r.checks[0].message == "你的代码抛出了 KeyError：'x'"
    result = StudentResult(student="s", score=r.score, max_score=r.max_score, sandbox="local", sandbox_note="",
                           exercises=[r], lang="zh")
    again = localize(StudentResult.from_dict(result.to_dict()), "en", {EX.slug: EX})
    assert again.exercises[0].checks[0].message == "Your code raised KeyError: 'x'"
    assert again.lang == "en" and again.rendered_with == render_key("en") != render_key("zh")


def test_one_tampered_check_costs_the_whole_exercise(tmp_path):
    """Fail closed (issue 24): what the other checks saw cannot be trusted once the grader was reached for."""
    tampered = CheckVerdict("tampered", {"id": "tampered", "params": {"what": "sys.settrace", "line": 12,
                                                                       "code": "sys.settrace(None)"}},
                            {"status": "tampered"})
    for lang, said in (("en", "line 12 (`sys.settrace(None)`) used `sys.settrace`"),
                       ("zh", "第 12 行（`sys.settrace(None)`）使用了 `sys.settrace`")):
        r = _scored(_verdicts(CheckVerdict("passed"), run_returns_start_minus_n=tampered), lang=lang)
        assert (r.status.value, r.score) == ("tampered", 0) and all(c.score == 0 for c in r.checks)
        assert said in r.message
        html = render_html(StudentResult(student="s", score=0, max_score=10, sandbox="local", sandbox_note="",
                                         exercises=[r], lang=lang))
        assert 'class="badge tampered"' in html and said.replace("`", "") in html.replace("<code>", "").replace(
            "</code>", "")
