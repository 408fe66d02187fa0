"""The interleaving's picture, its geometry alone (grader/host/timeline.py, pure): lanes, rows, the
pause, a lost update, held locks as bars, a deadlock's circle of waits."""

from __future__ import annotations

import copy

from grader.host.timeline import ARROW_H, HEAD_H, ROW_H, fit, layout

T1, T2 = "Thread-1 (decrement)", "Thread-2 (decrement)"
VALUE = {"name": ".value"}


def step(n, thread, line, code, what, params=None, **flags):
    return {"n": n, "thread": thread, "line": line, "code": code, "what": {"id": what, "params": params or {}},
            **flags}


# What race-counter's no_sleep_unlocked_decrement sample shows, the main thread left out.
LOST_UPDATE = {"steps": [
    step(1, T1, 12, "self.value -= 1", "trace_read_name", VALUE),
    step(2, T1, 12, "self.value -= 1", "trace_paused", preempted=True),
    step(3, T2, 12, "self.value -= 1", "trace_update_name", VALUE, finished=True),
    step(4, T1, 12, "self.value -= 1", "trace_write_name", VALUE, finished=True),
]}


def test_a_lost_update_has_a_lane_per_thread_the_pause_and_the_write_it_loses():
    tl = layout(LOST_UPDATE)
    assert tl is not None
    assert [lane.thread for lane in tl.lanes] == [T1, T2]
    assert [(r.step["n"], r.lane) for r in tl.rows] == [(1, 0), (2, 0), (3, 1), (4, 0)]
    assert [r.y for r in tl.rows] == [HEAD_H + i * ROW_H for i in range(4)]  # one row each, going down
    assert [r.paused for r in tl.rows] == [False, True, False, False]
    # T1 writes back what it read before T2's write: T1's write is stale, T2's is lost under it
    assert [r.mark for r in tl.rows] == [None, None, "overwritten", "stale"]
    assert tl.marks == {"paused", "stale", "overwritten"} and not tl.bars and not tl.arrows
    assert all(lane.x + lane.width <= tl.width for lane in tl.lanes)


def test_a_read_and_its_write_with_nobody_in_between_is_no_lost_update():
    steps = [s for s in LOST_UPDATE["steps"] if s["thread"] == T1]
    tl = layout({"steps": steps})
    assert tl is not None and [r.mark for r in tl.rows] == [None, None, None]
    # read again after the other thread's write, or read and written at once: nothing lost
    for again in ("trace_read_name", "trace_update_name"):
        steps = [*LOST_UPDATE["steps"][:3], step(4, T1, 12, "self.value -= 1", again, VALUE),
                 step(5, T1, 12, "self.value -= 1", "trace_write_name", VALUE)]
        tl = layout({"steps": steps})
        assert tl is not None and not {r.mark for r in tl.rows} - {None}, again


def test_an_item_read_then_written_on_one_line_loses_the_write_between():
    code = "counts[word] += 1"
    steps = [step(1, T1, 7, code, "trace_read_item"), step(2, T1, 7, code, "trace_paused", preempted=True),
             step(3, T2, 7, code, "trace_read_item"), step(4, T2, 7, code, "trace_write_item"),
             step(5, T2, 9, "seen[word] = True", "trace_write_item"),  # another line: another item
             step(6, T1, 7, code, "trace_write_item")]
    tl = layout({"steps": steps})
    assert tl is not None and [r.mark for r in tl.rows] == [None, None, None, "overwritten", None, "stale"]


A = {"kind": "Lock", "line": 9, "id": 1}
B = {"kind": "Lock", "line": 9, "id": 2}
SRC, DST = "with src.lock:", "with dst.lock:"
# What lock-ordering's same_order_without_sleep shows: two locks made on one line, taken in opposite orders.
DEADLOCK = {"steps": [
    step(1, "teller-1", 16, SRC, "trace_acquired", {"prim": A}, holds=[A]),
    step(2, "teller-1", 17, DST, "trace_paused", preempted=True, forever=True, holds=[A]),
    {"gap": 2, "of": "turns"},
    step(3, "teller-2", 16, SRC, "trace_acquired", {"prim": B}, holds=[B]),
    step(4, "teller-2", 17, DST, "trace_waits_owned", {"prim": A, "owner": "teller-1"}, forever=True, holds=[B]),
]}
# The stuck threads at the end, as details.threads says them (their prims carry no id)
STUCK = [{"name": "teller-1", "waiting_on": {"prim": {"kind": "Lock", "line": 9}, "owner": "teller-2"}},
         {"name": "teller-2", "waiting_on": {"prim": {"kind": "Lock", "line": 9}, "owner": "teller-1"}}]


