"""The exploration's plan, shrinking and seeds, and how an interleaving is cut and told (pure)."""

from __future__ import annotations

from grader.harness.judge import explore
from grader.harness.judge.interleaving import steps
from grader.host import report_text as trace_text


def test_one_preemption_schedules_come_first_in_step_and_candidate_order():
    plan = list(explore.Plan([2, 1, 3], budget=20, seed=7))
    assert plan[:3] == [{"kind": "preempt", "at": [[0, 1]]}, {"kind": "preempt", "at": [[2, 1]]},
                        {"kind": "preempt", "at": [[2, 2]]}]
    rest = plan[3:]
    assert len(plan) == 19  # run 0 is the twentieth
    assert [s["kind"] for s in rest[:6]] == ["pct", "pct", "random", "pct", "pct", "random"]
    assert [s["depth"] for s in rest if s["kind"] == "pct"][:2] == [2, 3]
    assert all(len(s["change_points"]) == s["depth"] - 1 for s in rest if s["kind"] == "pct")
    assert all(0 <= p < 3 for s in rest if s["kind"] == "pct" for p in s["change_points"])


def test_too_many_one_preemption_schedules_leave_the_budget_to_pct():
    plan = list(explore.Plan([5] * 100, budget=50, seed=1))  # 400 one-preemption schedules
    assert len(plan) == 49 and {s["kind"] for s in plan} == {"pct", "random"}


def test_timed_waits_run_out_early_first_one_by_one_then_in_every_other_seeded_schedule():
    # Issue 23, item 2: a timed wait never ran out while another thread could run.
    plain = list(explore.Plan([2, 1, 3], budget=40, seed=7))
    timed = list(explore.Plan([2, 1, 3], budget=40, seed=7, timed_waits=3))
    assert not any("expire" in s for s in plain)  # no timed wait: the schedules they always were
    assert timed[:3] == [{"kind": "first", "expire": [k]} for k in range(3)]
    assert timed[3:6] == plain[:3]  # then the one-preemption round, as before
    seeded = timed[6:]
    assert len(timed) == 39 and [("expire" in s) for s in seeded[:4]] == [False, True, False, True]
    assert all(0 <= s["expire"][0] < 3 for s in seeded if "expire" in s)
    # At most a tenth of the budget for the one-by-one round, however many timed waits run 0 began.
    assert sum(1 for s in explore.Plan([2], budget=40, seed=7, timed_waits=100) if s["kind"] == "first") == 3


def test_the_plan_is_the_same_for_the_same_seed_and_longer_runs_widen_pct():
    a, b = explore.Plan([2, 2], 30, 5), explore.Plan([2, 2], 30, 5)
    assert list(a) == list(b)
    other = list(explore.Plan([2, 2], 30, 6))
    assert other != list(explore.Plan([2, 2], 30, 5))
    grown = explore.Plan([2, 2], 30, 5)
    specs = iter(grown)
    for spec in specs:
        if spec["kind"] == "pct":
            break
    grown.saw(1000)
    later = [s for s in specs if s["kind"] == "pct"]
    assert any(p >= 2 for s in later for p in s["change_points"])


def test_seeds_are_stable_and_differ_by_check():
    assert explore.seed_for("race-counter", "test_x", "run", {"n": 1}) == explore.seed_for(
        "race-counter", "test_x", "run", {"n": 1})
    assert explore.seed_for("race-counter", "test_x", "run", {"n": 1}) != explore.seed_for(
        "race-counter", "test_y", "run", {"n": 1})
    assert explore.seed_for("a") == 529978260370350907  # pinned: a change would change every schedule met


def test_shrinking_drops_one_change_point_at_a_time():
    spec = {"kind": "pct", "seed": 3, "depth": 3, "change_points": [4, 9]}
    assert explore.shrink_candidates(spec) == [{**spec, "change_points": [9]}, {**spec, "change_points": [4]}]
    assert explore.shrink_candidates({"kind": "preempt", "at": [[1, 1]]}) == []


def ev(t, line, op, **kw):
    event = {"t": t, "line": line, "code": f"code {line}", "op": op}
    if kw.get("p"):
        event["p"] = kw["p"]
    if kw.get("pre"):
        event["pre"] = True
    if kw.get("end"):
        event["end"] = True
    return event


