"""The exploration cases (expected.yaml beside this file), run the way a check runs them.

Shared by tests/test_exploration.py, bench/exploration.py and bench/stability.py.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from grader.harness.judge import explore
from grader.harness.judge.api import expect
from grader.harness.judge.child_runner import scenario_request
from grader.harness.judge.failures import CheckFailed, ScenarioProblem

CASES_DIR = Path(__file__).resolve().parent
CASES: dict[str, dict] = yaml.safe_load((CASES_DIR / "expected.yaml").read_text(encoding="utf-8"))
SCENARIO = """
def call_main(module, probe, **kwargs):
    return {"value": probe.encode(module.main(**kwargs))}
"""


def explore_case(name: str, budget: int = explore.DEFAULT_BUDGET):
    """Explore one case: its Exploration if no schedule fails, else the error the check ends with."""
    case = CASES[name]
    request = scenario_request(student_file=CASES_DIR / f"{case['program']}.py", module="prog",
                               scenario_source=SCENARIO, function="call_main", kwargs=case.get("kwargs", {}),
                               backstop=10.0)

    def returns_want(obs):
        expect(obs["value"] == case["want"], "main() returned {got}", got=obs["value"])

    try:
        return explore.explore(request=request, function="call_main", check=returns_want, budget=budget,
                               seed=explore.seed_for("explore-cases", name))
    except (CheckFailed, ScenarioProblem) as exc:
        return exc


def outcome(result) -> tuple[str, int, list]:
    """(what happened, schedules, interleaving steps): equal on every run of a case."""
    if isinstance(result, explore.Exploration):
        return "never", result.schedules, []
    status = "failed" if isinstance(result, CheckFailed) else result.outcome.status
    trace = result.interleaving or {}
    return status, trace.get("schedule", 0), trace.get("steps", [])
