"""Submitting, as the web page and the API both do it: policy, intake, storage, queue, in that order."""

from __future__ import annotations

from grader.host import packs
from grader.site.course import packs as course_packs
from grader.site.course.models import Course, CourseExercise

from . import accept, policy, tasks
from .accept import Refused
from .models import Submission


def pack_of(course_exercise: CourseExercise) -> packs.Exercise:
    found = course_packs.by_slug().get(course_exercise.slug)
    if found is not None:
        return found
    raise Refused({"id": "upload_exercise_gone", "params": {"exercise": course_exercise.slug}})


def submit(*, student, course_exercise: CourseExercise, files: list[tuple[str, bytes]]) -> Submission:
    """Store and queue a submission, or raise Refused (nothing stored) saying why."""
    course = Course.current()
    if course is None:
        raise Refused({"id": "upload_no_course", "params": {}})
    policy.check_allowed(course, course_exercise, student)
    named = accept.check(files, pack_of(course_exercise))
    submission = accept.store(student=student, course_exercise=course_exercise, files=named)
    tasks.enqueue()
    return submission
