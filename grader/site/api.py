"""The JSON API (django-ninja; OpenAPI schema at /api/v1/openapi.json, docs at /api/v1/docs).

Token auth (`Authorization: Bearer gr_...`, the token a student copies from the site) for scripts
and `grader submit`; the browser's own pages use the session (with CSRF). A student reaches only
their own submissions: anyone else's is 404, as if it did not exist.
"""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import translation
from ninja import File, Form, NinjaAPI, Schema, Status
from ninja.files import UploadedFile
from ninja.security import HttpBearer, django_auth

from grader.host.messages import render
from grader.host.pack_i18n import pack_text
from grader.site.course import packs as course_packs
from grader.site.course.models import Course, CourseExercise
from grader.site.middleware import DJANGO_LANG, reader_lang
from grader.site.people.models import Person
from grader.site.submissions import policy, queue, reporting, service
from grader.site.submissions.accept import Refused
from grader.site.submissions.access import is_teacher, visible_to
from grader.site.submissions.models import Submission
from grader.site.submissions.status import status_of
from grader.site.submissions.uploads import read_bounded


class Token(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        person = Person.by_api_token(token)
        if person is None:
            return None
        request.user = person.user
        translation.activate(DJANGO_LANG.get(person.lang, "en"))
        return person.user


api = NinjaAPI(title="Course site", version="1", urls_namespace="api", auth=[Token(), django_auth])


class RefusedOut(Schema):
    refused: str
    message: str
    retry_after_seconds: int | None = None


class ExerciseOut(Schema):
    slug: str
    title: str
    file: str
    points: float  # what it is worth in this course: the teacher's weight, else the pack's own points
    opens: datetime | None
    deadline: datetime | None
    next_allowed: datetime | None


class StatusOut(Schema):
    id: int
    exercise: str
    state: str
    position: int | None
    estimated_wait_seconds: float | None
    attempts: int
    received_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    score: float | None
    max_score: float | None
    days_late: int
    grading_seconds: float | None
    counts: bool
    report_url: str
    exercises: list[dict]


def _teacher(request) -> bool:
    return is_teacher(request.user)


def _status(request, submission: Submission) -> dict:
    return status_of(submission, lang=reader_lang(), teacher=_teacher(request))


@api.get("/exercises", response=list[ExerciseOut])
def exercises(request):
    course = Course.current()
    by_slug = course_packs.by_slug()
    rows = [e for e in (CourseExercise.objects.filter(course=course) if course else []) if e.slug in by_slug]
    lang = reader_lang()
    return [{"slug": e.slug, "title": pack_text(by_slug[e.slug], by_slug[e.slug].spec.title, lang),
             "file": by_slug[e.slug].student_file, "points": e.points or by_slug[e.slug].max_score, "opens": e.opens,
             "deadline": e.deadline_for(request.user),
             "next_allowed": policy.next_allowed(course, e, request.user) if course else None} for e in rows]


@api.post("/submissions", response={201: StatusOut, 400: RefusedOut, 404: RefusedOut, 429: RefusedOut})
def submit(request, response: HttpResponse, exercise: Form[str],
           files: File[list[UploadedFile]] = None):  # type: ignore[assignment]
    """Submit files (the exercise's file, several, or a zip) for one exercise."""
    course_exercise = CourseExercise.objects.filter(course=Course.current(), slug=exercise).first()
    lang = reader_lang()
    if course_exercise is None:
        return Status(404, {"refused": "no_such_exercise", "message": render(
            {"id": "upload_no_such_exercise", "params": {"exercise": exercise}}, lang)})
    try:
        read = read_bounded(files or [], stopped_at=getattr(request, "upload_refused_size", None))
        submission = service.submit(student=request.user, course_exercise=course_exercise, files=read)
    except Refused as refused:
        code = 429 if refused.message["id"] == "upload_rate_limited" else 400
        retry_after = refused.message["params"].get("seconds") if code == 429 else None
        if retry_after is not None:
            response["Retry-After"] = str(retry_after)  # HTTP's own way of saying when, beside the JSON's
        return Status(code, {"refused": refused.message["id"], "message": render(refused.message, lang),
                             "retry_after_seconds": retry_after})
    return Status(201, _status(request, submission))


@api.get("/submissions/{submission_id}", response=StatusOut)
def status(request, submission_id: int):
    return _status(request, get_object_or_404(visible_to(request.user), pk=submission_id))


@api.get("/submissions/{submission_id}/report")
def report(request, submission_id: int):
    """The report's data (report.json's contract), as this reader may see it."""
    submission = get_object_or_404(visible_to(request.user), pk=submission_id)
    result = reporting.for_reader(submission, lang=reader_lang(), teacher=_teacher(request))
    return result.to_dict() if result is not None else {"state": submission.state}


@api.get("/submissions", response=list[StatusOut])
def history(request, exercise: str | None = None, limit: int = 50):
    rows = visible_to(request.user).filter(student=request.user)
    if exercise:
        rows = rows.filter(exercise__slug=exercise)
    return [_status(request, s) for s in rows[:max(1, min(limit, 200))]]


@api.get("/queue")
def queue_health(request):
    """The queue's numbers (teachers only)."""
    if not _teacher(request):
        return api.create_response(request, {"detail": "Not Found"}, status=404)
    return queue.health()
