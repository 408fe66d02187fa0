"""Schedule exploration decides the races that have no sleep in their window (tests/explore_cases/).

Each case is a small program whose main(**kwargs) must return `want`; exploration runs it under up
to the full budget of schedules, through real child interpreters, as a check would.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from grader.harness.judge import explore
from grader.harness.judge.api import expect
from grader.harness.judge.child_runner import scenario_request
from grader.harness.judge.failures import CheckFailed, ScenarioProblem

CASES_DIR = Path(__file__).resolve().parent / "explore_cases"
CASES = yaml.safe_load((CASES_DIR / "expected.yaml").read_text(encoding="utf-8"))
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


@pytest.mark.parametrize("name", sorted(CASES))
def test_exploration_decides(name):
    case = CASES[name]
    got = explore_case(name)
    if case["found"] == "never":
        assert isinstance(got, explore.Exploration), (name, getattr(got, "interleaving", got))
        assert got.schedules == explore.DEFAULT_BUDGET
        return
    status = "failed" if isinstance(got, CheckFailed) else getattr(got, "outcome", None) and got.outcome.status
    assert status == case["found"], (name, got)
    trace = got.interleaving
    assert trace is not None and trace["schedule"] <= case["within"], (name, trace and trace["schedule"])
    preempted = [s for s in trace["steps"] if s.get("preempted")]
    assert preempted, trace["steps"]
    if "line" in case:
        assert preempted[0]["line"] == case["line"], preempted[0]
    # The same submission meets the same schedules: found again at the same place, same steps.
    again = explore_case(name)
    assert again.interleaving == trace
