"""Schedule exploration: run a scenario under many schedules and judge each, to find the races that
have no sleep in their window (the scheduler decides every interleaving, see child/scheduler.py).

The search, within a budget of runs (run 0 included):
1. run 0, the first schedule (no preemption, first come first served): what `student.run` runs;
2. the first schedule again with one timed wait (`Event.wait(0.05)`, `q.get(timeout=1)`...) running
   out at once, for each timed wait run 0 began, up to a tenth of the budget: on a real machine the
   threads it waits for may be slower than its timeout (scheduler.py; CHESS explores timeouts too);
3. every schedule with exactly one preemption, in order of step and candidate, when there are no
   more of them than half the budget (CHESS's preemption bounding, bound 1);
4. then, in turn, seeded PCT with depth 2, PCT with depth 3 (Burckhardt et al., ASPLOS 2010) and a
   random walk, until the budget is spent; when run 0 began timed waits, every other one of these
   also lets one of them (chosen by the seed) run out early.
Every seed derives from the exercise, the check, the scenario and the run's index: never from
the clock or the process, so the same submission meets the same schedules on every grading.

A seeded schedule (4.) that makes the very same choices as a run already made is not run again:
its outcome is that run's (schedule_tree.py), and it counts as one of the budget all the same, so
the search stops at the same schedule, with the same count, as if it had run. Should a real run
ever disagree with the runs already made, the search starts again in a fresh child with every
schedule run.

It stops at the first schedule the check rejects, or that does not end normally, or in which a
thread died of an uncaught exception (judge_run). The failure is then shrunk while it still fails
the same way: a PCT schedule by dropping change points, then any schedule's choices set back to
the first schedule's (0: go on, or the longest waiting), in halves, quarters... down to single
ones (Zeller's ddmin), within SHRINK_RUNS runs: each pause the interleaving keeps is one whose
removal no longer fails that way (a shorter schedule with other pauses may still exist). The failing
schedule is then replayed from its recorded choices in a fresh child that also records the
interleaving: it must fail the same way again, or the check fails closed. The failure goes back to
the student with the interleaving (interleaving.py).
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace

from .child_runner import ChildSession, Outcome
from .failures import CheckFailed, NotReproduced, ScenarioProblem
from .interleaving import interleaving
from .per_call import per_call_sites
from .schedule_tree import ScheduleTree

DEFAULT_BUDGET = 300
ONE_PREEMPTION_SHARE = 0.5  # of the budget, at most, for the exhaustive one-preemption round
EXPIRY_SHARE = 0.1  # of the budget, at most, for schedules in which one timed wait runs out early
ROTATION = (("pct", 2), ("pct", 3), ("random", 0))
FIRST = {"kind": "first"}
SHRINK_RUNS = 60  # runs, at most, spent making a failing schedule's choices fewer (only on a failure)

# check name -> what the last exploration of that check saw; the plugin puts it in the verdict
EXPLORED: dict[str, dict] = {}


@dataclass
class Exploration:
    """What an exploration that found nothing wrong ran."""

    schedules: int
    observations: dict  # run 0's, as student.run would have returned them


# ----------------------------------------------------------------------------------- the plan
class Plan:
    """The schedules after run 0, in order (pure: the same inputs give the same schedules)."""

    def __init__(self, first_widths: list[int], budget: int, seed: int, timed_waits: int = 0):
        self.widths = list(first_widths)
        self.timed_waits = timed_waits  # run 0's
        self.budget = budget
        self.rng = random.Random(seed)
        self.longest = len(self.widths)  # steps of the longest run seen: PCT's k

    def saw(self, steps: int | None) -> None:
        if isinstance(steps, int):
            self.longest = max(self.longest, steps)

    def expiries(self) -> list[dict]:
        """Run 0 again with its k-th timed wait running out at once, for each k (the earliest first)."""
        return [{"kind": "first", "expire": [k]}
                for k in range(min(self.timed_waits, int((self.budget - 1) * EXPIRY_SHARE)))]

    def one_preemption(self) -> list[dict]:
        specs = [{"kind": "preempt", "at": [[step, pick]]}
                 for step, width in enumerate(self.widths) for pick in range(1, width)]
        return specs if len(specs) <= (self.budget - 1) * ONE_PREEMPTION_SHARE else []

    def __iter__(self) -> Iterator[dict]:
        left = self.budget - 1
        for spec in [*self.expiries(), *self.one_preemption()]:
            if left <= 0:
                return
            yield spec
            left -= 1
        turn = 0
        while left > 0 and self.longest > 0:
            kind, depth = ROTATION[turn % len(ROTATION)]
            turn += 1
            seed = self.rng.getrandbits(63)
            if kind == "random":
                spec = {"kind": "random", "seed": seed}
            else:
                points = min(depth - 1, self.longest)
                spec = {"kind": "pct", "seed": seed, "depth": depth,
                        "change_points": sorted(self.rng.sample(range(self.longest), points))}
            # Every other one also lets one timed wait run out early: what the threads do after the stall,
            # in which order, is theirs to search too. (No draw without timed waits: the same schedules as ever.)
            if self.timed_waits and turn % 2 == 0:
                spec["expire"] = [self.rng.randrange(self.timed_waits)]
            yield spec
            left -= 1


def seed_for(*parts) -> int:
    """A seed from what identifies a check's scenario: stable across runs, machines and processes."""
    text = json.dumps(parts, sort_keys=True, default=str)
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big") >> 1


