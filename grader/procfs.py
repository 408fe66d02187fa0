"""Linux's /proc, read the one way: a process's stat fields, its CPU time, its children.

Used by the judge's backstop clock (harness/judge/scenario_clock.py), and by the benches and tests
that watch real processes. Everything here answers "gone" (None, 0, nothing) for a process that
ended meanwhile, rather than raising.
"""

from __future__ import annotations

import os

HZ = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100  # stat's times are in these ticks


def stat_fields(path: str) -> list[str] | None:
    """The fields of a stat file (/proc/PID/stat, /proc/PID/task/TID/stat) after the command's name,
    which may hold spaces and parens: [0] is the state, [1] the parent, [11] and [12] utime and stime."""
    try:
        with open(path, "rb") as f:
            text = f.read().decode("ascii", "replace")
    except OSError:
        return None
    return text.rsplit(")", 1)[1].split()


def cpu_seconds(pid: int) -> float:
    """The CPU time of a process, every thread's (0 when it is gone)."""
    stat = stat_fields(f"/proc/{pid}/stat")
    return (int(stat[11]) + int(stat[12])) / HZ if stat else 0.0


def thread_states(pid: int) -> set[str]:
    """The state letters of a process's living threads (R, S, D, T...)."""
    states: set[str] = set()
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return states
    for tid in tids:
        stat = stat_fields(f"/proc/{pid}/task/{tid}/stat")
        if stat is not None and stat[0] != "Z":
            states.add(stat[0])
    return states


def children(pid: int) -> list[int]:
    """A process's children, from each thread's children list (Linux 3.5+)."""
    found: list[int] = []
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/children", "rb") as f:
                found.extend(int(c) for c in f.read().split())
        except (OSError, ValueError):
            continue
    return found


def descendants(pid: int | None) -> list[int]:
    """Every process below `pid`."""
    found: list[int] = []
    todo = [pid] if pid is not None else []
    while todo:
        below = children(todo.pop())
        found.extend(below)
        todo.extend(below)
    return found
