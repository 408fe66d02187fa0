"""The live class board (a page, and the JSON its script polls) and one student's page."""

from __future__ import annotations

from statistics import mean

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from grader.site.course.models import Course, Extension
from grader.site.middleware import reader_lang
from grader.site.people.models import Person
from grader.site.submissions import policy
from grader.site.submissions.models import Submission

from . import display
from .access import teacher_required
from .forms import ExtensionForm
from .standings import Column, Row, columns, max_total, standings, students


def cell_id(user_id: int, exercise_id: int) -> str:
    return f"c-{user_id}-{exercise_id}"


def board_data(course: Course) -> dict:
    """Everything the board shows, as text, keyed by the element id that shows it."""
    cols = columns(course, reader_lang())
    rows = standings(course, cols, students())
    top = max_total(cols)
    texts: dict[str, str] = {}
    states: dict[str, list[str]] = {}
    view_rows = []
    for row in rows:
        cells = []
        for col, cell in zip(cols, row.cells):
            key = cell_id(row.person.user_id, col.exercise.pk)
            maximum = cell.counted.max_score if cell.counted is not None else col.max_score
            texts[key + "-score"] = display.out_of(cell.score, maximum)
            state = cell.latest.state if cell.latest is not None else ""
            states[key + "-state"] = [state, display.state_label(state) if state else ""]
            # The score that counts, or the newest, ended on tampering (or reached for the grader).
            texts[key + "-flag"] = display.flag_label(display.flag(cell.counted, cell.latest))
            cells.append({"id": key, "score": texts[key + "-score"], "state": state,
                          "state_label": states[key + "-state"][1], "flag": texts[key + "-flag"]})
        total_id = f"t-{row.person.user_id}"
        texts[total_id] = display.out_of(row.total, top) if row.total is not None else _("pending")
        view_rows.append({"person": row.person, "cells": cells, "total_id": total_id, "total": texts[total_id]})
    totals = class_totals(cols, rows)
    texts.update(totals)
    keys = [str(c.exercise.pk) for c in cols] + ["total"]
    foot = [{"avg_id": f"avg-{k}", "avg": totals[f"avg-{k}"], "n_id": f"n-{k}", "n": totals[f"n-{k}"]} for k in keys]
    shape = ";".join([",".join(str(r.person.user_id) for r in rows), ",".join(str(c.exercise.pk) for c in cols)])
    return {"cols": cols, "rows": view_rows, "texts": texts, "states": states, "shape": shape, "foot": foot,
            "max_total": display.num(top)}


def class_totals(cols: list[Column], rows: list[Row]) -> dict[str, str]:
    """Per exercise and for the totals: the average of what counts, and how many have a score."""
    out = {}
    for i, col in enumerate(cols):
        scores = [score for row in rows if (score := row.cells[i].score) is not None]
        out[f"avg-{col.exercise.pk}"] = display.num(mean(scores)) if scores else "–"
        out[f"n-{col.exercise.pk}"] = f"{len(scores)} / {len(rows)}"
    sums = [total for row in rows if (total := row.total) is not None]
    out["avg-total"] = display.num(mean(sums)) if sums else "–"
    out["n-total"] = f"{len(sums)} / {len(rows)}"
    return out


def _updated_label() -> str:
    return _("Updated at %(time)s") % {"time": time_format(timezone.localtime(), "H:i:s")}


@teacher_required
def board(request):
    course = Course.current()
    if course is None:
        return redirect("teacher:course")
    data = board_data(course)
    return render(request, "teacher/board.html", {**data, "course": course, "updated": _updated_label()})


@never_cache
@teacher_required
def board_json(request):
    course = Course.current()
    if course is None:
        return JsonResponse({"shape": "", "texts": {}, "states": {}, "updated": _updated_label()})
    data = board_data(course)
    return JsonResponse({"shape": data["shape"], "texts": data["texts"], "states": data["states"],
                         "updated": _updated_label()})


@teacher_required
def student(request, user_id: int):
    """Their submissions, every exercise, newest first, and their deadline extensions."""
    user = get_object_or_404(get_user_model().objects.select_related("person"), pk=user_id,
                             person__role=Person.Role.STUDENT)
    course = Course.current()
    form = ExtensionForm(request.POST or None, course=course)
    if request.method == "POST" and form.is_valid():
        Extension.objects.update_or_create(exercise=form.cleaned_data["exercise"], student=user,
                                           defaults={"deadline": form.cleaned_data["deadline"]})
        messages.success(request, _("Extension saved."))
        return redirect("teacher:student", user_id=user.pk)
    rows = Submission.objects.filter(student=user).select_related("exercise").order_by("-received_at", "-id")
    counted_ids = set()
    if course is not None:
        for exercise in course.exercises.all():
            counted = policy.counted(exercise, user, course)
            if counted is not None:
                counted_ids.add(counted.pk)
    submissions = [{"row": s, "counts": s.pk in counted_ids, "state_label": display.state_label(s.state),
                    "flag": display.flag(s), "flag_label": display.flag_label(display.flag(s)),
                    "score": display.out_of(s.score, s.max_score), "page": display.submission_url(s.pk),
                    "report": display.report_url(s.pk)} for s in rows]
    extensions = user.extensions.select_related("exercise").order_by("exercise__position", "exercise__id")
    person = user.person
    ids = [i for i in dict.fromkeys([user.get_username(), person.roster_id]) if i and i != person.name]
    return render(request, "teacher/student.html", {
        "student": person, "ids": ids, "submissions": submissions, "extensions": extensions, "form": form,
        "course": course}, status=400 if request.method == "POST" else 200)


@teacher_required
@require_POST
def remove_extension(request, pk: int):
    extension = get_object_or_404(Extension, pk=pk)
    extension.delete()
    messages.success(request, _("Extension removed: the course's deadline applies again."))
    return redirect("teacher:student", user_id=extension.student_id)
