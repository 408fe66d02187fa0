"""Foreseeing a schedule's run from the runs already made (grader.harness.judge.schedule_tree):
checked against real children, and its fail-safe on made-up runs."""

from __future__ import annotations

import random
from pathlib import Path

from grader.harness.judge import explore
from grader.harness.judge.child_runner import Outcome, scenario_request
from grader.harness.judge.schedule_tree import ScheduleTree

from .explore_cases.cases import CASES, CASES_DIR, SCENARIO


def _request(name: str) -> dict:
    case = CASES[name]
    return scenario_request(student_file=CASES_DIR / f"{case['program']}.py", module="prog",
                            scenario_source=SCENARIO, function="call_main", kwargs=case.get("kwargs", {}),
                            backstop=10.0)


def test_every_foreseen_run_is_the_run_a_child_makes():
    # A correct program (no schedule fails): the plan's every schedule, foreseen where the tree can,
    # and run for real too, in a child of its own. What was foreseen must be exactly what ran.
    name = "queue_check_and_get_under_lock"
    assert CASES[name]["found"] == "never"
    runs = explore._Runs({**_request(name), "steplog": True})
    tree = ScheduleTree()
    try:
        first = runs.run(explore.FIRST)
        tree.add(explore.FIRST, first)
        plan = explore.Plan(first.schedule["widths"], 120, explore.seed_for("tree-test", name))
        foreseen, real_runs, distinct = 0, 0, {tuple(first.schedule["decisions"])}
        for spec in plan:
            guess = tree.foresee(spec)
            real = runs.run(spec)
            plan.saw(real.schedule.get("steps"))
            distinct.add(tuple(real.schedule["decisions"]))
            if guess is None:
                real_runs += 1
                tree.add(spec, real)
                continue
            foreseen += 1
            assert spec["kind"] in ("pct", "random")
            assert guess.schedule["decisions"] == real.schedule["decisions"], spec
            assert (guess.status, guess.observations) == (real.status, real.observations), spec
    finally:
        runs.close()
    assert tree.consistent
    assert foreseen > 0  # many seeded schedules repeat a run on so small a program
    assert real_runs + 1 == len(distinct)  # and each repeat, only those, was foreseen


def _outcome(decisions: list[int], orders: list[list[int]], value: int = 1) -> Outcome:
    return Outcome(status="ok", observations={"value": value}, result={"schedule": {
        "steps": len(decisions), "decisions": decisions, "widths": [len(o) for o in orders],
        "steplog": [[o, True, None, []] for o in orders], "created": [[0, 0], [0, 1]]}})


def _walk(seed: int) -> tuple[int, int]:
    """A random walk's first two choices among two candidates (strategies.RandomWalk)."""
    rng = random.Random(seed)
    return rng.randrange(2), rng.randrange(2)


def test_a_run_that_agrees_is_foreseen_and_a_new_choice_is_not():
    tree = ScheduleTree()
    tree.add(explore.FIRST, _outcome([0, 0], [[0, 1], [0, 1]]))
    same = next(s for s in range(100) if _walk(s) == (0, 0))  # a random walk that makes the run above
    foreseen = tree.foresee({"kind": "random", "seed": same})
    assert foreseen is not None and foreseen.observations == {"value": 1}
    other = next(s for s in range(100) if _walk(s) != (0, 0))
    assert tree.foresee({"kind": "random", "seed": other}) is None
    assert tree.foresee({"kind": "preempt", "at": [[0, 0]]}) is None  # never foreseen: always run
    assert tree.foresee(explore.FIRST) is None


def test_a_run_that_disagrees_with_the_tree_turns_foreseeing_off():
    tree = ScheduleTree()
    tree.add(explore.FIRST, _outcome([0, 0], [[0, 1], [0, 1]]))
    tree.add(explore.FIRST, _outcome([0, 1], [[0, 1], [1, 0]]))  # the same first choice, yet other candidates next
    assert not tree.consistent
    assert all(tree.foresee({"kind": "random", "seed": s}) is None for s in range(20))


def test_the_same_choices_ending_otherwise_turn_foreseeing_off():
    tree = ScheduleTree()
    tree.add(explore.FIRST, _outcome([0, 0], [[0, 1], [0, 1]], value=1))
    tree.add(explore.FIRST, _outcome([0, 0], [[0, 1], [0, 1]], value=2))
    assert not tree.consistent


def test_a_run_without_its_step_log_is_left_out():
    tree = ScheduleTree()
    tree.add(explore.FIRST, Outcome(status="timeout"))
    assert tree.consistent and not tree.roots


def test_only_an_exploration_asks_the_child_for_its_step_log():
    from grader.harness.judge.child_runner import run_scenario

    name = "queue_check_and_get_under_lock"
    request = _request(name)
    plain = run_scenario(**{k: request[k] for k in ("module", "scenario_source", "function", "kwargs", "backstop")},
                         student_file=Path(request["student_file"]))
    assert plain.ok and "steplog" not in plain.schedule
    runs = explore._Runs({**request, "steplog": True})
    try:
        explored = runs.run(explore.FIRST)
    finally:
        runs.close()
    assert len(explored.schedule["steplog"]) == explored.schedule["steps"] == len(plain.schedule["decisions"])


def test_a_run_with_timed_waits_run_out_early_is_never_foreseen_from_one_without():
    # An expiry changes a run without changing its choices: each set of expiries has its own tree.
    tree = ScheduleTree()
    tree.add(explore.FIRST, _outcome([0, 0], [[0, 1], [0, 1]]))
    same = next(s for s in range(100) if _walk(s) == (0, 0))
    assert tree.foresee({"kind": "random", "seed": same}) is not None
    assert tree.foresee({"kind": "random", "seed": same, "expire": [0]}) is None
    tree.add({"kind": "pct", "seed": 1, "change_points": [], "depth": 2, "expire": [0]},
             _outcome([0, 0], [[0, 1], [0, 1]], value=3))
    assert tree.consistent
    assert tree.foresee({"kind": "random", "seed": same, "expire": [0]}).observations == {"value": 3}
    assert tree.foresee({"kind": "random", "seed": same}).observations == {"value": 1}


def test_an_exploration_whose_run_disagrees_with_the_tree_searches_again_with_every_schedule_run(monkeypatch):
    from grader.harness.judge import schedule_tree

    name = "queue_check_and_get_under_lock"
    request = _request(name)
    seen: list[bool] = []
    original = explore._Runs.run

    def run(self, spec, trace=False):
        seen.append(bool(self.request.get("steplog")))
        return original(self, spec, trace)

    def add(self, spec, outcome):
        if spec.get("kind") == "pct":
            self.consistent = False  # as if a real run had disagreed

    monkeypatch.setattr(explore._Runs, "run", run)
    monkeypatch.setattr(schedule_tree.ScheduleTree, "add", add)
    found = explore.explore(request=request, function="call_main", check=lambda obs: None, budget=40, seed=7)
    assert found.schedules == 40
    assert seen.count(False) == 40  # the search again: run 0 and 39 schedules, all of them run
