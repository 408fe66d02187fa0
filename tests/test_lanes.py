"""Exercises judged side by side (grader.harness.judge.lanes), with a fake judge and fake cgroup
counters: which results are believed, which are judged again alone, and in what order."""

from __future__ import annotations

import os
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


def test_a_count_that_moves_when_a_neighbour_ends_sends_back_what_ran_beside_it():
    """The /tmp filler's sweep counts the full /tmp at the end of its run, after its victim ended."""
    counters = Counters()
    both_inside = threading.Barrier(2)
    victim_done = threading.Event()
    published, calls = [], []

    def judge(job, lane):
        calls.append(job)
        if len(calls) <= 2:
            both_inside.wait(timeout=30)
            if job == "filler":
                assert victim_done.wait(timeout=30)
                assert published == []  # the victim's result is held while its neighbour runs
                counters.hits += 1
            else:
                victim_done.set()
        return {"job": job}

    again = judge_in_lanes(["filler", "victim"], ["lane1", "lane2"], judge,
                           lambda job, data: published.append(job), events=counters)
    assert sorted(again) == ["filler", "victim"] and sorted(published) == ["filler", "victim"]


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


def test_the_sweep_removes_the_users_files_and_counts_a_full_place(tmp_path, monkeypatch):
    from grader.harness.judge import scratch

    places = [tmp_path / "tmp", tmp_path / "shm"]
    for place in places:
        (place / "left-behind" / "deep").mkdir(parents=True)
        (place / "filler.bin").write_bytes(b"\0" * 1024)
    box = scratch.Scratch(tuple(str(p) for p in places))
    box.sweep(os.getuid(), os.getgid())
    assert [list(p.iterdir()) for p in places] == [[], []]
    assert box.full_count == 0  # plenty of room where the tests run
    monkeypatch.setattr(scratch, "FULL_BELOW", 1 << 62)  # as if every place had been left full
    box.sweep(os.getuid(), os.getgid())
    assert box.full_count == 1
