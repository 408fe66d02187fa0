"""The interleaving a student reads: a short numbered trace of a failing schedule (pure functions).

The replayed schedule's raw events (child/events.py) are cut into *turns*, the stretches in which one
thread ran. The trace starts one turn before the first preemption (where the search made the
difference) and runs to the end, at most MAX_TURNS turns; inside a turn, repeats collapse into one
step with a count, and a long turn keeps its first and last steps. Each step keeps the thread, the
student's line and its source, and what happened as a message id with parameters, rendered in the
student's language on the host (`trace_<op>` in the catalogs). Left-out stretches are gaps:
`{"gap": n, "of": "steps" | "turns"}`. A step also says which locks and semaphores its thread holds
right after it (`holds`), followed through every event, the left-out ones too, so the report can
draw each as a bar.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .child_runner import Outcome

MAX_TURNS = 14
TURN_HEAD, TURN_TAIL = 2, 3  # steps kept at the start and the end of a long turn
CONTEXT_TURNS = 1  # turns shown before the first preemption


def interleaving(outcome: Outcome, *, schedule_index: int, strategy: dict) -> dict:
    """What a check's verdict carries about the schedule that failed it."""
    trace = outcome.schedule.get("trace") or {}
    events = [e for e in trace.get("events", []) if isinstance(e, dict) and "t" in e]
    stuck = {t.get("name") for t in outcome.result.get("threads") or [] if t.get("involved")}
    if trace.get("cut_at"):
        cut = trace["cut_at"]
        events = [*events[:cut], {"gap": trace.get("dropped", 0)}, *events[cut:]]
    return {
        "schedule": schedule_index,
        # A timed wait that the search let run out early says so, whatever else the schedule did.
        "strategy": {"kind": "expire" if strategy.get("expire") else strategy.get("kind", "first"),
                     "depth": strategy.get("depth")},
        "preemptions": sum(1 for e in events if e.get("pre")),
        "steps": number_instances(steps(events, stuck=stuck)),
        # paused between reading and writing shared state: a race CPython seldom shows
        "race_note": any(e.get("op") == "paused" and (e.get("p") or {}).get("at") in ("read", "write")
                         for e in events),
    }


def number_instances(shown: list[dict]) -> list[dict]:
    """Primitives made on one line that the trace shows more than one of get `of_line`, their number
    among that line's (in the order the recording met them): "the Lock #2 of line 9" tells a lock made
    anew on each call from the one it was meant to share."""
    labels = [step["what"]["params"]["prim"] for step in shown
              if isinstance(((step.get("what") or {}).get("params") or {}).get("prim"), dict)]
    labels += [held for step in shown for held in step.get("holds") or [] if isinstance(held, dict)]
    per_line: dict[tuple, list] = {}
    for label in labels:
        if label.get("line") is not None and label.get("id") is not None:
            ids = per_line.setdefault((label.get("kind"), label["line"]), [])
            if label["id"] not in ids:
                ids.append(label["id"])
    for label in labels:
        ids = per_line.get((label.get("kind"), label.get("line")), [])
        if len(ids) > 1:
            label["of_line"] = sorted(ids).index(label["id"]) + 1
    return shown


@dataclass
class _Turn:
    thread: str | None  # None for a gap in the recording
    events: list[tuple[int, dict]] = field(default_factory=list)  # (index, event)
    gap: int = 0
    gap_of: str = "steps"


