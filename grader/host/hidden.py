"""What a student sees of a hidden check that did not pass: the course's `hidden_details` setting.

Grading keeps a hidden check's whole result (its message, its stuck threads and lines, its
interleaving) in the teacher's record: report.json, the course site's store, the dashboard. Every
report a student reads is rendered from `for_student(result, level)`:

- `result`: the check's name (and description) and whether it passed, nothing else;
- `hint` (the default): also its author's hint (exercise.yaml's `hint`) when the check's expectation
  failed (not when a deadlock, a timeout or a crash ended it: the hint is about another mistake), and
  the grader's note on a lock the student's own file made anew on each call;
- `full`: everything, as for a visible check: the message, the stuck lines, the interleaving.

Below `full` a hidden check that did not pass reads `failed`, whatever ended it (a deadlock, a
timeout): how it failed is a detail too. Points, the exercise's status and visible checks are never
touched.
"""

from __future__ import annotations

import copy

from . import packs
from .localize import localize
from .packs import Exercise
from .results import CheckStatus, StudentResult

LEVELS = ("result", "hint", "full")
DEFAULT = "hint"
HIDDEN = "hidden"
# What `hint` keeps of a hidden check's details: the student's own lines that made a lock on each call.
HINT_KEYS = ("per_call",)


class HiddenDetailsError(ValueError):
    def __init__(self, value: object):
        super().__init__(f"hidden_details must be one of {', '.join(LEVELS)}, not {value!r}")
        self.value = value


def check_level(level: object) -> str:
    if level not in LEVELS:
        raise HiddenDetailsError(level)
    return str(level)


def for_student(result: StudentResult, level: str, exercises: dict[str, Exercise] | None = None, *,
                failed: str = "hidden_failed") -> StudentResult:
    """`result` as a student may read it: a copy, its texts in the result's language (`exercises`:
    the packs by slug, for their texts; default: this checkout's). `failed`: the message a hidden
    check that failed says at the `result` level (or at `hint`, when its author wrote no hint)."""
    check_level(level)
    if level == "full" or not any(c.visibility == HIDDEN for ex in result.exercises for c in ex.checks):
        return result
    if exercises is None:
        exercises = {ex.slug: ex for ex in packs.load_all(packs.default_root())}
    seen = copy.deepcopy(result)
    for ex in seen.exercises:
        for check in ex.checks:
            if check.shared is not None and check.shared < len(ex.shared):  # localize moved them there
                check.details = dict(ex.shared[check.shared].get("details") or {})
            if check.visibility != HIDDEN or check.status is CheckStatus.PASSED or _graders_trouble(check):
                continue
            # The hint is written for the check's expectation failing; a deadlock, a timeout or a crash
            # is another cause, and the hint would point the wrong way (issue 23, item 5).
            expectation_failed = check.status is CheckStatus.FAILED
            check.status = CheckStatus.FAILED
            check.shared, check.cause_said_in = None, ""
            if level == "hint":
                hint = _hint(exercises.get(ex.exercise), check.name) if expectation_failed else None
                check.message_ref = hint or {"id": failed}
                check.details = {k: check.details[k] for k in HINT_KEYS if k in check.details}
            else:
                check.message_ref = {"id": failed}
                check.details = {}
    return localize(seen, seen.lang, exercises)


def _hint(pack: Exercise | None, check: str) -> dict | None:
    spec = pack.spec.checks.get(check) if pack is not None else None
    return {"msgid": spec.hint} if spec is not None and spec.hint else None


def _graders_trouble(check) -> bool:
    """The judge could not run the check (judge_error...): the grader's problem, said as it is."""
    return str((check.message_ref or {}).get("id", "")).startswith("judge_")
