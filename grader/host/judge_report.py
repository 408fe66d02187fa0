"""Read the judge's pytest-json-report into one verdict per check (pure functions).

Fail closed: a check is passed only when pytest says every one of its test items passed *and* the
judge plugin recorded a passing verdict for each. Anything else is a verdict with a status.
"""

from __future__ import annotations

from dataclasses import dataclass, field

SEVERITY = ["passed", "failed", "error", "timeout", "deadlock", "crash", "tampered"]


@dataclass
class JudgeRun:
    """What the sandbox hands back after running the judge for one exercise."""

    report: dict | None
    exit_code: int | None
    timed_out: bool = False
    time_limit: float = 0.0
    log: str = ""
    oom_kills: int = 0  # processes the OOM killer ended while this judge ran (container sandbox)
    forks_refused: int = 0  # new processes or threads the container's pids limit refused meanwhile

    @classmethod
    def from_dict(cls, data: dict) -> JudgeRun:
        """Read what `grader.harness.judge.launch.run_judge` returned; wrong types fail closed."""
        report = data.get("report")
        code = data.get("exit_code")
        limit = data.get("time_limit")
        log = data.get("log")
        return cls(
            report=report if isinstance(report, dict) else None,
            exit_code=code if isinstance(code, int) else None,
            timed_out=data.get("timed_out") is True,
            time_limit=float(limit) if isinstance(limit, (int, float)) else 0.0,
            log=log if isinstance(log, str) else "",
            oom_kills=data["oom_kills"] if type(data.get("oom_kills")) is int else 0,
            forks_refused=data["forks_refused"] if type(data.get("forks_refused")) is int else 0,
        )


@dataclass
class CheckVerdict:
    status: str
    message: dict = field(default_factory=dict)
    verdict: dict = field(default_factory=dict)  # the whole verdict of the deciding item


def check_name(nodeid: str) -> str | None:
    """`tests/test_x.py::test_name[param]` -> `name`."""
    last = nodeid.split("::")[-1].split("[")[0]
    return last[len("test_"):] if last.startswith("test_") else None


def item_verdict(test: dict) -> CheckVerdict:
    outcome = test.get("outcome")
    verdict = (test.get("metadata") or {}).get("verdict")
    if not isinstance(verdict, dict):
        verdict = None
    if outcome == "passed":
        if verdict and verdict.get("status") == "passed":
            return CheckVerdict("passed", verdict=verdict)
        return CheckVerdict("error", {"id": "check_not_reported"})
    if outcome in ("skipped", "xfailed", "xpassed"):
        return CheckVerdict("error", {"id": "judge_skipped"})
    if verdict and verdict.get("status") in SEVERITY and verdict["status"] != "passed":
        return CheckVerdict(verdict["status"], verdict.get("message") or {}, verdict)
    return CheckVerdict("error", {"id": "judge_error"})


def check_verdicts(run: JudgeRun, expected: list[str]) -> dict[str, CheckVerdict]:
    """One verdict per expected check, whatever happened to the judge."""
    if run.report is None:
        if run.timed_out:
            missing = CheckVerdict("timeout", {"id": "judge_timeout", "params": {"seconds": run.time_limit}})
        else:
            missing = CheckVerdict("error", {"id": "judge_no_report", "params": {"code": run.exit_code}})
        return {name: missing for name in expected}
    collect_failed = any(c.get("outcome") == "failed" for c in run.report.get("collectors") or [])
    items: dict[str, list[CheckVerdict]] = {}
    for test in run.report.get("tests") or []:
        name = check_name(str(test.get("nodeid", "")))
        if name in expected:
            items.setdefault(name, []).append(item_verdict(test))
    result = {}
    for name in expected:
        verdicts = items.get(name)
        if not verdicts:
            if collect_failed:
                result[name] = CheckVerdict("error", {"id": "judge_collect_error"})
            elif run.timed_out:
                result[name] = CheckVerdict("timeout", {"id": "judge_timeout", "params": {"seconds": run.time_limit}})
            else:
                result[name] = CheckVerdict("error", {"id": "check_not_reported"})
            continue
        failing = [v for v in verdicts if v.status != "passed"]
        result[name] = failing[0] if failing else verdicts[0]
    return result
