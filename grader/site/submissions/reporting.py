"""A submission's report as its reader may see it, in the reader's language.

Before the deadline a student sees of the hidden checks what the course allows
(Course.hidden_before_deadline): everything, whether each passed, or only the score they add up
to. Teachers, and students after their deadline, see everything. The report is the grader's own
(grader.host.reports.render_html), rendered again from its message references in `lang`.
"""

from __future__ import annotations

from django.utils import timezone

from grader.host import reports
from grader.host.localize import localize
from grader.host.results import CheckStatus, StudentResult
from grader.site.course import packs as course_packs
from grader.site.course.models import Course

from .models import Submission

HIDDEN = "hidden"


def for_reader(submission: Submission, *, lang: str, teacher: bool) -> StudentResult | None:
    if not submission.result:
        return None
    result = StudentResult.from_dict(submission.result)
    course = Course.current()
    deadline = submission.exercise.deadline_for(submission.student)
    open_book = teacher or course is None or (deadline is not None and timezone.now() > deadline)
    if not open_book and course is not None:
        _hide(result, course.hidden_before_deadline)
    localize(result, lang, course_packs.by_slug())
    if submission.days_late and submission.score is not None:
        result.score = submission.score  # after the late penalty; the exercises keep their own scores
    return result


def _hide(result: StudentResult, how: str) -> None:
    if how == Course.Hidden.ALL:
        return
    for exercise in result.exercises:
        hidden = [c for c in exercise.checks if c.visibility == HIDDEN]
        if how == Course.Hidden.SCORE_ONLY:
            exercise.checks = [c for c in exercise.checks if c.visibility != HIDDEN]
            if hidden:
                exercise.warnings.append({"id": "hidden_checks_score_only", "params": {
                    "checks": len(hidden), "points": f"{sum(c.score for c in hidden):g}",
                    "max": f"{sum(c.max_score for c in hidden):g}"}})
            continue
        for check in hidden:  # pass/fail only: not why, nor how (a deadlock, a timeout)
            if check.status is not CheckStatus.PASSED:
                check.status = CheckStatus.FAILED
                check.message_ref = {"id": "hidden_check_before_deadline", "params": {}}
            check.details = {}


def html(submission: Submission, *, lang: str, teacher: bool) -> str | None:
    result = for_reader(submission, lang=lang, teacher=teacher)
    return reports.render_html(result) if result is not None else None
