"""What hidden tests use: run scenarios in the child, state expectations with student-facing text.

    def test_returns_start_minus_n(student):
        obs = student.run("call_run", n=100, start=100)
        expect(obs["result"] == 0, "run(100, 100) returned {got}; expected 0.", got=obs["result"])

A check passes only when the test returns normally. `expect` failures carry the author's message;
a scenario that did not end normally (deadlock, timeout, crash, exception) carries its outcome.

For races with no sleep in their window, explore the schedules: the check runs on every schedule's
observations, and the first one it rejects comes back with the interleaving that shows it.

    def test_count_words_is_exact(student):
        def exact(obs):
            expect(obs["counts"] == WANT, "count_words lost {lost} words ...", lost=...)
        student.explore("count_words", exact, words=WORDS)

This module is the hidden tests' whole public surface, documented call by call in
docs/exercise-packs.md: packs may live outside this repository, so they import nothing else of the
grader (tests/test_check_author_api.py), and the judge's other modules stay free to change. The
judge's servers and the readers of a probe.Visits log are re-exported here, not written again.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

from . import explore as exploration
from .child_runner import Outcome, run_scenario, scenario_request
from .explore import Exploration
from .failures import CheckFailed, ScenarioProblem
from .held_http import HeldHttpServer
from .per_call import per_call_sites
from .plural import fill
from .rendezvous import HoldingServer
from .visits import busiest, entered, inside_at, late_handoff, most_inside

__all__ = ["CheckFailed", "Exploration", "HeldHttpServer", "HoldingServer", "ScenarioProblem", "Student",
           "RecordedRun", "busiest", "deadlock_facts", "describe", "describe_status", "entered", "expect", "fail",
           "inside_at", "late_handoff", "listed", "most_inside", "phrase"]

IMPORT_PROBE = "def import_only(module, probe):\n    return {}\n"

# check name -> the locks made anew on each call (per_call.py) in the runs that check read without
# exploring; a check that fails names them (plugin.py), as an explored one does from its failing run
READ_RUNS: dict[str, list[dict]] = {}


def _read(outcome: Outcome) -> None:
    seen = READ_RUNS.setdefault(_current_check(), [])
    for site in per_call_sites(outcome.schedule.get("sites")):
        same = next((s for s in seen if (s["kind"], s["line"], s["function"])
                     == (site["kind"], site["line"], site["function"])), None)
        if same is None:
            seen.append(site)
        else:
            same["instances"] = max(same["instances"], site["instances"])


def expect(condition: bool, message: str, **details) -> None:
    """Fail the check with `message` (formatted with `details`) unless `condition` holds."""
    if not condition:
        fail(message, **details)


def fail(message: str, **details) -> NoReturn:
    """Fail the check with `message` (formatted with `details`): `expect(False, ...)` said outright,
    for a branch that has already decided (its message is translated as expect's are)."""
    raise CheckFailed(fill(message, details), {k: _plain(v) for k, v in details.items()}, template=message)


class Described(str):
    """A value as it reads in a message: English for the judge's own text, and a reference (`ref`)
    that the host words in the student's language."""

    ref: dict | list | None = None


def describe(value) -> str:
    """How a value the child encoded reads in a message."""
    if isinstance(value, dict) and "__object__" in value:
        kind = str(value["__object__"])
        vowel = kind[:1].lower() in ("a", "e", "i", "o", "u")  # "an Account object", "a Tally object"
        described = Described(f"{'an' if vowel else 'a'} {kind} object")
        described.ref = {"id": "describe_object_an" if vowel else "describe_object", "params": {"type": kind}}
        return described
    return repr(value)


THREAD_STATUSES = ("running", "runnable", "sleeping", "blocked", "joining", "finished", "unknown")


def describe_status(status: str) -> str:
    """A thread's state as probe.thread_state says it (`blocked`, `sleeping`...), in words."""
    described = Described(str(status))
    if status in THREAD_STATUSES:
        described.ref = {"id": f"thread_status_{status}"}
    return described


def phrase(text: str, **details) -> Described:
    """Words of the pack's own for inside another message's `details` ("not started"): English in the
    judge's text, and translated through the pack's catalog wherever the message is, as a message is
    (`grader translate` lists it). A phrase put in an f-string is plain English again: pass it whole."""
    described = Described(fill(text, details))
    described.ref = {"msgid": text, "params": {k: _plain(v) for k, v in details.items()}, "text": str(described)}
    return described


def listed(parts: list) -> str:
    """Parts (strings, phrases) as one detail: joined with "; " in the judge's English, and as the
    student's language lists things in theirs."""
    text = "; ".join(str(part) for part in parts)
    refs = [part.ref if isinstance(part, Described) and part.ref else str(part) for part in parts]
    if not any(isinstance(ref, dict) for ref in refs):
        return text  # nothing to translate in it
    described = Described(text)
    described.ref = refs
    return described


def _plain(value):
    if isinstance(value, Described) and value.ref:
        return value.ref
    return value if isinstance(value, (int, float, str, bool, type(None), list, dict)) else repr(value)


@dataclass
class RecordedRun:
    """One scenario run shared by several checks; a problem surfaces in each check that reads it."""

    outcome: Outcome
    function: str

    @property
    def observations(self) -> dict:
        _read(self.outcome)
        if not self.outcome.ok:
            raise ScenarioProblem(self.outcome, self.function)
        return self.outcome.observations

    @property
    def deadlock_facts(self) -> dict | None:
        """When the run deadlocked, what the judge knew of it then (None otherwise): see
        `deadlock_facts` below."""
        _read(self.outcome)
        return deadlock_facts(self.outcome)


def deadlock_facts(outcome: Outcome) -> dict | None:
    """What the child knew when a run deadlocked (child/stuck.py), for a check whose property the run
    showed before it stuck; None when the run did not deadlock. `queues`: each queue.Queue made in the
    student's file and still alive then, with `line` and `code` (where it was made), `maxsize`, `size`,
    `most` (the most items it ever held), `put` and `taken` (items in all), `puts` (per line: `line`,
    `code`, `n`, `same`: the one value that line put every time, as text, else None), `takers` (per
    thread: `thread`, `n`, `last` value taken, `line`, `finished`), `waiting_get` and `waiting_put`
    (`thread`, `line`, `code`). `same_object`: calls whose parameters were one object twice while their
    thread waited for a Lock of that object."""
    if outcome.status != "deadlock":
        return None
    facts = outcome.result.get("facts")
    return facts if isinstance(facts, dict) else {"queues": [], "same_object": []}


@dataclass
class Student:
    """The submission under test, seen only through child interpreters."""

    student_file: Path
    module: str
    backstop: float
    scenarios_file: Path
    _import_outcome: Outcome | None = None

    def outcome(self, function: str, **kwargs) -> Outcome:
        """Run one scenario and return its outcome, whatever it was."""
        probe = self._import_probe()
        if not probe.ok:
            return probe
        outcome = run_scenario(
            student_file=self.student_file, module=self.module,
            scenario_source=self.scenarios_file.read_text(encoding="utf-8"),
            function=function, kwargs=kwargs, backstop=self.backstop,
        )
        _read(outcome)
        return outcome

    def run(self, function: str, **kwargs) -> dict:
        """Run one scenario that must end normally; return its observations."""
        outcome = self.outcome(function, **kwargs)
        if not outcome.ok:
            raise ScenarioProblem(outcome, function)
        return outcome.observations

    def explore(self, function: str, check: Callable[[dict], None], *,
                budget: int = exploration.DEFAULT_BUDGET, **kwargs) -> Exploration:
        """Run one scenario under up to `budget` schedules (run 0 first) and `check` each one's
        observations. The first schedule that deadlocks, raises, fails `check` or in which a thread
        dies of an uncaught exception ends the check, with its interleaving; otherwise returns how
        many schedules ran and run 0's observations."""
        probe = self._import_probe()
        if not probe.ok:
            raise ScenarioProblem(probe, function)
        request = scenario_request(
            student_file=self.student_file, module=self.module,
            scenario_source=self.scenarios_file.read_text(encoding="utf-8"),
            function=function, kwargs=kwargs, backstop=self.backstop,
        )
        check_name = _current_check()
        seed = exploration.seed_for(self.scenarios_file.parent.parent.name, check_name, function, kwargs)
        return exploration.explore(request=request, function=function, check=check, budget=budget,
                                   seed=seed, record_as=check_name)

    def record(self, function: str, **kwargs) -> RecordedRun:
        """Run one scenario now; checks read it later through `.observations`."""
        return RecordedRun(self.outcome(function, **kwargs), function)

    def _import_probe(self) -> Outcome:
        # One child just imports the module: a broken import fails every check at once,
        # instead of costing one backstop per check.
        if self._import_outcome is None:
            self._import_outcome = run_scenario(
                student_file=self.student_file, module=self.module, scenario_source=IMPORT_PROBE,
                function="import_only", backstop=self.backstop,
            )
        return self._import_outcome


def _current_check() -> str:
    """The running test's node id without its phase (pytest sets PYTEST_CURRENT_TEST)."""
    return os.environ.get("PYTEST_CURRENT_TEST", "").rsplit(" (", 1)[0]
