"""A submission's state as the API and the submission page show it: queue position, estimated
wait, score, whether it counts, and the grade table as this reader may see it."""

from __future__ import annotations

from grader.site.course.models import Course

from . import policy, queue, reporting
from .models import Submission


def status_of(submission: Submission, *, lang: str, teacher: bool) -> dict:
    course = Course.current()
    result = reporting.for_reader(submission, lang=lang, teacher=teacher) if submission.result else None
    counted = policy.counted(submission.exercise, submission.student, course) if course else None
    return {
        "id": submission.pk, "exercise": submission.exercise.slug, "state": submission.state,
        "position": queue.position(submission), "estimated_wait_seconds": queue.estimated_wait(submission),
        "attempts": submission.attempts, "received_at": submission.received_at,
        "started_at": submission.started_at, "finished_at": submission.finished_at,
        "score": submission.score, "max_score": submission.max_score, "days_late": submission.days_late,
        "grading_seconds": submission.grading_seconds,
        "counts": counted is not None and counted.pk == submission.pk,
        "report_url": f"/submissions/{submission.pk}/report",
        "exercises": [{"exercise": e.exercise, "title": e.title, "status": e.status.value, "score": e.score,
                       "max_score": e.max_score,
                       "checks": [{"name": c.name, "status": c.status.value, "score": c.score,
                                   "max_score": c.max_score, "visibility": c.visibility, "message": c.message}
                                  for c in e.checks]}
                      for e in (result.exercises if result else [])],
    }