def shrink_candidates(spec: dict) -> list[dict]:
    """PCT schedules with one change point fewer (tried in order while they still fail)."""
    if spec.get("kind") != "pct":
        return []
    points = spec["change_points"]
    return [{**spec, "change_points": points[:i] + points[i + 1:]} for i in range(len(points))]


# ----------------------------------------------------------------------------------- judging a run
@dataclass
class Failure:
    signature: tuple
    error: CheckFailed | ScenarioProblem
    outcome: Outcome
    spec: dict = field(default_factory=dict)


def judge_run(outcome: Outcome, check: Callable[[dict], None], function: str) -> Failure | None:
    """None when the run ended normally, the check accepts what it observed and no thread died.

    A thread that an uncaught exception ended fails the run even when the check accepts what the
    scenario observed (the others may well have done its work): it is a problem of the run, with
    the exception and the student's line where it was raised. The check is asked first, so that a
    pack that looks at thread errors itself (probe.thread_errors) keeps its own message."""
    if not outcome.ok:
        return Failure(("problem", outcome.status, outcome.result.get("kind")), ScenarioProblem(outcome, function),
                       outcome)
    try:
        check(outcome.observations)
    except CheckFailed as exc:
        return Failure(("failed", exc.message), exc, outcome)
    died = thread_died(outcome)
    if died is not None:
        stack = died.result.get("stack") or [{}]
        return Failure(("problem", died.status, died.result.get("type"), stack[-1].get("line")),
                       ScenarioProblem(died, function), died)
    return None


def thread_died(outcome: Outcome) -> Outcome | None:
    """An ok run in which a thread died, as the problem it is (status `thread_exception`, the first
    death's thread, type, message and student's stack); None when no thread died."""
    deaths = outcome.thread_deaths
    if not deaths:
        return None
    first = deaths[0]
    stack = first.get("stack")
    result = {k: v for k, v in outcome.result.items() if k not in ("observations", "thread_deaths")}
    result.update(status="thread_exception", thread=str(first.get("thread", "?")), type=str(first.get("type", "?")),
                  message=str(first.get("message", "")), stack=stack if isinstance(stack, list) else [])
    return replace(outcome, status="thread_exception", observations={}, result=result)


# ----------------------------------------------------------------------------------- the search
class _Runs:
    """Runs schedules through as few children as possible: one lives until a run ends it."""

    def __init__(self, request: dict):
        self.request = request
        self.session: ChildSession | None = None
        self.count = 0  # schedules, foreseen ones (schedule_tree.py) included

    def run(self, spec: dict, trace: bool = False) -> Outcome:
        self.count += 1
        if self.session is not None and not (self.session.alive and self.session.send_run(spec, trace)):
            self.session.close()
            self.session = None
        if self.session is None:
            self.session = ChildSession({**self.request, "run": spec, "trace": trace})
        outcome = self.session.next_outcome()
        if not self.session.alive:
            self.session.close()
            self.session = None
        return outcome

    def close(self) -> None:
        if self.session is not None:
            self.session.close()
            self.session = None


def explore(*, request: dict, function: str, check: Callable[[dict], None], budget: int,
            seed: int, record_as: str | None = None) -> Exploration:
    """Run `function` under run 0 and then the plan's schedules; raise for the first that fails."""
    runs = _Runs({**request, "steplog": True})  # each run's step log, for the schedule tree
    try:
        first, failure = _search(runs, check, function, budget, seed, ScheduleTree())
        if failure is _AGAIN:  # a run disagreed with the tree: everything again, every schedule run
            runs.close()
            runs = _Runs(request)
            first, failure = _search(runs, check, function, budget, seed, None)
        if failure is None:
            if record_as:  # a check may explore several scenarios: it held under all of them
                seen = EXPLORED.setdefault(record_as, {"schedules": 0})
                seen["schedules"] += runs.count
            return Exploration(schedules=runs.count, observations=first.observations)
        assert isinstance(failure, Failure)
        found_at, found_by = runs.count, failure.spec
        failure = _shrink(runs, failure, check, function)
        failure = _fewer_choices(runs, failure, check, function)
    finally:
        runs.close()
    raise _replayed(request, failure, check, function, found_at, found_by)