def steps(events: list[dict], *, stuck: set | frozenset = frozenset()) -> list[dict]:
    """The numbered steps (and gaps) shown for `events`."""
    last_of = {e["t"]: i for i, e in enumerate(events) if "t" in e}
    holds = _holdings(events)
    forever = {last_of[t] for t in stuck if t in last_of}
    turns = _turns(events)
    first_pre = next((i for i, t in enumerate(turns) if any(e.get("pre") for _, e in t.events)), None)
    start = first_pre - CONTEXT_TURNS if first_pre is not None else len(turns) - MAX_TURNS
    shown = turns[max(start, 0):]
    if len(shown) > MAX_TURNS:
        half = MAX_TURNS // 2
        shown = [*shown[:half], _Turn(None, gap=len(shown) - 2 * half, gap_of="turns"), *shown[-half:]]
    out: list[dict] = []
    numbered = 0
    for turn in shown:
        if turn.thread is None:
            out.append({"gap": turn.gap, "of": turn.gap_of})
            continue
        items: list[tuple[int, dict, int] | dict] = [*_collapse(turn.events)]  # a gap is a dict
        if len(items) > TURN_HEAD + TURN_TAIL:
            items = [*items[:TURN_HEAD], {"gap": len(items) - TURN_HEAD - TURN_TAIL, "of": "steps"},
                     *items[-TURN_TAIL:]]
        for item in items:
            if isinstance(item, dict):
                out.append(item)
            else:
                index, event, count = item
                numbered += 1
                out.append(_step(numbered, event, count, index in forever, holds.get(index)))
    return out


_TAKES = {"acquired": 1, "acquired_again": 1, "sem_acquired": 1, "released": -1, "sem_released": -1}


def _holdings(events: list[dict]) -> dict[int, list[dict]]:
    """For each event after which its thread holds a lock or a semaphore's unit: those primitives
    (`{kind, line, id}`), in the order taken. Across a gap in the recording nothing is known of what
    happened, so nothing is claimed: holdings start again from empty."""
    held: dict[str, dict[int, tuple[dict, int]]] = {}  # thread -> prim id -> (label, how many times)
    out: dict[int, list[dict]] = {}
    for i, e in enumerate(events):
        if "gap" in e:
            held.clear()
            continue
        prim = (e.get("p") or {}).get("prim")
        change = _TAKES.get(e.get("op", ""))
        if change and isinstance(prim, dict) and prim.get("id") is not None:
            mine = held.setdefault(e["t"], {})
            label, count = mine.get(prim["id"], (prim, 0))
            if count + change > 0:
                mine[prim["id"]] = (label, count + change)
            else:  # released (a semaphore may be released by a thread that never took it)
                mine.pop(prim["id"], None)
        if held.get(e["t"]):
            out[i] = [{"kind": label.get("kind"), "line": label.get("line"), "id": pid}
                      for pid, (label, _) in held[e["t"]].items()]
    return out


def _turns(events: list[dict]) -> list[_Turn]:
    turns: list[_Turn] = []
    for i, e in enumerate(events):
        if "gap" in e:
            turns.append(_Turn(None, gap=e["gap"]))
        elif turns and turns[-1].thread == e["t"]:
            turns[-1].events.append((i, e))
        else:
            turns.append(_Turn(e["t"], [(i, e)]))
    return turns


def _collapse(events: list[tuple[int, dict]]) -> list[tuple[int, dict, int]]:
    """(index of the last, event, count) for each run of the same step at the same line; a read
    and a write of the same name on one line with no switch between them are one update."""
    out: list[tuple[int, dict, int]] = []
    for index, e in events:
        if out and e.get("op") == "write_name":
            _, last, count = out[-1]
            if (last.get("op") == "read_name" and not last.get("pre") and count == 1
                    and (last.get("line"), last.get("p")) == (e.get("line"), e.get("p"))):
                out[-1] = (index, {**e, "op": "update_name"}, 1)
                e = out.pop()[1]
        if out:
            _, last, count = out[-1]
            if (not last.get("pre") and (last.get("line"), last.get("op"), last.get("p"))
                    == (e.get("line"), e.get("op"), e.get("p"))):
                out[-1] = (index, e, count + 1)
                continue
        out.append((index, e, 1))
    return out


def _step(n: int, e: dict, count: int, forever: bool, holds: list[dict] | None = None) -> dict:
    params = {k: v for k, v in (e.get("p") or {}).items() if k != "at"}
    step = {"n": n, "thread": e["t"], "line": e.get("line"), "code": e.get("code", ""),
            "what": {"id": f"trace_{e.get('op')}", "params": params}}
    if count > 1:
        step["repeat"] = count
    if e.get("pre"):
        step["preempted"] = True
    if e.get("end"):
        step["finished"] = True
    if forever:
        step["forever"] = True
    if holds:
        step["holds"] = holds
    return step
