"""A submission's report as its reader may see it, in the reader's language.

A student sees of a hidden check that did not pass what the course's `hidden_details` allows
(grader.host.hidden: its name and result, plus its author's hint, plus everything). Before the
deadline, Course.hidden_before_deadline may show less: whether each passed, or only the score they
add up to. Teachers see everything. The report is the grader's own
(grader.host.reports.render_html), rendered again from its message references in `lang`; the
`grader submit` command prints the same (api.py).
"""

from __future__ import annotations

from django.utils import timezone

from grader.host import hidden, reports
from grader.host.localize import localize
from grader.host.results import StudentResult
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
    packs = course_packs.by_slug()
    level, failed = hidden.DEFAULT, "hidden_failed"
    if course is not None:
        level = course.hidden_details
        before_deadline = deadline is None or timezone.now() <= deadline
        if not teacher and before_deadline and course.hidden_before_deadline == Course.Hidden.SCORE_ONLY:
            _score_only(result)
        elif before_deadline and course.hidden_before_deadline == Course.Hidden.PASS_FAIL:
            level, failed = "result", "hidden_check_before_deadline"
    localize(result, lang, packs)
    if not teacher:  # teachers see everything
        result = hidden.for_student(result, level, packs, failed=failed)
    if submission.days_late and submission.score is not None:
        result.score = submission.score  # after the late penalty; the exercises keep their own scores
    return result


def _score_only(result: StudentResult) -> None:
    for exercise in result.exercises:
        hidden_checks = [c for c in exercise.checks if c.visibility == HIDDEN]
        exercise.checks = [c for c in exercise.checks if c.visibility != HIDDEN]
        if hidden_checks:
            exercise.warnings.append({"id": "hidden_checks_score_only", "params": {
                "checks": len(hidden_checks), "points": f"{sum(c.score for c in hidden_checks):g}",
                "max": f"{sum(c.max_score for c in hidden_checks):g}"}})


def html(submission: Submission, *, lang: str, teacher: bool) -> str | None:
    result = for_reader(submission, lang=lang, teacher=teacher)
    return reports.render_html(result) if result is not None else None
