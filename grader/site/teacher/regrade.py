"""Which submissions a regrade queues again, and queuing them (submissions.queue.regrade).

For each student and exercise: the latest finished submission (graded, or not graded after every
retry) and the one that counts, when that is another (the best, or the last on time): after a pack
is fixed, the score that counts must be the fixed one. Rows still waiting or running are left alone
(queue.regrade's own rule); every row keeps its result until its new one is recorded.
"""

from __future__ import annotations

from django.db.models import F, OuterRef, Subquery

from grader.site.course.models import Course
from grader.site.submissions import policy, queue, tasks
from grader.site.submissions.models import Submission

S = Submission.State
FINISHED = (S.GRADED, S.NOT_GRADED)


def candidates(course: Course, *, student=None, exercise=None):
    """The rows a regrade of this student, this exercise, or (neither) everyone queues again."""
    finished = Submission.objects.filter(exercise__course=course, state__in=FINISHED)
    if student is not None:
        finished = finished.filter(student=student)
    if exercise is not None:
        finished = finished.filter(exercise=exercise)
    newest = (Submission.objects.filter(student=OuterRef("student"), exercise=OuterRef("exercise"),
                                        state__in=FINISHED).order_by("-received_at", "-id").values("pk")[:1])
    latest = list(finished.annotate(newest=Subquery(newest)).filter(pk=F("newest"))
                  .select_related("exercise", "student"))
    ids = {s.pk for s in latest}
    for s in latest:
        counted = policy.counted(s.exercise, s.student, course)
        if counted is not None:
            ids.add(counted.pk)
    return Submission.objects.filter(pk__in=ids, state__in=FINISHED)


def regrade(rows) -> int:
    """Queue the rows again at the regrade priority; one task message per row queued."""
    queued = queue.regrade(rows)
    for _ in range(queued):
        tasks.enqueue()
    return queued
