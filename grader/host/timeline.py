"""The geometry of a failing interleaving drawn as a timeline (pure; the SVG is interleaving.svg.j2).

One lane per thread, as columns, and the steps going down in the order they ran: a phone is narrow and
long, so time goes the way the page scrolls and two or three lanes fit 390 px; more lanes scroll
sideways inside their own box. Drawn from `details.interleaving` alone (with `details.threads`, for who
waits for whom at the end of a deadlock):

- each step a cell in its thread's lane; a pause (`preempted`) a dashed line across every lane where
  the scheduler switched;
- each lock or semaphore a thread holds (the steps' `holds`) a bar beside that lane's cells, from the
  step that took it to the last step before the thread's first one without it;
- a lost update: the write that puts back a value its thread read before another thread wrote the same
  name, or the same subscript on the same line (`stale`), and those writes in between (`overwritten`);
- the threads of a deadlock waiting for each other in a circle (`cycle`): their last steps, the bars
  of the locks they wait for, and below the last step, where the deadlock stays, an arrow from each
  (a dotted line down from its last step) to the lock it waits for in its owner's lane.

Text is not measured here, only budgeted: `fit` cuts a text to a number of narrow-character widths
(a Chinese character counts two), which the template applies to what it renders.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

GUTTER = 26  # the step numbers, left of the lanes
FIT_W = 330  # what a 390 px phone leaves the report's content: up to three lanes fit it
LANE_W, MIN_LANE_W = 150, 100  # a lane's width, narrowed down to MIN_LANE_W to fit FIT_W
HEAD_H = 28  # the thread names
ROW_H = 36
GAP_H = 20
ARROW_H = 16  # one wait of a deadlock's circle, below the steps
BAR_W, BAR_STEP = 4, 6  # a held lock's bar, and the distance between two bars of one lane
PAD = 4
CODE_W, TEXT_W = 6.1, 5.4  # a narrow character of the template's 10 px monospace, and of its sans-serif
ICON_W = 14  # the pause mark, at the right of a paused step
COLORS = 6  # the template's palette of lock colours, reused round-robin

ACCESSES = {"trace_read_name": "read", "trace_write_name": "write", "trace_update_name": "update",
            "trace_read_item": "read", "trace_write_item": "write"}


@dataclass(frozen=True)
class Lane:
    index: int
    thread: str
    x: float
    width: float


@dataclass(frozen=True)
class Bar:
    lane: int
    prim: dict  # {kind, line, id}
    color: int  # index in the template's palette
    x: float
    y0: float
    y1: float
    cycle: bool = False  # a lock the circle of waits waits for


@dataclass(frozen=True)
class Row:
    step: dict  # the step (or gap) of details.interleaving it draws
    y: float
    height: float
    lane: int | None  # None: a gap, drawn across every lane
    x: float = 0
    width: float = 0
    chars: int = 0  # the cell's budget for its line and code, in narrow monospace characters
    text_chars: int = 0  # and for what happened, in narrow characters of the sans-serif
    paused: bool = False
    mark: str | None = None  # stale, overwritten, cycle


@dataclass(frozen=True)
class Arrow:
    """A wait of the circle: a dotted line from the waiting thread's last step (x1, stub_y) down to
    y1, then an arrow across to (x2, y2), the lock it waits for."""
    x1: float
    y1: float
    x2: float
    y2: float
    head: str  # the arrowhead's polygon points, "x,y x,y x,y"
    stub_y: float


@dataclass
class Timeline:
    width: float
    height: float
    lanes: list[Lane] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    bars: list[Bar] = field(default_factory=list)
    arrows: list[Arrow] = field(default_factory=list)
    # the legend, in the order taken: (prim, color, numbered: another has its kind and line)
    locks: list[tuple[dict, int, bool]] = field(default_factory=list)

    @property
    def marks(self) -> set[str]:
        """What the legend must explain."""
        out = {r.mark for r in self.rows if r.mark}
        if any(r.paused for r in self.rows):
            out.add("paused")
        return out


def layout(interleaving: dict, threads: list[dict] | None = None) -> Timeline | None:
    """The picture of `interleaving`, or None when it has no step to draw."""
    steps = [s for s in interleaving.get("steps") or [] if isinstance(s, dict)]
    if not any("thread" in s for s in steps):
        return None
    names: list[str] = []
    for s in steps:
        if "thread" in s and s["thread"] not in names:
            names.append(s["thread"])
    slots = _bar_slots(steps, names)
    cycle = _cycle(steps, names, threads)
    lane_w = max(MIN_LANE_W, min(LANE_W, (FIT_W - GUTTER - PAD) // len(names)))
    lanes = [Lane(i, name, GUTTER + i * lane_w, lane_w) for i, name in enumerate(names)]
    marks = {**_lost_update(steps), **_cycle_rows(steps, cycle)}
    rows: list[Row] = []
    y = float(HEAD_H)
    for i, s in enumerate(steps):
        if "thread" not in s:
            wide = len(names) * lane_w
            rows.append(Row(s, y, GAP_H, None, GUTTER, wide, int(wide // CODE_W), int((wide - 2 * PAD) // TEXT_W)))
            y += GAP_H
            continue
        lane = lanes[names.index(s["thread"])]
        inset = len(slots[lane.index]) * BAR_STEP + PAD
        width = lane.width - inset - PAD
        text_w = width - 2 * PAD - (ICON_W if s.get("preempted") else 0)
        rows.append(Row(s, y, ROW_H, lane.index, lane.x + inset, width, int(text_w // CODE_W), int(text_w // TEXT_W),
                        bool(s.get("preempted")), marks.get(i)))
        y += ROW_H
    end = y + ARROW_H / 2  # where the circle of waits is drawn, once every step has been
    height = y + len(cycle) * ARROW_H + PAD
    waited = {owner: prim for owner, prim in cycle.values()}  # owner -> its lock that a thread of the circle waits for
    bars = _bars(rows, lanes, slots, waited, height)
    prims = list({p["id"]: p for s in steps for p in _held(s)}.values())  # by id, in the order first held
    colors = {p["id"]: n % COLORS for n, p in enumerate(prims)}
    bars = [Bar(b.lane, b.prim, colors[b.prim["id"]], b.x, b.y0, b.y1, b.cycle) for b in bars]
    alike = [(p.get("kind"), p.get("line")) for p in prims]
    locks = [(p, colors[p["id"]], alike.count((p.get("kind"), p.get("line"))) > 1) for p in prims]
    arrows = _arrows(rows, lanes, bars, cycle, end)
    return Timeline(GUTTER + len(lanes) * lane_w + PAD, height, lanes, rows, bars, arrows, locks)


def fit(text: str, chars: int) -> str:
    """`text` cut to `chars` narrow characters (a wide one, as in Chinese, counts two), with an
    ellipsis when cut; backticks, which mark code in the report's HTML, are dropped."""
    text = str(text).replace("`", "")
    if _width(text) <= chars:
        return text
    used, out = 0, []
    for ch in text:
        used += _width(ch)
        if used > chars - 1:
            break
        out.append(ch)
    return "".join(out).rstrip() + "…"


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _held(step: dict) -> list[dict]:
    """What a step's thread holds, as far as it can be drawn: each primitive with its id."""
    return [p for p in step.get("holds") or [] if isinstance(p, dict) and p.get("id") is not None]


