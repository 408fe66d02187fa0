"""The longest exercises are judged first, from this process's own past gradings (host/judge_order.py)."""

from grader.host.judge_order import JudgeTimes
from grader.host.judge_report import JudgeRun
from grader.host.packs import load_all
from grader.host.sandboxes.base import JudgeJob

from .conftest import ROOT


def _jobs(*slugs):
    exercises = {ex.slug: ex for ex in load_all(ROOT / "exercises")}
    return [JudgeJob(exercises[slug], b"x = 1\n") for slug in slugs]


def _run(seconds=None, timed_out=False, limit=60.0):
    return JudgeRun(report=None if seconds is None else {"duration": seconds}, exit_code=0,
                    timed_out=timed_out, time_limit=limit)


def test_never_seen_exercises_keep_the_plan_order():
    jobs = _jobs("race-counter", "bounded-desks", "word-tally")
    assert JudgeTimes().longest_first(jobs) == jobs


def test_the_longest_seen_go_first_and_the_unseen_before_them():
    times = JudgeTimes()
    jobs = _jobs("bounded-desks", "race-counter", "word-tally", "queue-drain")
    times.note(jobs[:3], {"bounded-desks": _run(0.3), "race-counter": _run(0.9), "word-tally": _run(1.2)})
    assert [j.exercise.slug for j in times.longest_first(jobs)] == [
        "queue-drain", "word-tally", "race-counter", "bounded-desks"]


def test_a_timed_out_judge_counts_its_whole_time_limit_and_one_hang_does_not_reorder():
    times = JudgeTimes()
    jobs = _jobs("bounded-desks", "race-counter")
    times.note(jobs, {"bounded-desks": _run(timed_out=True, limit=60.0), "race-counter": _run(0.9)})
    assert [j.exercise.slug for j in times.longest_first(jobs)] == ["bounded-desks", "race-counter"]
    for _ in range(2):  # the median of the last ones: the hang is outvoted
        times.note(jobs, {"bounded-desks": _run(0.3), "race-counter": _run(0.9)})
    assert [j.exercise.slug for j in times.longest_first(jobs)] == ["race-counter", "bounded-desks"]


def test_a_run_without_a_report_or_a_duration_teaches_nothing():
    times = JudgeTimes()
    jobs = _jobs("bounded-desks")
    times.note(jobs, {"bounded-desks": _run()})
    times.note(jobs, {"bounded-desks": JudgeRun(report={"duration": "long"}, exit_code=0)})
    times.note(jobs, {})
    assert times.expected(jobs[0]) is None