_AGAIN = object()  # _search's answer when the schedule tree turned out not to hold


def _search(runs: _Runs, check, function: str, budget: int, seed: int,
            tree: ScheduleTree | None) -> tuple[Outcome, Failure | object | None]:
    """Run 0, then the plan's schedules until one fails: (run 0's outcome, the failure or None).
    With a tree, a seeded schedule that repeats a run already made is foreseen, not run."""
    first = runs.run(FIRST)
    failure = judge_run(first, check, function)
    if failure is not None:  # run 0 fails: as student.run would have, with no search needed
        failure.error.per_call = per_call_sites(first.schedule.get("sites"))
        raise failure.error
    if tree is not None:
        tree.add(FIRST, first)
    plan = Plan(first.schedule.get("widths") or [], budget, seed, first.schedule.get("timed_waits") or 0)
    for spec in plan:
        outcome = tree.foresee(spec) if tree is not None else None
        if outcome is None:
            outcome = runs.run(spec)
            if tree is not None:
                tree.add(spec, outcome)
                if not tree.consistent:
                    return first, _AGAIN
        else:
            runs.count += 1  # as if it had run: the same count, and the same schedule found at
        plan.saw(outcome.schedule.get("steps"))
        failure = judge_run(outcome, check, function)
        if failure is not None:
            failure.spec = spec
            return first, failure
    return first, None


def _shrink(runs: _Runs, failure: Failure, check, function: str) -> Failure:
    shrinking = True
    while shrinking:
        shrinking = False
        for spec in shrink_candidates(failure.spec):
            smaller = judge_run(runs.run(spec), check, function)
            if smaller is not None and smaller.signature == failure.signature:
                smaller.spec = spec
                failure, shrinking = smaller, True
                break
    return failure


def pins(schedule: dict) -> list[list[int]]:
    """[step, thread] wherever a run chose another candidate than the first schedule would (not 0)."""
    decisions, chosen = schedule.get("decisions") or [], schedule.get("chosen") or []
    return [[step, chosen[step]] for step, d in enumerate(decisions) if d and step < len(chosen)]


def _fewer_choices(runs: _Runs, failure: Failure, check, function: str, limit: int = SHRINK_RUNS) -> Failure:
    """ddmin (Zeller) over the steps where the failing run did not choose 0 (its pins): try each chunk
    alone, then without each chunk, and keep a run that fails the same way with fewer pins (so it
    ends); chunks get smaller until single pins. A failure that one pause explains ends with one."""
    tried, parts = 0, 2
    while True:
        kept = pins(failure.outcome.schedule)
        if len(kept) <= 1:
            return failure
        parts = min(parts, len(kept))
        size = -(-len(kept) // parts)
        chunks = [kept[i:i + size] for i in range(0, len(kept), size)]
        tries = [(chunk, 2) for chunk in chunks]  # a chunk alone: start again from two parts of it
        if len(chunks) > 2:  # (with two, each one's complement is the other alone)
            tries += [([p for p in kept if p not in chunk], max(parts - 1, 2)) for chunk in chunks]
        for candidate, next_parts in tries:
            if tried >= limit:
                return failure
            tried += 1
            spec = {"kind": "pinned", "pins": candidate}
            if failure.spec.get("expire"):
                spec["expire"] = failure.spec["expire"]
            smaller = judge_run(runs.run(spec), check, function)
            if (smaller is not None and smaller.signature == failure.signature
                    and len(pins(smaller.outcome.schedule)) < len(kept)):
                smaller.spec = spec
                failure, parts = smaller, next_parts
                break
        else:
            if parts >= len(kept):
                return failure  # 1-minimal: dropping any one of them no longer fails this way
            parts = min(parts * 2, len(kept))


def _replayed(request: dict, failure: Failure, check, function: str, found_at: int,
              found_by: dict) -> Exception:
    """Replay the failing schedule from its recorded choices, recording the interleaving; the error to raise."""
    schedule = failure.outcome.schedule
    if schedule.get("decisions") is not None:
        spec = {"kind": "replay", "decisions": schedule["decisions"], "widths": schedule["widths"],
                "expire": failure.spec.get("expire") or []}
    else:
        spec = failure.spec  # the run was killed before it could say: its own spec replays it
    runs = _Runs(request)
    try:
        outcome = runs.run(spec, trace=True)
    finally:
        runs.close()
    again = judge_run(outcome, check, function)
    if again is None or again.signature != failure.signature or outcome.schedule.get("diverged"):
        return NotReproduced(found_at)
    error = again.error
    # Named for the schedule that found it (shrunk since: the steps shown are the shrunk run's).
    error.interleaving = interleaving(outcome, schedule_index=found_at,
                                      strategy={**found_by, "expire": failure.spec.get("expire")})
    error.per_call = per_call_sites(outcome.schedule.get("sites"))
    return error
