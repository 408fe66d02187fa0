"""The grading queue, kept in the database: fair order, leases, retries, recording once.

- claim(): the next submission, fairly: students' submissions before regrades before batches; among
  students, round-robin (the one served longest ago first: `Person.last_served_at`), so one
  student's twenty submissions never delay the others; a student's own oldest first. A claim is a
  conditional UPDATE (state still queued), so two workers never hold the same submission, on
  SQLite and PostgreSQL alike.
- heartbeat() extends a lease; sweep() puts a submission whose lease expired (a worker killed
  mid-grading) back in the queue, or, after MAX_ATTEMPTS, marks it not graded and alerts the teacher.
- record() writes a result only while the claim's token still holds the row: a worker whose lease
  expired and was replaced cannot overwrite the attempt that replaced it.
- retry(): an infrastructure failure goes back in the queue after a backoff, a bounded number of times.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from statistics import median

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from grader.site.people.models import Person

from .models import Alert, Submission, Worker

S = Submission.State


def _lease() -> timedelta:
    return timedelta(seconds=settings.LEASE_SECONDS)


def _fair_order(queryset):
    served = F("student__person__last_served_at").asc(nulls_first=True)
    return queryset.order_by("priority", served, "received_at", "id")


def claimable():
    now = timezone.now()
    return Submission.objects.filter(state=S.QUEUED).exclude(not_before__gt=now)


def regrade(submissions) -> int:
    """Grade these again (a pack was fixed), below students' submissions; each keeps its result
    until the new one is recorded. Those waiting or running already are left as they are."""
    return submissions.filter(state__in=[S.GRADED, S.NOT_GRADED]).update(
        state=S.QUEUED, priority=Submission.Priority.REGRADE, attempts=0, not_before=None, error="",
        queued_at=timezone.now())


def supersede_older(submission: Submission) -> int:
    """Older submissions of the same student and exercise still waiting are not graded."""
    return (Submission.objects.filter(student=submission.student, exercise=submission.exercise, state=S.QUEUED,
                                      priority=Submission.Priority.SUBMISSION, received_at__lte=submission.received_at)
            .exclude(pk=submission.pk).update(state=S.SUPERSEDED, finished_at=timezone.now()))


def claim(owner: str) -> Submission | None:
    """Take the next submission for grading, or None when nothing is waiting."""
    for _ in range(20):  # another worker may take the same one first: then the next
        candidate = _fair_order(claimable()).values_list("pk", "student_id").first()
        if candidate is None:
            return None
        pk, student_id = candidate
        now = timezone.now()
        token = secrets.token_hex(16)
        with transaction.atomic():
            taken = Submission.objects.filter(pk=pk, state=S.QUEUED).update(
                state=S.RUNNING, lease_token=token, lease_owner=owner, lease_until=now + _lease(),
                attempts=F("attempts") + 1, started_at=now)
            if taken:
                Person.objects.filter(user_id=student_id).update(last_served_at=now)
        if taken:
            return Submission.objects.select_related("exercise", "student__person", "batch").get(pk=pk)
    return None


def heartbeat(submission: Submission) -> bool:
    """Extend the claim; False when it was lost (expired and taken back)."""
    return bool(Submission.objects.filter(pk=submission.pk, state=S.RUNNING, lease_token=submission.lease_token)
                .update(lease_until=timezone.now() + _lease()))


def record(submission: Submission, *, result: dict, score: float | None, max_score: float | None,
           seconds: float) -> bool:
    """Write the result if this claim still holds the row; False: another attempt replaced it."""
    return bool(Submission.objects.filter(pk=submission.pk, state=S.RUNNING, lease_token=submission.lease_token)
                .update(state=S.GRADED, result=result, score=score, max_score=max_score, grading_seconds=seconds,
                        finished_at=timezone.now(), lease_token="", lease_until=None, error=""))


def retry(submission: Submission, error: str) -> bool:
    """An infrastructure failure: queue it again after a backoff, or give up and alert the teacher."""
    if submission.attempts >= settings.MAX_ATTEMPTS:
        return _give_up(Submission.objects.filter(pk=submission.pk, state=S.RUNNING,
                                                  lease_token=submission.lease_token), error)
    backoff = settings.RETRY_BACKOFF_SECONDS * 2 ** (submission.attempts - 1)
    return bool(Submission.objects.filter(pk=submission.pk, state=S.RUNNING, lease_token=submission.lease_token)
                .update(state=S.QUEUED, lease_token="", lease_until=None, error=error[-4000:],
                        not_before=timezone.now() + timedelta(seconds=backoff)))


def _give_up(rows, error: str) -> bool:
    with transaction.atomic():
        ids = list(rows.values_list("pk", flat=True))
        done = rows.update(state=S.NOT_GRADED, lease_token="", lease_until=None, error=error[-4000:],
                           finished_at=timezone.now())
        for pk in ids:
            Alert.objects.create(submission_id=pk, message=f"Submission {pk} could not be graded after "
                                 f"{settings.MAX_ATTEMPTS} attempts: {error[-500:]}")
    return bool(done)


def sweep() -> int:
    """Take back claims whose lease expired: queued again, or not graded after MAX_ATTEMPTS."""
    now = timezone.now()
    expired = Submission.objects.filter(state=S.RUNNING, lease_until__lt=now)
    error = "the worker grading it stopped answering (its lease expired)"
    given_up = _give_up(expired.filter(attempts__gte=settings.MAX_ATTEMPTS), error)
    requeued = expired.filter(attempts__lt=settings.MAX_ATTEMPTS).update(
        state=S.QUEUED, lease_token="", lease_until=None, error=error)
    return int(given_up) + requeued


def position(submission: Submission) -> int | None:
    """How many submissions will be claimed before this one (0: next), or None if not waiting.

    Round-robin makes a student's k-th waiting submission (k from 0) wait for every other student's
    first k+1 (k if served before this student) and everything of a more urgent kind."""
    if submission.state != S.QUEUED:
        return None
    waiting = _fair_order(Submission.objects.filter(state=S.QUEUED, priority=submission.priority)) \
        .values_list("pk", "student_id")
    per_student: dict[int, list[int]] = {}
    for pk, student_id in waiting:
        per_student.setdefault(student_id, []).append(pk)
    mine = per_student.get(submission.student_id, [])
    if submission.pk not in mine:
        return None
    k = mine.index(submission.pk)
    order = list(per_student)  # students in the order they are served (dicts keep insertion order)
    me = order.index(submission.student_id)
    ahead = Submission.objects.filter(state=S.QUEUED, priority__lt=submission.priority).count()
    for i, student_id in enumerate(order):
        if student_id != submission.student_id:
            ahead += min(len(per_student[student_id]), k + (1 if i < me else 0))
    return ahead + k


def recent_grading_seconds() -> float | None:
    times = list(Submission.objects.filter(state=S.GRADED, grading_seconds__isnull=False)
                 .order_by("-finished_at").values_list("grading_seconds", flat=True)[:50])
    return median(times) if times else None


def judges_alive(within: float = 10.0) -> int:  # workers beat every 2 s (serve.SWEEP_SECONDS)
    since = timezone.now() - timedelta(seconds=within)
    return sum(Worker.objects.filter(seen_at__gte=since).values_list("judges", flat=True))


def estimated_wait(submission: Submission) -> float | None:
    """Seconds until its grading ends, from the recent median grading time; None when unknown."""
    ahead = position(submission)
    typical = recent_grading_seconds()
    if ahead is None or typical is None:
        return None
    return (ahead // max(1, judges_alive()) + 1) * typical


def health() -> dict:
    """The queue's numbers for the teacher's page, `grader site status` and the metrics."""
    now = timezone.now()
    waiting = Submission.objects.filter(state=S.QUEUED)
    oldest = waiting.order_by("queued_at").values_list("queued_at", flat=True).first()
    return {
        "queued": waiting.count(),
        "running": Submission.objects.filter(state=S.RUNNING).count(),
        "oldest_wait_seconds": (now - oldest).total_seconds() if oldest else 0.0,
        "judges_alive": judges_alive(),
        "not_graded": Submission.objects.filter(state=S.NOT_GRADED).count(),
        "retrying": waiting.filter(attempts__gt=0).count(),
        "graded": Submission.objects.filter(state=S.GRADED).count(),
        "median_grading_seconds": recent_grading_seconds(),
        "alerts": Alert.objects.filter(seen=False).count(),
    }
