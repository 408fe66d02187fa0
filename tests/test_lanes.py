"""Exercises judged side by side (grader.harness.judge.lanes), with a fake judge and fake cgroup
counters: which results are believed, which are judged again alone, and in what order."""

from __future__ import annotations

import threading

import pytest

from grader.harness.judge.lanes import judge_in_lanes


class Counters:
    """The container's limit counters, moved by the fake judge when it 'hits a limit'."""

    def __init__(self):
        self.hits = 0

    def __call__(self) -> tuple:
        return (self.hits,)


def test_two_lanes_judge_at_once_and_publish_everything_once():
    both_inside = threading.Barrier(2)  # passes only if two judges are inside at the same time
    published, users_seen = {}, set()

    def judge(job, user):
        users_seen.add(user)
        if job in ("a", "b"):
            both_inside.wait(timeout=30)
        return {"job": job, "user": user}

    again = judge_in_lanes(["a", "b", "c", "d"], ["u1", "u2"], judge,
                           lambda job, data: published.setdefault(job, data), events=Counters())
    assert again == []
    assert sorted(published) == ["a", "b", "c", "d"]
    assert users_seen == {"u1", "u2"}
    assert {published["a"]["user"], published["b"]["user"]} == {"u1", "u2"}


def test_a_limit_hit_beside_another_exercise_sends_both_to_be_judged_again_alone():
    counters = Counters()
    both_inside = threading.Barrier(2)
    calls, published = [], []
    inside = set()
    lock = threading.Lock()

    def judge(job, user):
        with lock:
            calls.append((job, frozenset(inside)))
            inside.add(job)
        try:
            if len(calls) <= 2:
                both_inside.wait(timeout=30)
                if job == "bomb":
                    counters.hits += 1  # the fork bomb reaches the container's pids limit
                both_inside.wait(timeout=30)
            return {"job": job, "run": len([c for c in calls if c[0] == job])}
        finally:
            with lock:
                inside.discard(job)

    again = judge_in_lanes(["bomb", "correct"], ["u1", "u2"], judge,
                           lambda job, data: published.append((job, data)), events=counters)
    assert sorted(again) == ["bomb", "correct"]
    # Judged again one at a time, nothing beside them, and only those results are published.
    assert [beside for _, beside in calls[2:]] == [frozenset(), frozenset()]
    assert sorted(published) == [("bomb", {"job": "bomb", "run": 2}), ("correct", {"job": "correct", "run": 2})]


def test_a_limit_hit_by_an_exercise_judged_alone_is_its_own_result():
    counters = Counters()
    published = []

    def judge(job, user):
        counters.hits += 1
        return {"job": job}

    again = judge_in_lanes(["bomb", "other"], ["u1"], judge, lambda job, data: published.append(job),
                           events=counters)
    assert again == [] and published == ["bomb", "other"]


def test_judged_again_quickest_first():
    counters = Counters()
    spent = threading.local()  # each lane's own clock: what its judge says it took
    both_inside = threading.Barrier(2)
    order = []

    def judge(job, user):
        order.append(job)
        if len(order) <= 2:
            both_inside.wait(timeout=30)
            counters.hits += 1
            spent.seconds = getattr(spent, "seconds", 0.0) + {"slow": 60.0, "quick": 0.5}[job]
        return {}

    again = judge_in_lanes(["slow", "quick"], ["u1", "u2"], judge, lambda job, data: None, events=counters,
                           clock=lambda: getattr(spent, "seconds", 0.0))
    assert again == ["quick", "slow"]
    assert order[2:] == ["quick", "slow"]


def test_a_judge_that_fails_fails_the_whole_entry():
    def judge(job, user):
        if job == "b":
            raise OSError("no space left for the work folder")
        return {}

    published = []
    with pytest.raises(OSError, match="no space"):
        judge_in_lanes(["a", "b", "c"], ["u1", "u2"], judge, lambda job, data: published.append(job),
                       events=Counters())
    assert "b" not in published


def test_a_judge_that_cannot_start_beside_a_limit_hit_is_judged_again_alone():
    counters = Counters()
    both_inside = threading.Barrier(2)
    calls, published = [], []

    def judge(job, user):
        calls.append(job)
        if len(calls) <= 2:
            both_inside.wait(timeout=30)
            if job == "bomb":
                counters.hits += 1
            both_inside.wait(timeout=30)
            if job == "correct":
                raise BlockingIOError(11, "Resource temporarily unavailable")  # fork() at the pids limit
        return {"job": job}

    again = judge_in_lanes(["bomb", "correct"], ["u1", "u2"], judge,
                           lambda job, data: published.append(job), events=counters)
    assert sorted(again) == ["bomb", "correct"] and sorted(published) == ["bomb", "correct"]
