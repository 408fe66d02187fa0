"""Schedule exploration decides the races that have no sleep in their window (tests/explore_cases/).

Each case is a small program whose main(**kwargs) must return `want`; exploration runs it under up
to the full budget of schedules, through real child interpreters, as a check would.
"""

from __future__ import annotations

import pytest

from grader.harness.judge import explore
from grader.harness.judge.api import expect
from grader.harness.judge.child_runner import scenario_request
from grader.harness.judge.failures import CheckFailed

from .explore_cases.cases import CASES, CASES_DIR, SCENARIO, explore_case


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


def _explore_source(tmp_path, source: str, want, budget: int = explore.DEFAULT_BUDGET):
    import textwrap

    path = tmp_path / "prog.py"
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    request = scenario_request(student_file=path, module="prog", scenario_source=SCENARIO,
                               function="call_main", backstop=10.0)

    def returns_want(obs):
        expect(obs["value"] == want, "main() returned {got}", got=obs["value"])

    return explore.explore(request=request, function="call_main", check=returns_want, budget=budget,
                           seed=explore.seed_for("test", source))


def test_a_failure_that_does_not_come_back_on_replay_fails_closed(tmp_path):
    # Wrong only on the second run inside one child (state kept in builtins, which a fresh child
    # does not have): found by the search, then gone on replay. Nothing to show: not a pass either.
    from grader.harness.judge.failures import NotReproduced

    with pytest.raises(NotReproduced) as info:
        _explore_source(tmp_path, """
            import builtins, threading
            lock = threading.Lock()
            def touch():
                with lock:
                    pass
            def main():
                builtins.runs = getattr(builtins, "runs", 0) + 1
                t = threading.Thread(target=touch)
                t.start()
                t.join()
                return "right" if builtins.runs != 2 else "wrong"
        """, want="right")
    assert info.value.schedule == 2


def test_a_spin_loop_starved_by_a_strategy_is_not_reported_as_a_hang(tmp_path):
    # The waiter's locals change on every turn (not a spin the detector can see), and PCT may give it
    # the highest priority: the starvation bound lets the setter run, so no schedule hangs.
    result = _explore_source(tmp_path, """
        import threading
        ready = False
        def setter():
            global ready
            ready = True
        def main():
            t = threading.Thread(target=setter)
            t.start()
            turns = 0
            while not ready:
                turns += 1
            t.join()
            return "done"
    """, want="done", budget=60)
    assert result.schedules == 60


def test_a_program_with_nothing_to_choose_has_one_schedule(tmp_path):
    assert _explore_source(tmp_path, """
        def main():
            return sum(range(10))
    """, want=45).schedules == 1


def test_a_replayed_schedule_gives_the_same_run(tmp_path):
    from grader.harness.judge.child_runner import run_scenario

    path = CASES_DIR / "counter_global.py"
    first = run_scenario(student_file=path, module="prog", scenario_source=SCENARIO, function="call_main",
                         run={"kind": "pct", "seed": 11, "depth": 3, "change_points": [3, 9]})
    schedule = first.schedule
    replay = run_scenario(student_file=path, module="prog", scenario_source=SCENARIO, function="call_main",
                          run={"kind": "replay", "decisions": schedule["decisions"], "widths": schedule["widths"]},
                          trace=True)
    assert replay.observations == first.observations
    assert replay.schedule["decisions"] == schedule["decisions"] and not replay.schedule["diverged"]
    assert replay.schedule["trace"]["events"]