def test_turns_start_before_the_first_pause_and_repeats_collapse():
    events = [ev("Main", 1, "queue_put", p={"n": 1})] * 3 + [
        ev("Main", 2, "starts", p={"thread": "A"}),
        ev("A", 7, "queue_saw_items", p={"n": 1}),
        ev("A", 9, "paused", p={"at": "op"}, pre=True),
        ev("B", 7, "queue_saw_items", p={"n": 1}),
        ev("B", 9, "queue_got_last"),
        ev("B", 7, "queue_saw_empty", end=True),
        ev("A", 9, "waits_queue_empty"),
    ]
    out = steps(events, stuck={"A"})
    assert [(s["n"], s["thread"], s["what"]["id"]) for s in out] == [
        (1, "Main", "trace_queue_put"), (2, "Main", "trace_starts"), (3, "A", "trace_queue_saw_items"),
        (4, "A", "trace_paused"), (5, "B", "trace_queue_saw_items"), (6, "B", "trace_queue_got_last"),
        (7, "B", "trace_queue_saw_empty"), (8, "A", "trace_waits_queue_empty")]
    assert out[0]["repeat"] == 3 and out[3]["preempted"] and out[6]["finished"] and out[7]["forever"]
    assert "forever" not in out[4]


def test_a_read_and_write_of_one_name_on_one_line_is_one_update_unless_paused_between():
    name = {"name": ".value"}
    events = [ev("A", 5, "read_name", p=name), ev("A", 5, "write_name", p=name),
              ev("A", 5, "read_name", p=name), ev("A", 5, "write_name", p=name),
              ev("A", 5, "paused", p={"at": "write"}, pre=True), ev("B", 5, "read_name", p=name)]
    out = steps(events)
    assert [(s["what"]["id"], s.get("repeat")) for s in out] == [
        ("trace_update_name", 2), ("trace_paused", None), ("trace_read_name", None)]


def test_each_step_says_which_locks_its_thread_holds_even_two_made_on_one_line():
    a, b = {"kind": "Lock", "line": 3, "id": 1}, {"kind": "Lock", "line": 3, "id": 2}
    events = [ev("A", 8, "acquired", p={"prim": a}), ev("A", 9, "paused", p={"at": "op"}, pre=True),
              ev("B", 8, "acquired", p={"prim": b}), ev("B", 9, "waits_owned", p={"prim": a, "owner": "A"}),
              ev("A", 9, "waits_owned", p={"prim": b, "owner": "B"})]
    out = steps(events, stuck={"A", "B"})
    assert [(s["thread"], s.get("holds")) for s in out] == [
        ("A", [a]), ("A", [a]), ("B", [b]), ("B", [b]), ("A", [a])]
    # taken twice (an RLock), released once: still held; a release the thread never took: nothing
    r = {"kind": "RLock", "line": 2, "id": 3}
    events = [ev("A", 5, "acquired", p={"prim": r}), ev("A", 6, "acquired_again", p={"prim": r, "depth": 2}),
              ev("A", 7, "released", p={"prim": r}), ev("A", 8, "paused", pre=True),
              ev("B", 9, "sem_released", p={"prim": {"kind": "Semaphore", "line": 1, "id": 4}, "value": 1})]
    out = steps(events)
    assert [s.get("holds") for s in out] == [[r], [r], [r], [r], None]


def test_long_turns_and_long_traces_keep_their_ends_with_gaps():
    events = [ev("A", i, "write_item") for i in range(20)] + [ev("A", 99, "paused", pre=True)]
    for k in range(40):
        events.append(ev("B" if k % 2 else "C", 50, "write_item"))
    out = steps(events)
    assert {"gap": 16, "of": "steps"} in out  # A's 21 steps: 2 first, a gap, 3 last (the pause among them)
    assert any(s.get("of") == "turns" for s in out)
    numbered = [s["n"] for s in out if "n" in s]
    assert numbered == list(range(1, len(numbered) + 1))


def test_a_trace_reads_in_english_and_chinese():
    interleaving = {"schedule": 3, "strategy": {"kind": "pct", "depth": 2}, "race_note": True, "steps": [
        {"n": 1, "thread": "A", "line": 4, "code": "with lock:",
         "what": {"id": "trace_waits_owned", "params": {"prim": {"kind": "Lock", "line": 2}, "owner": "B"}},
         "forever": True},
        {"gap": 2, "of": "turns"},
        {"n": 2, "thread": "B", "line": 8, "code": "q.put(x)", "what": {"id": "trace_queue_put", "params": {"n": 3}},
         "repeat": 2}]}
    en = trace_text.lines(interleaving, "en")
    assert en[0].startswith("The grader tried the threads in different orders and found this one after 3 "
                            "schedules (randomized priorities, depth 2)")
    assert en[1] == "  1. A · line 4 `with lock:` · waits for the Lock of line 2, held by B, and waits forever"
    assert en[2] == "   … 2 more switches between threads …"
    assert en[3] == "  2. B · line 8 `q.put(x)` · puts an item (3 in the queue now) ×2"
    assert en[4].startswith("Why you may never see this on your own computer")
    zh = trace_text.lines(interleaving, "zh")
    assert zh[1] == "  1. A · 第 4 行 `with lock:` · 等待第 2 行创建的 Lock，它被 B 持有，并且永远等下去"
    assert zh[3] == "  2. B · 第 8 行 `q.put(x)` · 放入一个元素（队列里现在有 3 个） ×2"
