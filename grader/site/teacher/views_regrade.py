"""Regrading: one submission, one student's, one exercise's, or everyone's (after a confirm page)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from grader.site.course.models import Course
from grader.site.people.models import Person
from grader.site.submissions.models import Submission

from . import regrade
from .access import teacher_required
from .forms import RegradeExerciseForm


def _said(request, queued: int) -> None:
    if queued:
        messages.success(request, ngettext(
            "%(count)s submission queued for grading again. It keeps its result until the new one is recorded.",
            "%(count)s submissions queued for grading again. Each keeps its result until the new one is recorded.",
            queued) % {"count": queued})
    else:
        messages.info(request, _("Nothing was queued: no graded submission, or each is waiting or being graded."))


@teacher_required
def page(request):
    course = Course.current()
    if course is None:
        return redirect("teacher:course")
    return render(request, "teacher/regrade.html", {"form": RegradeExerciseForm(course=course), "course": course})


@teacher_required
@require_POST
def exercise(request):
    course = Course.current()
    if course is None:
        return redirect("teacher:course")
    form = RegradeExerciseForm(request.POST, course=course)
    if not form.is_valid():
        return render(request, "teacher/regrade.html", {"form": form, "course": course}, status=400)
    _said(request, regrade.regrade(regrade.candidates(course, exercise=form.cleaned_data["exercise"])))
    return redirect("teacher:regrade")


@teacher_required
@require_http_methods(["GET", "POST"])
def everyone(request):
    course = Course.current()
    if course is None:
        return redirect("teacher:course")
    if request.method == "POST":
        _said(request, regrade.regrade(regrade.candidates(course)))
        return redirect("teacher:regrade")
    return render(request, "teacher/regrade_all.html", {"count": regrade.candidates(course).count()})


@teacher_required
@require_POST
def submission(request, pk: int):
    row = get_object_or_404(Submission, pk=pk)
    _said(request, regrade.regrade(Submission.objects.filter(pk=row.pk)))
    return redirect("teacher:student", user_id=row.student_id)


@teacher_required
@require_POST
def student(request, user_id: int):
    user = get_object_or_404(get_user_model(), pk=user_id, person__role=Person.Role.STUDENT)
    course = Course.current()
    if course is not None:
        _said(request, regrade.regrade(regrade.candidates(course, student=user)))
    return redirect("teacher:student", user_id=user.pk)
