"""Words for the states a student reads (submissions, exercises, checks), in the reader's language."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from grader.site.submissions.models import Submission

S = Submission.State

STATES = {
    S.QUEUED: _("Waiting in the queue"),
    S.RUNNING: _("Being graded"),
    S.GRADED: _("Graded"),
    S.NOT_GRADED: _("Not graded: the grader failed, the teacher has been told"),
    S.SUPERSEDED: _("Not graded: a newer submission replaced it"),
}

# Exercise statuses and check statuses share these words (grader.host.results).
OUTCOMES = {
    "passed": _("passed"),
    "failed": _("failed"),
    "error": _("error"),
    "timeout": _("timed out"),
    "deadlock": _("deadlock"),
    "crash": _("crashed"),
    "tampered": _("tampered with the grader"),
    "missing": _("missing"),
    "infrastructure_error": _("not graded"),
}


def state(value: str) -> str:
    return str(STATES.get(value, value))


def outcome(value: str) -> str:
    return str(OUTCOMES.get(value, value))
