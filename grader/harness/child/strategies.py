"""How the scheduler chooses at each step: which of the runnable threads runs next.

A strategy sees the candidates in a fixed order: at a point, the thread that holds the baton first
(index 0 means "go on"), then the runnable ones, longest waiting first; at a dispatch, the runnable
ones. The judge sends a *spec* (plain JSON, see judge/explore.py) and `from_spec` builds the
strategy; every random choice comes from the spec's seed, never from the process or the clock.
"""

from __future__ import annotations

import random

from .scheduler import FirstComeFirstServed, ThreadState


class PreemptAt(FirstComeFirstServed):
    """The first schedule, except at the given steps, where the given candidate runs instead.

    The thread passed over there is demoted: from then on it is dispatched only when no other
    thread can run. Without that, first-come first-served would hand the baton straight back to
    it (it has waited longest), and the others would never get into its window.
    """

    def __init__(self, at: list[list[int]]):
        self.at = {int(step): int(pick) for step, pick in at}
        self.demoted: set[int] = set()  # ThreadState.order of the threads passed over

    def choose(self, step: int, candidates: list[ThreadState], at_point: bool) -> int:
        pick = self.at.get(step)
        if pick is not None:
            if pick >= len(candidates):
                self.diverged = True
                return 0
            self.demoted.add(candidates[0].order)
            return pick
        if at_point:
            return 0
        return next((i for i, c in enumerate(candidates) if c.order not in self.demoted), 0)


class PCT(FirstComeFirstServed):
    """Probabilistic concurrency testing (Burckhardt et al., ASPLOS 2010).

    Every thread gets a random priority when it is created, and the highest-priority candidate
    runs. At each of the d-1 change points the thread about to run is demoted below every
    initial priority (a later change point demotes less far), so a bug of depth d is found with
    probability at least 1/(n k^(d-1)) for n threads and k steps.
    """

    def __init__(self, seed: int, change_points: list[int]):
        self.rng = random.Random(seed)
        points = sorted(int(p) for p in change_points)
        self.demote = {step: (i + 1) / (len(points) + 1) for i, step in enumerate(points)}  # all < 1

    def thread_created(self, st: ThreadState) -> None:
        st.priority = 1.0 + self.rng.random()

    def choose(self, step: int, candidates: list[ThreadState], at_point: bool) -> int:
        best = self._best(candidates)
        if step in self.demote:
            candidates[best].priority = self.demote[step]
            best = self._best(candidates)
        return best

    @staticmethod
    def _best(candidates: list[ThreadState]) -> int:
        return max(range(len(candidates)), key=lambda i: (candidates[i].priority, -candidates[i].order))


class RandomWalk(FirstComeFirstServed):
    """A uniformly random candidate at every step."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)

    def choose(self, step: int, candidates: list[ThreadState], at_point: bool) -> int:
        return self.rng.randrange(len(candidates))


class Pinned(FirstComeFirstServed):
    """At the given steps, the given thread (by its order of creation) if it is a candidate; the
    first schedule's choice (0) everywhere else.

    What the judge shrinks a failing schedule with: the failing run's choices other than 0, some of
    them dropped, as a schedule of its own. Pinned by thread, not by candidate index, so that a
    choice dropped earlier does not turn a later one into another thread's (nothing diverges)."""

    def __init__(self, pins: list[list[int]]):
        self.pins = {int(step): int(order) for step, order in pins}

    def choose(self, step: int, candidates: list[ThreadState], at_point: bool) -> int:
        order = self.pins.get(step)
        return next((i for i, c in enumerate(candidates) if c.order == order), 0)


class Replay(FirstComeFirstServed):
    """Exactly the recorded choices. Every override was recorded too, so none is applied again."""

    final = True

    def __init__(self, decisions: list[int], widths: list[int]):
        self.decisions = [int(d) for d in decisions]
        self.widths = [int(w) for w in widths]
        self.diverged = False

    def choose(self, step: int, candidates: list[ThreadState], at_point: bool) -> int:
        if step >= len(self.decisions) or self.widths[step] != len(candidates):
            self.diverged = True
            return 0
        return self.decisions[step]


def from_spec(spec: dict | None) -> FirstComeFirstServed:
    """The strategy a spec names; any kind may also name timed waits that run out at once
    (`"expire": [ordinal, ...]`, see scheduler.py), a replay the same ones as the run it repeats."""
    spec = spec or {}
    strategy = _strategy(spec)
    if spec.get("expire"):
        strategy.expire = frozenset(int(k) for k in spec["expire"])
    return strategy


def _strategy(spec: dict) -> FirstComeFirstServed:
    kind = spec.get("kind", "first")
    if kind == "first":
        return FirstComeFirstServed()
    if kind == "preempt":
        return PreemptAt(spec["at"])
    if kind == "pct":
        return PCT(spec["seed"], spec["change_points"])
    if kind == "random":
        return RandomWalk(spec["seed"])
    if kind == "replay":
        return Replay(spec["decisions"], spec["widths"])
    if kind == "pinned":
        return Pinned(spec["pins"])
    raise ValueError(f"unknown schedule kind {kind!r}")
