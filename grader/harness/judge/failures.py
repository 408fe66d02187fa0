"""What ends a check without a pass: the author's expectation failed, or the scenario did not finish.

Both may carry the interleaving of the schedule that showed it (explore.py), which the verdict
passes on to the report.
"""

from __future__ import annotations

from .child_runner import Outcome


class CheckFailed(AssertionError):
    """A check's expectation did not hold; `message` is shown to the student.

    `template` is the pack author's English text before its `{placeholders}` were filled: the host
    translates it through the pack's catalog and fills it with `details` (host/pack_i18n.py)."""

    def __init__(self, message: str, details: dict | None = None, template: str | None = None):
        super().__init__(message)
        self.message = message
        self.details = details or {}
        self.template = template
        self.interleaving: dict | None = None
        self.per_call: list[dict] = []  # locks made anew on each call in the failing run (per_call.py)


class ScenarioProblem(Exception):
    """The student's code did not let the scenario finish: deadlock, timeout, crash, exception."""

    def __init__(self, outcome: Outcome, scenario: str):
        super().__init__(f"{scenario}: {outcome.status}")
        self.outcome = outcome
        self.scenario = scenario
        self.interleaving: dict | None = None
        self.per_call: list[dict] = []  # locks made anew on each call in the failing run (per_call.py)


class NotReproduced(Exception):
    """A schedule failed, but its replay did not fail the same way: nothing reliable to show."""

    def __init__(self, schedule: int):
        super().__init__(f"schedule {schedule} did not fail again when replayed")
        self.schedule = schedule
