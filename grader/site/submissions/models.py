"""A submission's row: its files, its state in the queue, its attempts and lease, its result."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from grader.site.course.models import CourseExercise


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

    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="submissions")
    exercise = models.ForeignKey(CourseExercise, on_delete=models.CASCADE, related_name="submissions")
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

    def __str__(self) -> str:
        return f"#{self.pk} {self.exercise.slug} ({self.state})"

    @property
    def finished(self) -> bool:
        return self.state in (self.State.GRADED, self.State.NOT_GRADED, self.State.SUPERSEDED)


class SubmittedFile(models.Model):
    """One file as uploaded (a zip stays a zip: the intake opens it, as in batch grading)."""
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="files")
    name = models.CharField(max_length=255)
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
