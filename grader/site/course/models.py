"""One site is one course (one data folder a course): its settings and its exercises.

Late policy has the fields of assignment.yaml's `late_policy` (grader.host.assignment.LatePolicy),
so an assignment file imports as it is.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models


class Course(models.Model):
    class Counting(models.TextChoices):
        LAST = "last", "the last submission before the deadline"
        BEST = "best", "the best submission"

    class Hidden(models.TextChoices):
        ALL = "all", "everything"
        PASS_FAIL = "pass_fail", "passed or failed only"
        SCORE_ONLY = "score_only", "the score only"

    class HiddenDetails(models.TextChoices):  # grader.host.hidden.LEVELS
        RESULT = "result", "the name and whether it passed"
        HINT = "hint", "also the author's hint"
        FULL = "full", "also the message, stuck lines and interleaving"

    title = models.CharField(max_length=200)
    counting = models.CharField(max_length=4, choices=Counting.choices, default=Counting.LAST)
    # What a student sees of the hidden checks before the deadline (after it: everything).
    hidden_before_deadline = models.CharField(max_length=10, choices=Hidden.choices, default=Hidden.PASS_FAIL)
    # How much a student sees of a hidden check that did not pass (grader.host.hidden; "everything"
    # above means this much). Teachers see everything.
    hidden_details = models.CharField(max_length=6, choices=HiddenDetails.choices, default=HiddenDetails.HINT)
    # Rate limit per student and exercise: a token bucket of `rate_burst` attempts, one more every
    # `rate_refill_minutes`. 0 minutes: no limit.
    rate_burst = models.PositiveIntegerField(default=5)
    rate_refill_minutes = models.PositiveIntegerField(default=10)

    def __str__(self) -> str:
        return self.title

    @classmethod
    def current(cls) -> Course | None:
        return cls.objects.order_by("id").first()


class CourseExercise(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="exercises")
    slug = models.CharField(max_length=100)
    position = models.PositiveIntegerField(default=0)
    points = models.FloatField(null=True, blank=True, help_text="none: the pack's own points")
    opens = models.DateTimeField(null=True, blank=True)
    deadline = models.DateTimeField(null=True, blank=True)
    penalty_per_day = models.FloatField(default=0, help_text="percent of the points, per day or part of one late")
    max_days_late = models.PositiveIntegerField(null=True, blank=True, help_text="later than this: not accepted")
    grace_minutes = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["course", "slug"], name="one_exercise_once")]

    def __str__(self) -> str:
        return self.slug

    def deadline_for(self, student) -> datetime | None:
        extension = self.extensions.filter(student=student).first()
        return extension.deadline if extension else self.deadline

    def days_late(self, when: datetime, student) -> int:
        """Whole days (or parts of one) after the student's deadline and the grace; 0: on time."""
        deadline = self.deadline_for(student)
        if deadline is None:
            return 0
        late = when - deadline - timedelta(minutes=self.grace_minutes)
        return 0 if late <= timedelta(0) else math.ceil(late / timedelta(days=1))

    def accepts(self, when: datetime, student) -> bool:
        if self.opens and when < self.opens:
            return False
        return self.max_days_late is None or self.days_late(when, student) <= self.max_days_late

    def penalty_factor(self, when: datetime, student) -> float:
        """What a submission at `when` keeps of its score: 1.0 on time."""
        return max(0.0, 1.0 - self.penalty_per_day * self.days_late(when, student) / 100)


class Extension(models.Model):
    exercise = models.ForeignKey(CourseExercise, on_delete=models.CASCADE, related_name="extensions")
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="extensions")
    deadline = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["exercise", "student"], name="one_extension")]
