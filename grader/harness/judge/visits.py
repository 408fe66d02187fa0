"""Reading a probe.Visits log in the judge (pure functions): how many calls were inside at once,
who they were, and whether a place freed while others waited was taken at that same instant.

A log is a list of {"event": "enter" | "leave", "who", "at" (virtual seconds), "inside", "thread"}.
"""

from __future__ import annotations


def most_inside(log: list[dict]) -> int:
    """The most calls inside at the same moment."""
    return max((e["inside"] for e in log if e["event"] == "enter"), default=0)


def busiest(log: list[dict]) -> int | None:
    """The index of the first entry at which the most calls were inside, or None for an empty log."""
    enters = [i for i, e in enumerate(log) if e["event"] == "enter"]
    return max(enters, key=lambda i: log[i]["inside"], default=None)


def inside_at(log: list[dict], index: int) -> list:
    """Who was inside right after the log's event number `index`."""
    inside = []
    for event in log[:index + 1]:
        if event["event"] == "enter":
            inside.append(event["who"])
        elif event["who"] in inside:
            inside.remove(event["who"])
    return inside


def entered(log: list[dict]) -> list:
    """Who entered, in order (once per call)."""
    return [e["who"] for e in log if e["event"] == "enter"]


def late_handoff(log: list[dict], total: int):
    """The first place freed while callers were waiting that nobody took at that same instant:
    (the leave event, how many were waiting, when the next call came in), or None. `total` is the
    number of calls to come in all; a place is owed when fewer than `total` have entered."""
    owed: list[tuple[dict, int]] = []  # places freed at `now` while someone waited, not yet taken
    came_in, now = 0, None
    for event in log:
        if owed and event["at"] > now:
            break  # virtual time moved on with a freed place still empty
        now = event["at"]
        if event["event"] == "enter":
            came_in += 1
            if owed:
                owed.pop(0)
        elif total - came_in > len(owed):
            owed.append((event, total - came_in))
    if not owed:
        return None
    leave, waiting = owed[0]
    later = [e["at"] for e in log if e["event"] == "enter" and e["at"] > leave["at"]]
    return leave, waiting, (min(later) if later else None)
