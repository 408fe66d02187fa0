"""The runs an exploration has made, as a tree of their steps: foresee a seeded schedule's run.

A run in the child is decided by its choices: the scheduler owns every interleaving, the clock is
virtual, seeds are fixed and each run starts on a fresh copy of the student's module
(child/scheduler.py, child/install.py), which is also what replaying a failure relies on. Many
seeded schedules (PCT, random walks) make the very same choices as a run already made, most of all
when two or three threads take turns over a few steps: such a schedule is not run again, and its
outcome is that run's.

Each run of an exploration reports what its strategy saw at every step (the candidates' thread
orders, whether it was a point, the starvation override, the spinning candidates) and which
tracked threads were created before each step. Walking a new schedule's strategy down the tree,
step by step, as the scheduler would drive it, either leaves the tree (the run is new: run it) or
arrives where a run ended: that run's outcome.

Which timed waits run out at once (a spec's `expire`) changes a run without changing its choices:
each set of them has a tree of its own. Only seeded strategies are foreseen; run 0, the
one-preemption schedules, shrinking and replays always run.

Fail safe: a real run that disagrees with the tree where the choices were the same (something
outside the scheduler decided, say an order of objects by address, or state a run left behind)
makes the tree `consistent` no more, and explore.py then searches again from the start with a fresh
child and no foreseeing, as it did before there was a tree.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from ..child import strategies
from .child_runner import Outcome

FORESEEN_KINDS = ("pct", "random")


@dataclass
class _Step:
    orders: list[int]
    at_point: bool
    starved: int | None
    spinning: list[int]
    created: list[int]  # orders of the tracked threads created since the step before


@dataclass
class _Node:
    step: _Step | None = None  # the choice made here, once a run has passed here
    children: dict[int, _Node] = field(default_factory=dict)
    end: Outcome | None = None  # a run ended here


class _Seen:
    """A thread as a strategy sees it: its order, and the priority PCT gives it."""

    __slots__ = ("order", "priority")

    def __init__(self, order: int):
        self.order = order
        self.priority = 0.0


class ScheduleTree:
    def __init__(self) -> None:
        self.roots: dict[tuple[int, ...], _Node] = {}  # one tree per set of timed waits run out early
        self.consistent = True

    def add(self, spec: dict, outcome: Outcome) -> None:
        """Put a real run of `spec` in the tree (one without a whole step log is left out)."""
        info = outcome.schedule
        decisions, log, created = info.get("decisions"), info.get("steplog"), info.get("created")
        if not (isinstance(decisions, list) and isinstance(log, list) and isinstance(created, list)
                and len(log) == len(decisions)) or info.get("diverged"):
            return
        try:
            steps = _steps(log, created)
            choices = [int(choice) for choice in decisions]
        except (TypeError, ValueError, IndexError):
            self.consistent = False  # not what a child reports: foresee nothing
            return
        node = self.roots.setdefault(_expiring(spec), _Node())
        for step, choice in zip(steps, choices):
            if node.end is not None or (node.step is not None and node.step != step):
                self.consistent = False
                return
            node.step = step
            node = node.children.setdefault(choice, _Node())
        if node.step is not None or (node.end is not None and not _same_end(node.end, outcome)):
            self.consistent = False
            return
        node.end = outcome

    def foresee(self, spec: dict) -> Outcome | None:
        """The outcome of running `spec`, when a run already made makes all of its choices; else None."""
        if not self.consistent or spec.get("kind") not in FORESEEN_KINDS:
            return None
        node = self.roots.get(_expiring(spec))
        if node is None:
            return None
        strategy = strategies.from_spec(spec)
        threads: dict[int, _Seen] = {}
        index = 0
        while node.end is None:
            step = node.step
            if step is None:
                return None
            for order in step.created:
                threads[order] = seen = _Seen(order)
                strategy.thread_created(seen)  # type: ignore[arg-type]  # it reads order and priority only
            if any(order not in threads for order in step.orders):
                return None
            candidates = [threads[order] for order in step.orders]
            # As Scheduler._choose decides: starvation first, then the strategy, then spinning.
            choice = step.starved if step.starved is not None else strategy.choose(
                index, candidates, step.at_point)  # type: ignore[arg-type]
            if choice in step.spinning:
                choice = next((i for i in range(len(candidates)) if i not in step.spinning), choice)
            child = node.children.get(choice)
            if child is None:
                return None
            node, index = child, index + 1
        if strategy.diverged:
            return None
        return copy.deepcopy(node.end)


def _expiring(spec: dict) -> tuple[int, ...]:
    return tuple(sorted(int(k) for k in spec.get("expire") or ()))


def _steps(log: list, created: list) -> list[_Step]:
    by_step: dict[int, list[int]] = {}
    for at, order in created:
        by_step.setdefault(int(at), []).append(int(order))
    steps = []
    for index, (orders, at_point, starved, spinning) in enumerate(log):
        steps.append(_Step([int(o) for o in orders], bool(at_point), None if starved is None else int(starved),
                           [int(i) for i in spinning], by_step.get(index, [])))
    return steps


def _same_end(one: Outcome, other: Outcome) -> bool:
    return (one.status, one.observations, one.result.get("thread_deaths")) == (
        other.status, other.observations, other.result.get("thread_deaths"))
