"""Reading the judge's report fails closed (pure functions, no pytest run needed)."""

from __future__ import annotations

from grader.host.judge_report import JudgeRun, check_name, check_verdicts

PASS = {"verdict": {"status": "passed"}}


def _test(name, outcome, metadata=None):
    t = {"nodeid": f"tests/test_x.py::test_{name}", "outcome": outcome}
    if metadata is not None:
        t["metadata"] = metadata
    return t


def _run(tests, collectors=(), **kw):
    return JudgeRun(report={"tests": list(tests), "collectors": list(collectors)}, exit_code=1, **kw)


def test_check_name_strips_params_and_classes():
    assert check_name("tests/test_x.py::TestA::test_runs_fast[3-4]") == "runs_fast"
    assert check_name("tests/test_x.py::helper") is None


def test_passed_needs_the_judges_verdict():
    v = check_verdicts(_run([_test("a", "passed", PASS), _test("b", "passed")]), ["a", "b"])
    assert v["a"].status == "passed"
    assert v["b"].status == "error" and v["b"].message["id"] == "check_not_reported"


def test_skips_and_xfails_earn_nothing():
    tests = [_test("a", "skipped"), _test("b", "xfailed"), _test("c", "xpassed", PASS)]
    v = check_verdicts(_run(tests), ["a", "b", "c"])
    assert {k: x.status for k, x in v.items()} == {"a": "error", "b": "error", "c": "error"}


def test_a_check_the_judge_never_ran_is_not_passed():
    v = check_verdicts(_run([_test("a", "passed", PASS)]), ["a", "b"])
    assert v["b"].status == "error"


def test_unlisted_tests_are_ignored():
    v = check_verdicts(_run([_test("a", "passed", PASS), _test("extra", "passed", PASS)]), ["a"])
    assert list(v) == ["a"]


def test_every_parametrized_item_must_pass():
    tests = [
        {"nodeid": "t.py::test_a[1]", "outcome": "passed", "metadata": PASS},
        {"nodeid": "t.py::test_a[2]", "outcome": "failed",
         "metadata": {"verdict": {"status": "deadlock", "message": {"id": "deadlock_self"}}}},
    ]
    v = check_verdicts(_run(tests), ["a"])
    assert v["a"].status == "deadlock"


def test_failure_without_a_verdict_is_a_judge_error():
    v = check_verdicts(_run([_test("a", "failed")]), ["a"])
    assert v["a"].status == "error" and v["a"].message["id"] == "judge_error"


def test_missing_report():
    v = check_verdicts(JudgeRun(report=None, exit_code=-9), ["a"])
    assert v["a"].status == "error" and v["a"].message["params"]["code"] == -9


def test_judge_timeout():
    v = check_verdicts(JudgeRun(report=None, exit_code=-9, timed_out=True, time_limit=60), ["a"])
    assert v["a"].status == "timeout"


def test_collection_error():
    v = check_verdicts(_run([], collectors=[{"nodeid": "t.py", "outcome": "failed"}]), ["a"])
    assert v["a"].message["id"] == "judge_collect_error"


def test_unknown_verdict_status_is_not_trusted():
    v = check_verdicts(_run([_test("a", "failed", {"verdict": {"status": "excellent"}})]), ["a"])
    assert v["a"].status == "error"
