"""How numbers and states read on the teacher's pages (and in the board's JSON: the same words)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from grader.host.batch import gradebook
from grader.site.submissions.models import Submission

S = Submission.State
STATE_LABELS = {
    S.QUEUED: _("waiting"),
    S.RUNNING: _("grading"),
    S.GRADED: _("graded"),
    S.NOT_GRADED: _("not graded"),
    S.SUPERSEDED: _("replaced"),
}

# What the teacher should look at (grader.host.batch.gradebook.flags), as the batch dashboard says it.
FLAG_LABELS = {
    "tampered": _("tampered with the grader"),
    "review": _("for your review"),
}


def num(value: float | None) -> str:
    return "" if value is None else f"{round(value, 2):g}"


def out_of(score: float | None, maximum: float | None) -> str:
    """"7.5 / 10"; "–" when nothing counts."""
    if score is None:
        return "–"
    return f"{num(score)} / {num(maximum)}" if maximum is not None else num(score)


def state_label(state: str) -> str:
    return str(STATE_LABELS.get(state, state))


def submission_url(pk: int) -> str:
    """The student app's submission page (a teacher may open anyone's)."""
    return f"/submissions/{pk}/"


def report_url(pk: int) -> str:
    return f"/submissions/{pk}/report"


def flag(*submissions: Submission | None) -> str:
    """"tampered" if one of these submissions' runs ended on tampering with the grader (zero points),
    else "review" if the static screen found lines reaching for its internals, else ""."""
    found: set[str] = set()
    for s in submissions:
        if s is not None and s.result:
            found.update(gradebook.flags(s.result.get("exercises", [])).values())
    return "tampered" if "tampered" in found else "review" if "review" in found else ""


def flag_label(kind: str) -> str:
    return str(FLAG_LABELS[kind]) if kind else ""
