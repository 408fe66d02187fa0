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
    if case.get("expired"):  # found by a timed wait running out early, at `line`, with no preemption
        assert trace["strategy"]["kind"] == "expire", trace["strategy"]
        gave_up = ("trace_acquire_timed_out", "trace_queue_found_empty")  # a wait, or a queue's get, ran out
        ran_out = [s for s in trace["steps"] if (s.get("what") or {}).get("id") in gave_up]
        assert ran_out and ran_out[0]["line"] == case["line"], trace["steps"]
    else:
        preempted = [s for s in trace["steps"] if s.get("preempted")]
        assert preempted, trace["steps"]
        if "line" in case:
            assert preempted[0]["line"] == case["line"], preempted[0]
    if "raises" in case:  # a thread died: of that exception, raised at that line of the program
        died = got.outcome.result
        assert (died["type"], died["stack"][-1]["line"]) == (case["raises"], case["raised_at"]), died
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


def test_a_thread_that_dies_under_a_searched_schedule_fails_the_check(tmp_path):
    # Issue 23: the result is complete under every schedule (the other worker takes the item), so the
    # check accepts every one; the worker that dies of queue.Empty in between fails the schedule.
    from grader.harness.judge.failures import ScenarioProblem
    from grader.harness.judge.verdicts import verdict_for

    with pytest.raises(ScenarioProblem) as info:
        _explore_source(tmp_path, """
            import queue, threading
            def work(q, done):
                while not q.empty():
                    done.append(q.get_nowait())
            def main():
                q = queue.Queue()
                q.put(1)
                done = []
                threads = [threading.Thread(target=work, args=(q, done), name=f"w{i}") for i in (1, 2)]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join()
                return done
        """, want=[1])
    problem = info.value
    assert problem.outcome.status == "thread_exception"
    died = problem.outcome.result
    assert (died["thread"], died["type"], died["stack"][-1]["line"]) == ("w1", "Empty", 5)
    assert problem.interleaving and problem.interleaving["schedule"] > 1  # found by the search, replayed
    assert any(s.get("preempted") for s in problem.interleaving["steps"])
    verdict = verdict_for(problem, str(tmp_path / "prog.py"))
    assert verdict["status"] == "error" and verdict["message"] == {"id": "exception_thread_schedule", "params": {
        "thread": "w1", "error": "Empty", "type": "Empty", "message": "", "line": 5,
        "code": "done.append(q.get_nowait())"}}
    assert verdict["stack"][-1]["line"] == 5 and verdict["interleaving"] == problem.interleaving


def test_a_thread_that_dies_under_the_first_schedule_fails_it_without_a_search(tmp_path):
    from grader.harness.judge.failures import ScenarioProblem

    with pytest.raises(ScenarioProblem) as info:
        _explore_source(tmp_path, """
            import threading
            def work():
                raise KeyError("gone")
            def main():
                t = threading.Thread(target=work, name="worker")
                t.start()
                t.join()
                return "done"
        """, want="done")
    died = info.value.outcome.result
    assert (died["thread"], died["type"], died["message"], died["stack"][-1]["line"]) == ("worker", "KeyError",
                                                                                         "'gone'", 4)
    assert info.value.interleaving is None  # run 0, as student.run would have run it


def test_the_checks_own_message_comes_before_a_thread_death(tmp_path):
    # A pack that looks at thread errors (or at what a dead thread left undone) says it its own way.
    from grader.harness.judge.failures import CheckFailed

    with pytest.raises(CheckFailed) as info:
        _explore_source(tmp_path, """
            import threading
            def work():
                raise KeyError("gone")
            def main():
                t = threading.Thread(target=work)
                t.start()
                t.join()
                return "done"
        """, want="something else")
    assert info.value.message == "main() returned done"


def test_a_thread_ended_by_system_exit_did_not_die(tmp_path):
    # threading ends a thread quietly on SystemExit (sys.exit() in a thread): not a failure.
    result = _explore_source(tmp_path, """
        import sys, threading
        def work():
            sys.exit()
        def main():
            t = threading.Thread(target=work)
            t.start()
            t.join()
            return "done"
    """, want="done", budget=10)
    assert isinstance(result, explore.Exploration)


def test_a_random_walks_failure_is_shown_with_fewer_pauses_each_one_needed(monkeypatch):
    # Issue 23, item 9: the trace shows the shortest failing schedule the search found. A random walk
    # finds lazy_lock_creation's lost update with pauses it does not need; shrinking drops them.
    found = explore_case("lazy_lock_creation")
    with monkeypatch.context() as m:
        m.setattr(explore, "_fewer_choices", lambda runs, failure, *args, **kwargs: failure)
        unshrunk = explore_case("lazy_lock_creation")
    assert found.interleaving["strategy"]["kind"] == unshrunk.interleaving["strategy"]["kind"] == "random"
    assert found.interleaving["schedule"] == unshrunk.interleaving["schedule"]  # named for where it was found
    assert found.interleaving["preemptions"] < unshrunk.interleaving["preemptions"], (found.interleaving,
                                                                                     unshrunk.interleaving)
    assert len(found.interleaving["steps"]) < len(unshrunk.interleaving["steps"])


def test_a_pinned_schedule_follows_threads_not_positions():
    from grader.harness.child.scheduler import ThreadState
    from grader.harness.child.strategies import from_spec

    a, b, c = (ThreadState(order, name) for order, name in enumerate("abc"))
    pinned = from_spec({"kind": "pinned", "pins": [[1, 2], [4, 0]]})
    assert pinned.choose(0, [a, b, c], True) == 0  # not pinned: the first schedule's choice
    assert pinned.choose(1, [a, b, c], True) == 2 and pinned.choose(1, [c, a], True) == 0
    assert pinned.choose(4, [b, c], True) == 0  # the pinned thread is not a candidate: 0, never a divergence
    assert explore.pins({"decisions": [0, 1, 0, 2], "chosen": [0, 1, 1, 2]}) == [[1, 1], [3, 2]]