def test_a_lock_order_deadlock_has_bars_for_the_held_locks_and_its_circle_of_waits():
    tl = layout(DEADLOCK, STUCK)
    assert tl is not None
    assert [lane.thread for lane in tl.lanes] == ["teller-1", "teller-2"]
    gap = tl.rows[2]
    assert gap.lane is None and gap.width == sum(lane.width for lane in tl.lanes)
    # each lock a bar in its holder's lane, from the step that took it down to the end (never released)
    bars = {b.prim["id"]: b for b in tl.bars}
    assert set(bars) == {1, 2} and bars[1].lane == 0 and bars[2].lane == 1
    assert bars[1].y0 < tl.rows[0].y + ROW_H and bars[2].y0 >= tl.rows[3].y
    assert bars[1].y1 >= tl.height - 2 * ARROW_H and bars[2].y1 >= tl.height - 2 * ARROW_H
    assert bars[1].cycle and bars[2].cycle and bars[1].color != bars[2].color
    # the last step of each thread is in the circle, and an arrow goes from each to the other's lock
    assert [r.mark for r in tl.rows] == [None, "cycle", None, None, "cycle"]
    assert len(tl.arrows) == 2
    ends = sorted((a.x1 < a.x2, a.x2) for a in tl.arrows)
    assert ends == sorted([(True, bars[2].x - 1), (False, bars[1].x + 4 + 1)])
    assert all(a.y1 > tl.rows[-1].y + ROW_H - 1 and a.stub_y < a.y1 for a in tl.arrows)  # below every step
    # two locks of one line: the legend numbers them
    assert tl.locks == [(A, bars[1].color, True), (B, bars[2].color, True)]


def test_locks_released_end_their_bars_and_a_deadlock_without_a_circle_draws_no_arrows():
    lock = {"kind": "Lock", "line": 3, "id": 1}
    steps = [step(1, "a", 5, "with lock:", "trace_acquired", {"prim": lock}, holds=[lock]),
             step(2, "a", 6, "x += 1", "trace_paused", preempted=True, holds=[lock]),
             step(3, "b", 5, "with lock:", "trace_waits_owned", {"prim": lock, "owner": "a"}),
             step(4, "a", 5, "with lock:", "trace_released", {"prim": lock}),
             step(5, "a", 7, "q.get()", "trace_waits_queue_empty", forever=True)]
    tl = layout({"steps": steps})
    assert tl is not None and len(tl.bars) == 1
    bar = tl.bars[0]
    assert (bar.lane, bar.y0 <= tl.rows[0].y + 2, bar.y1 <= tl.rows[3].y) == (0, True, True)
    assert not bar.cycle and not tl.arrows and "cycle" not in tl.marks
    assert tl.locks == [(lock, bar.color, False)]


def test_a_report_from_before_holds_and_ids_still_draws_and_an_empty_one_draws_nothing():
    old = {"steps": copy.deepcopy(DEADLOCK["steps"])}
    for s in old["steps"]:
        s.pop("holds", None)
        if "prim" in s.get("what", {}).get("params", {}):
            s["what"]["params"]["prim"] = {"kind": "Lock", "line": 9}
    tl = layout(old, STUCK)
    assert tl is not None and not tl.bars and len(tl.arrows) == 2
    assert layout({"steps": []}) is None and layout({"steps": [{"gap": 3, "of": "turns"}]}) is None


def test_fit_cuts_to_a_width_counting_chinese_characters_twice():
    assert fit("self.value -= 1", 15) == "self.value -= 1"
    assert fit("self.value -= 1", 10) == "self.valu…"
    assert fit("reads `.value`", 20) == "reads .value"
    assert fit("在这里被暂停：调度器切换", 9) == "在这里被…"
