"""Downloads: grades.csv, the LMS's grade sheet filled in, Gradescope's JSON."""

from __future__ import annotations

import base64
import json
from pathlib import PurePosixPath, PureWindowsPath

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from grader.host.batch.gradesheet import SheetError, write
from grader.site.course.models import Course
from grader.site.middleware import reader_lang

from . import exports
from .access import teacher_required
from .forms import GradesheetForm
from .standings import columns, standings, students


def _class(course: Course):
    cols = columns(course, reader_lang())
    return cols, standings(course, cols, students())


def _download(content: bytes, name: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@teacher_required
def page(request):
    if Course.current() is None:
        return redirect("teacher:course")
    return render(request, "teacher/exports.html", {"form": GradesheetForm(course=Course.current())})


@teacher_required
def grades_csv(request):
    course = Course.current()
    if course is None:
        return redirect("teacher:course")
    cols, rows = _class(course)
    data = exports.grades_csv(exports.grade_rows(cols, rows), [c.exercise.slug for c in cols])
    return _download(data, "grades.csv", "text/csv; charset=utf-8")


@teacher_required
def gradescope_json(request):
    course = Course.current()
    if course is None:
        return redirect("teacher:course")
    data = json.dumps(exports.gradescope_json(*_class(course)), ensure_ascii=False, indent=2)
    return _download(data.encode(), "gradescope.json", "application/json")


@teacher_required
@require_POST
def gradesheet(request):
    """The filled sheet comes back on a page that says whom it matched, with a download link that
    carries the file itself (a data: URL): nothing of it is kept on the server."""
    course = Course.current()
    if course is None:
        return redirect("teacher:course")
    form = GradesheetForm(request.POST, request.FILES, course=course)
    if not form.is_valid():
        return render(request, "teacher/exports.html", {"form": form}, status=400)
    upload = form.cleaned_data["file"]
    data = upload.read(settings.MAX_UPLOAD_BYTES + 1)
    cols, rows = _class(course)
    slug = form.cleaned_data["fill"]
    grades = exports.exercise_rows(cols, rows, slug) if slug else exports.grade_rows(cols, rows)
    try:
        result = exports.fill_sheet(data, grades, form.cleaned_data["column"], form.cleaned_data["out_of"])
    except SheetError as exc:
        form.add_error("file", str(exc))
        return render(request, "teacher/exports.html", {"form": form}, status=400)
    filled = result.filled
    name = PureWindowsPath(PurePosixPath(upload.name or "").name).name or "grades.csv"
    return render(request, "teacher/gradesheet_filled.html", {
        "filled": filled, "name": "filled-" + name, "scaled_from": _num(result.scaled_from),
        "scaled_to": _num(result.scaled_to),
        "href": "data:text/csv;base64," + base64.b64encode(write(filled.sheet)).decode("ascii")})


def _num(value: float | None) -> str:
    return "" if value is None else f"{round(value, 2):g}"
