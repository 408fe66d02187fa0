"""How a container's end is classified (pure), and what reaches the student for each outcome."""

from __future__ import annotations

import pytest

from grader.host.grading import judged
from grader.host.judge_report import JudgeRun
from grader.host.messages import render
from grader.host.packs import load_all
from grader.host.sandboxes.base import SandboxOutcome, SandboxRun
from grader.host.sandboxes.container_outcome import ContainerEnd, classify

from .conftest import ROOT


def end(**kw) -> ContainerEnd:
    base = dict(timed_out=False, wall_seconds=90.0, exit_code=0, oom_killed=False, results_over_cap=False,
                memory="1g")
    return ContainerEnd(**{**base, **kw})


@pytest.mark.parametrize("kw,got,outcome", [
    ({}, {"a", "b"}, SandboxOutcome.OK),
    ({"timed_out": True, "exit_code": 137}, {"a"}, SandboxOutcome.TIMEOUT),
    ({"oom_killed": True}, {"a", "b"}, SandboxOutcome.MEMORY_LIMIT),
    ({"oom_killed": True, "exit_code": 137}, {"a"}, SandboxOutcome.MEMORY_LIMIT),
    ({"results_over_cap": True}, set(), SandboxOutcome.OUTPUT_LIMIT),
    ({"exit_code": 1}, {"a", "b"}, SandboxOutcome.CRASHED),
    ({}, {"a"}, SandboxOutcome.CRASHED),  # exit 0 but an exercise brought nothing back
    ({"timed_out": True, "oom_killed": True}, set(), SandboxOutcome.TIMEOUT),  # the wall clock decided
])
def test_classify(kw, got, outcome):
    result, student_message, missing_message = classify(end(**kw), ["a", "b"], got)
    assert result is outcome
    if outcome is SandboxOutcome.OK:
        assert student_message == missing_message == {}
    else:
        assert student_message["id"] == f"sandbox_{outcome.value}"
        assert missing_message["id"] == f"judge_container_{outcome.value}"


@pytest.fixture(scope="module")
def race_counter():
    return next(ex for ex in load_all(ROOT / "exercises") if ex.slug == "race-counter")


def test_exercise_without_results_gets_the_containers_reason(race_counter):
    _, message, missing = classify(end(timed_out=True, wall_seconds=12), ["race-counter"], set())
    run = SandboxRun(outcome=SandboxOutcome.TIMEOUT, message=message, missing_message=missing)
    result = judged(race_counter, run)
    assert result.status.value == "error" and result.score == 0
    assert {c.status.value for c in result.checks} == {"timeout"}
    assert "12 s" in render(result.message_ref)


def test_infrastructure_error_is_not_a_zero(race_counter):
    run = SandboxRun(outcome=SandboxOutcome.INFRASTRUCTURE_ERROR,
                     message={"id": "infra_no_engine", "params": {"reason": "connection refused"}})
    result = judged(race_counter, run)
    assert result.status.value == "infrastructure_error" and result.score is None
    assert "not a problem with the submission" in render(result.message_ref)


def test_a_run_from_the_container_is_read_fail_closed():
    run = JudgeRun.from_dict({"report": "not a dict", "exit_code": "0", "timed_out": "yes", "log": 5})
    assert (run.report, run.exit_code, run.timed_out, run.log) == (None, None, False, "")


def test_the_judges_own_oom_count_is_read_and_wrong_types_count_nothing():
    assert JudgeRun.from_dict({"report": None, "exit_code": 0, "oom_kills": 2}).oom_kills == 2
    assert JudgeRun.from_dict({"report": None, "exit_code": 0, "oom_kills": "2"}).oom_kills == 0
    assert JudgeRun.from_dict({"report": None, "exit_code": 0, "oom_kills": True}).oom_kills == 0
    assert JudgeRun.from_dict({"report": None, "exit_code": 0, "forks_refused": 7}).forks_refused == 7
    assert JudgeRun.from_dict({"report": None, "exit_code": 0, "forks_refused": "7"}).forks_refused == 0


def test_a_memory_kill_the_judge_reported_counts_without_dockers_flag():
    from grader.host.sandboxes.container import _memory_killed

    killed = {"tests": [{"metadata": {"verdict": {"status": "crash", "message": {"id": "memory_limit"}}}}]}
    assert _memory_killed(JudgeRun(report=killed, exit_code=1))
    assert _memory_killed(JudgeRun(report=None, exit_code=1, oom_kills=1))
    assert not _memory_killed(JudgeRun(report={"tests": [{"metadata": {"verdict": {"status": "passed"}}}]},
                                       exit_code=0))
