"""Fixtures of the course site's tests: a course, people, and a way to submit.

Django runs on pytest-django's test database (`db` fixture); the data folder comes from
tests/conftest.py (one per test process). Live servers (`grader serve` as a process) are in
tests/site/live.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS = ROOT / "solutions"
EXERCISES = ROOT / "exercises"


@pytest.fixture
def course(db):
    from grader.site.course.models import Course, CourseExercise

    course = Course.objects.create(title="Concurrency", rate_burst=100, rate_refill_minutes=1)
    for i, slug in enumerate(["race-counter", "queue-drain"]):
        CourseExercise.objects.create(course=course, slug=slug, position=i)
    return course


def make_person(username: str, role: str = "student", lang: str = "en"):
    from django.contrib.auth import get_user_model

    from grader.site.people.models import Person

    user = get_user_model().objects.create_user(username=username, password="pw-" + username)
    return Person.objects.create(user=user, role=role, lang=lang, display_name=username.title())


@pytest.fixture
def people(db):
    return {name: make_person(name) for name in ("alice", "bob", "carol")} | {
        "teacher": make_person("teacher", role="teacher")}


def slow_answer() -> tuple[str, bytes]:
    """A process-queue answer whose grading waits for the judge's backstop (seconds): a kill or an
    outage lands while it is being graded, whatever the load. Its expected score is 9.0."""
    return "relay.py", (ROOT / "tests" / "samples" / "process-queue" / "joins_reader_before_draining.py").read_bytes()


def file_of(slug: str, solved: bool = False) -> tuple[str, bytes]:
    """The starter (wrong) or the reference solution (right) of an exercise, as an upload."""
    from grader.host import packs

    exercise = next(e for e in packs.load_all(EXERCISES) if e.slug == slug)
    folder = SOLUTIONS / slug if solved else EXERCISES / slug
    return exercise.student_file, (folder / exercise.student_file).read_bytes()