def _bar_slots(steps: list[dict], names: list[str]) -> list[list[int]]:
    """For each lane, the ids of the primitives its thread ever holds, each in a slot of its own."""
    slots: list[list[int]] = [[] for _ in names]
    for s in steps:
        for p in _held(s):
            lane = slots[names.index(s["thread"])]
            if p["id"] not in lane:
                lane.append(p["id"])
    return slots


def _bars(rows: list[Row], lanes: list[Lane], slots: list[list[int]], waited: dict[str, int | dict],
          height: float) -> list[Bar]:
    """A bar for each stretch in which a thread holds a primitive: from the step that holds it to the
    step before its thread's next step that does not (to the bottom when it never lets go)."""
    out: list[Bar] = []
    for lane in lanes:
        mine = [r for r in rows if r.lane == lane.index]
        for slot, pid in enumerate(slots[lane.index]):
            start: Row | None = None
            prim: dict = {}
            for r in mine:
                held = next((p for p in _held(r.step) if p["id"] == pid), None)
                if held and start is None:
                    start, prim = r, held
                elif not held and start is not None:
                    out.append(_bar(lane, slot, prim, start.y, r.y, waited))
                    start = None
            if start is not None:
                out.append(_bar(lane, slot, prim, start.y, height - PAD, waited))
    return out


def _bar(lane: Lane, slot: int, prim: dict, y0: float, y1: float, waited: dict[str, int | dict]) -> Bar:
    wanted = waited.get(lane.thread)
    cycle = wanted is not None and (wanted == prim.get("id") if isinstance(wanted, int) else
                                    (wanted.get("kind"), wanted.get("line")) == (prim.get("kind"), prim.get("line")))
    return Bar(lane.index, prim, 0, lane.x + PAD + slot * BAR_STEP, y0 + 2, y1 - 2, cycle)


