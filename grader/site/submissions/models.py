"""A submission's row: its files, its state in the queue, its attempts and lease, its result.

A row is a student's submission of one course exercise, or one student of a teacher's batch
(`grader batch --via`: no site account, no course exercise; the batch says what to grade)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from grader.site.course.models import CourseExercise


class Batch(models.Model):
    """What a `grader batch --via` run asks of the workers: its exercises and points, its language."""
    created_at = models.DateTimeField(default=timezone.now)
    title = models.CharField(max_length=200, blank=True)
    assignment = models.JSONField(null=True, blank=True,
                                  help_text="the Assignment (grader.host.assignment); none: every pack")
    lang = models.CharField(max_length=10, default="en")

    def __str__(self) -> str:
        return f"batch {self.pk} {self.title}".strip()


class Submission(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        GRADED = "graded"
        NOT_GRADED = "not_graded"  # infrastructure failed every attempt: never shown as 0 points
        SUPERSEDED = "superseded"  # a newer one of the same student and exercise came while it waited

    class Priority(models.IntegerChoices):
        # The queue serves the lower number first: students' submissions before a teacher's regrade
        # (which queues the same row again, keeping its last result until the new one is recorded).
        SUBMISSION = 0, "submission"
        REGRADE = 1, "regrade"
        BATCH = 2, "batch"

    # A course submission has a student and an exercise; a batch's row has neither, but its batch.
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="submissions",
                                null=True, blank=True)
    exercise = models.ForeignKey(CourseExercise, on_delete=models.CASCADE, related_name="submissions",
                                 null=True, blank=True)
    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="submissions", null=True, blank=True)
    batch_student = models.CharField(max_length=200, blank=True, help_text="the student's name in the batch")
    batch_key = models.CharField(max_length=64, blank=True, db_index=True,
                                 help_text="the batch's key of what decides the grade (files, packs, points)")
    priority = models.SmallIntegerField(choices=Priority.choices, default=Priority.SUBMISSION)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # A claim: who holds it, a token only that claim knows, until when (heartbeats extend it).
    lease_token = models.CharField(max_length=32, blank=True)
    lease_owner = models.CharField(max_length=100, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    not_before = models.DateTimeField(null=True, blank=True, help_text="a retry's backoff")
    received_at = models.DateTimeField(default=timezone.now)
    queued_at = models.DateTimeField(default=timezone.now, help_text="last put in the queue: received, or regraded")
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    grading_seconds = models.FloatField(null=True, blank=True)
    days_late = models.PositiveSmallIntegerField(default=0)
    score = models.FloatField(null=True, blank=True, help_text="after the late penalty")
    max_score = models.FloatField(null=True, blank=True)
    result = models.JSONField(null=True, blank=True, help_text="the StudentResult (report.json's contract)")
    error = models.TextField(blank=True, help_text="the last infrastructure failure, for the teacher")

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["state", "priority", "received_at"]),
                   models.Index(fields=["student", "exercise", "received_at"])]
        constraints = [models.CheckConstraint(
            name="course_or_batch",
            condition=models.Q(batch__isnull=True, student__isnull=False, exercise__isnull=False)
            | models.Q(batch__isnull=False, student__isnull=True, exercise__isnull=True))]

    def __str__(self) -> str:
        what = self.exercise.slug if self.exercise else f"batch {self.batch_id}: {self.batch_student}"
        return f"#{self.pk} {what} ({self.state})"

    @property
    def finished(self) -> bool:
        return self.state in (self.State.GRADED, self.State.NOT_GRADED, self.State.SUPERSEDED)


class SubmittedFile(models.Model):
    """One file as uploaded (a zip stays a zip: the intake opens it, as in batch grading)."""
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="files")
    name = models.CharField(max_length=1024)  # a batch's files keep their folders: a/b/c.py
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()

    class Meta:
        ordering = ["id"]


class Alert(models.Model):
    """Something the teacher must know: a submission not graded after every retry."""
    created_at = models.DateTimeField(default=timezone.now)
    submission = models.ForeignKey(Submission, null=True, blank=True, on_delete=models.CASCADE)
    message = models.TextField()
    seen = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at"]


class Worker(models.Model):
    """A grading worker's heartbeat: the queue's health page counts those seen recently."""
    name = models.CharField(max_length=100, unique=True)
    host = models.CharField(max_length=200, blank=True)
    judges = models.PositiveSmallIntegerField(default=1)
    sandbox = models.CharField(max_length=20, blank=True, help_text="docker, or local: not isolated")
    started_at = models.DateTimeField(default=timezone.now)
    seen_at = models.DateTimeField(default=timezone.now)


class Blob(models.Model):
    """A submitted file's bytes, by SHA-256, when the database is PostgreSQL (cluster mode): every
    host that grades reads them from the database, and DATA/blobs/ need not be shared (storage.py)."""
    sha256 = models.CharField(max_length=64, primary_key=True)
    content = models.BinaryField()
