"""What the course allows a student to submit, and when: opening, deadline and late limit, rate.

The rate limit is a token bucket per student and exercise (Course.rate_burst attempts, one more
every Course.rate_refill_minutes), computed from the submissions' own times: no counter to drift.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from grader.site.course.models import Course, CourseExercise

from .accept import Refused
from .models import Submission


def next_allowed(course: Course, exercise: CourseExercise, student, now: datetime | None = None) -> datetime | None:
    """When the student may submit this exercise again; None: now."""
    now = now or timezone.now()
    if course.rate_refill_minutes == 0 or course.rate_burst == 0:
        return None
    refill = timedelta(minutes=course.rate_refill_minutes)
    window = refill * (course.rate_burst + 1)
    times = list(Submission.objects.filter(student=student, exercise=exercise,
                                           received_at__gt=now - window * 4)
                 .order_by("received_at").values_list("received_at", flat=True))
    tokens, last = float(course.rate_burst), None
    for t in times:
        if last is not None:
            tokens = min(course.rate_burst, tokens + (t - last) / refill)
        tokens -= 1
        last = t
    if last is None:
        return None
    tokens = min(course.rate_burst, tokens + (now - last) / refill)
    return None if tokens >= 1 else now + (1 - tokens) * refill


def check_allowed(course: Course, exercise: CourseExercise, student, now: datetime | None = None) -> None:
    """Refused (with when to come back) if the course does not take this submission now."""
    now = now or timezone.now()
    if exercise.opens and now < exercise.opens:
        raise Refused({"id": "upload_not_open", "params": {"opens": _when(exercise.opens)}})
    if not exercise.accepts(now, student):
        raise Refused({"id": "upload_too_late", "params": {"deadline": _when(exercise.deadline_for(student)),
                                                           "days": exercise.max_days_late}})
    again = next_allowed(course, exercise, student, now)
    if again is not None:
        raise Refused({"id": "upload_rate_limited", "params": {
            "at": _when(again), "seconds": int((again - now).total_seconds()) + 1,
            "burst": course.rate_burst, "minutes": course.rate_refill_minutes}})


def _when(moment: datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M %Z") if moment else ""


def counted(exercise: CourseExercise, student, course: Course) -> Submission | None:
    """The submission whose score counts: the last graded one before the deadline (late ones count
    if none was on time, with their penalty), or the best, as the course says."""
    # A row being regraded keeps its last score until the new one is recorded, so it still counts.
    graded = Submission.objects.filter(student=student, exercise=exercise, score__isnull=False)
    if course.counting == Course.Counting.BEST:
        return graded.order_by("-score", "-received_at").first()
    on_time = graded.filter(days_late=0).order_by("-received_at").first()
    return on_time or graded.order_by("-received_at").first()