def _lost_update(steps: list[dict]) -> dict[int, str]:
    """Rows of a lost update: a thread reads a name, another thread writes that name, then the first
    writes it, putting back a value computed from what it read before (`stale`); the writes in between
    are `overwritten`. Names only are known (`.balance`, not whose), so in-between writes of the same
    name are all marked: what is certain is that the stale write ignores them."""
    out: dict[int, str] = {}
    read_at: dict[tuple[str, tuple], int] = {}  # (thread, what) -> index of its read not yet written back
    for i, s in enumerate(steps):
        op, what = _access(s)
        if op is None:
            continue
        key = (s["thread"], what)
        if op == "read":
            read_at[key] = i  # a later read sees what was written in between
        elif op == "update":
            read_at.pop(key, None)  # read and written with no switch between: it loses nothing itself
        elif key in read_at:
            between = [j for j in range(read_at.pop(key) + 1, i)
                       if steps[j].get("thread") not in (None, s["thread"]) and _access(steps[j]) in
                       (("write", what), ("update", what))]
            if between:
                out[i] = "stale"
                out.update({j: "overwritten" for j in between})
    return out


def _access(step: dict) -> tuple[str | None, tuple]:
    """What a step does to shared state: (read, write or update; what it reads or writes). An item
    (`counts[word]`) is named by nothing but its line: the same subscript read and written there."""
    if "thread" not in step:
        return None, ()
    what = step.get("what") or {}
    op = ACCESSES.get(what.get("id", ""))
    if op is None:
        return None, ()
    if what["id"].endswith("_item"):
        return op, ("item", step.get("line"))
    name = (what.get("params") or {}).get("name")
    return (op, ("name", name)) if name is not None else (None, ())


def _waits(steps: list[dict], names: list[str], threads: list[dict] | None) -> dict[str, tuple[str, int | dict]]:
    """Who waits for whom at the end: thread -> (owner, the primitive: its id, or its {kind, line}
    when only the final report of stuck threads names it)."""
    out: dict[str, tuple[str, int | dict]] = {}
    for t in threads or []:
        waiting = t.get("waiting_on") or {}
        if t.get("count", 1) == 1 and waiting.get("owner") and t.get("name") in names:
            out[t["name"]] = (waiting["owner"], waiting.get("prim") or {})
    for s in steps:
        what = s.get("what") or {}
        params = what.get("params") or {}
        if s.get("forever") and what.get("id") == "trace_waits_owned" and params.get("owner"):
            prim = params.get("prim") or {}
            out[s["thread"]] = (params["owner"], prim["id"] if prim.get("id") is not None else prim)
    return out


def _cycle(steps: list[dict], names: list[str], threads: list[dict] | None) -> dict[str, tuple[str, int | dict]]:
    """The waits of the threads that wait for each other in a circle (none when there is no circle)."""
    waits = _waits(steps, names, threads)
    on_cycle = {}
    for start in waits:
        seen, t = [start], waits[start][0]
        while t in waits and t not in seen:
            seen.append(t)
            t = waits[t][0]
        if t == start:
            on_cycle[start] = waits[start]
    return on_cycle


def _cycle_rows(steps: list[dict], cycle: dict) -> dict[int, str]:
    """The last step of each thread of the circle."""
    last = {s["thread"]: i for i, s in enumerate(steps) if "thread" in s}
    return {last[t]: "cycle" for t in cycle if t in last}


def _arrows(rows: list[Row], lanes: list[Lane], bars: list[Bar], cycle: dict, end: float) -> list[Arrow]:
    """Below the last step, one above the other: from each thread of the circle across to the lock it
    waits for in its owner's lane (to the owner's lane when that lock has no bar)."""
    out: list[Arrow] = []
    by_name = {lane.thread: lane for lane in lanes}
    for thread, (owner, _) in cycle.items():
        if thread not in by_name or owner not in by_name:
            continue
        row = next(r for r in reversed(rows) if r.lane == by_name[thread].index)
        y = end + len(out) * ARROW_H
        target = by_name[owner]
        bar = next((b for b in bars if b.lane == target.index and b.cycle and b.y0 <= y <= b.y1), None)
        rightwards = target.x > row.x
        x1 = row.x + row.width / 2
        x2 = (bar.x - 1 if rightwards else bar.x + BAR_W + 1) if bar else target.x + target.width / 2
        d = 5 if rightwards else -5
        out.append(Arrow(x1, y, x2, y, f"{x2},{y} {x2 - d},{y - 4} {x2 - d},{y + 4}", row.y + row.height))
    return out
