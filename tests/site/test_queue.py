"""The queue in the database: fair order, superseding, leases, recording once, retries, positions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from grader.site.course.models import CourseExercise
from grader.site.submissions import accept, queue
from grader.site.submissions.models import Alert, Submission

from .conftest import file_of

S = Submission.State


def submit(person, slug="race-counter", at=None):
    exercise = CourseExercise.objects.get(slug=slug)
    submission = accept.store(student=person.user, course_exercise=exercise, files=[file_of(slug)])
    if at is not None:
        Submission.objects.filter(pk=submission.pk).update(received_at=at)
    return submission


def order_of_claims(n):
    claimed = []
    for _ in range(n):
        s = queue.claim("w")
        if s is None:
            break
        claimed.append(s)
        queue.record(s, result={}, score=1, max_score=1, seconds=0.1)
    return claimed


@pytest.mark.django_db
def test_round_robin_one_students_twenty_do_not_delay_the_others(course, people):
    t0 = timezone.now()
    alice = [submit(people["alice"], slug=("race-counter", "queue-drain")[i % 2], at=t0 + timedelta(seconds=i))
             for i in range(20)]
    bob = submit(people["bob"], at=t0 + timedelta(seconds=30))
    carol = submit(people["carol"], at=t0 + timedelta(seconds=31))
    waiting = Submission.objects.filter(state=S.QUEUED).count()
    assert queue.position(bob) <= 2 and queue.position(carol) <= 2
    claimed = order_of_claims(waiting)
    first_four = [s.student.username for s in claimed[:4]]
    assert sorted(first_four[:3]) == ["alice", "bob", "carol"], first_four
    assert {s.pk for s in claimed} >= {bob.pk, carol.pk}
    assert all(s.state != S.QUEUED for s in Submission.objects.filter(pk__in=[a.pk for a in alice]))


@pytest.mark.django_db
def test_a_newer_submission_supersedes_the_older_one_still_waiting(course, people):
    old = submit(people["alice"])
    other_exercise = submit(people["alice"], slug="queue-drain")
    new = submit(people["alice"])
    old.refresh_from_db()
    assert old.state == S.SUPERSEDED
    assert Submission.objects.get(pk=new.pk).state == S.QUEUED
    assert Submission.objects.get(pk=other_exercise.pk).state == S.QUEUED
    assert queue.position(old) is None


@pytest.mark.django_db
def test_a_running_submission_is_not_superseded(course, people):
    first = submit(people["alice"])
    claimed = queue.claim("w")
    assert claimed.pk == first.pk
    submit(people["alice"])
    first.refresh_from_db()
    assert first.state == S.RUNNING


@pytest.mark.django_db
def test_regrades_wait_for_students_submissions(course, people):
    graded = submit(people["alice"])
    order_of_claims(1)
    assert queue.regrade(Submission.objects.filter(pk=graded.pk)) == 1
    fresh = submit(people["bob"])
    assert queue.position(fresh) == 0
    graded.refresh_from_db()
    assert queue.position(graded) == 1
    assert graded.score == 1  # the old result stays until the new one is recorded
    assert [s.pk for s in order_of_claims(2)] == [fresh.pk, graded.pk]


@pytest.mark.django_db
def test_two_claims_never_hold_the_same_submission(course, people):
    only = submit(people["alice"])
    first = queue.claim("w1")
    assert first.pk == only.pk
    assert queue.claim("w2") is None


@pytest.mark.django_db
@override_settings(LEASE_SECONDS=5)
def test_an_expired_lease_is_graded_again_and_the_old_claim_cannot_record(course, people):
    submit(people["alice"])
    lost = queue.claim("killed-worker")
    Submission.objects.filter(pk=lost.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    assert queue.sweep() == 1
    again = queue.claim("other-worker")
    assert again.pk == lost.pk and again.attempts == 2
    assert not queue.record(lost, result={"who": "old"}, score=0, max_score=10, seconds=1)
    assert not queue.heartbeat(lost)
    assert queue.record(again, result={"who": "new"}, score=10, max_score=10, seconds=1)
    row = Submission.objects.get(pk=lost.pk)
    assert row.state == S.GRADED and row.result == {"who": "new"} and row.score == 10


@pytest.mark.django_db
@override_settings(MAX_ATTEMPTS=2, RETRY_BACKOFF_SECONDS=60)
def test_infrastructure_failures_retry_with_backoff_then_not_graded_and_the_teacher_is_alerted(course, people):
    submission = submit(people["alice"])
    claimed = queue.claim("w")
    assert queue.retry(claimed, "docker: no engine")
    row = Submission.objects.get(pk=submission.pk)
    assert row.state == S.QUEUED and row.not_before > timezone.now() + timedelta(seconds=50)
    assert queue.claim("w") is None  # backing off
    Submission.objects.filter(pk=submission.pk).update(not_before=timezone.now())
    claimed = queue.claim("w")
    assert queue.retry(claimed, "docker: no engine")
    row = Submission.objects.get(pk=submission.pk)
    assert row.state == S.NOT_GRADED and row.score is None
    assert Alert.objects.filter(submission=row).count() == 1
    assert queue.health()["not_graded"] == 1


@pytest.mark.django_db
@override_settings(MAX_ATTEMPTS=1)
def test_a_lease_expiring_after_the_last_attempt_is_not_graded_never_zero(course, people):
    submit(people["alice"])
    lost = queue.claim("w")
    Submission.objects.filter(pk=lost.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    queue.sweep()
    row = Submission.objects.get(pk=lost.pk)
    assert row.state == S.NOT_GRADED and row.score is None and Alert.objects.count() == 1


@pytest.mark.django_db
def test_the_oldest_wait_of_a_regrade_counts_from_the_regrade(course, people):
    old = submit(people["alice"], at=timezone.now() - timedelta(hours=2))
    order_of_claims(1)
    queue.regrade(Submission.objects.filter(pk=old.pk))
    assert queue.health()["oldest_wait_seconds"] < 60
