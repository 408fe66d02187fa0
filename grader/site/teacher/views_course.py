"""Setting up the course: its title and settings, its exercises from the packs, an assignment.yaml."""

from __future__ import annotations

import tempfile
from pathlib import Path, PurePosixPath, PureWindowsPath

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.db.models import Max
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from grader.host import assignment as assignments
from grader.host import packs
from grader.host.pack_i18n import pack_text
from grader.site.course import packs as course_packs
from grader.site.course.models import Course, CourseExercise
from grader.site.middleware import reader_lang

from . import display
from .access import teacher_required
from .forms import AssignmentUploadForm, CourseSettingsForm, ExerciseFormSet, NewCourseForm


def _packs() -> list[packs.Exercise]:
    return list(course_packs.by_slug().values())


def _initial(course: Course, available: list[packs.Exercise]) -> list[dict]:
    chosen = {e.slug: e for e in CourseExercise.objects.filter(course=course)}
    out = []
    for i, pack in enumerate(available):
        e = chosen.get(pack.slug)
        if e is None:
            out.append({"slug": pack.slug, "use": False, "position": i, "penalty_per_day": 0, "grace_minutes": 0})
        else:
            out.append({"slug": pack.slug, "use": True, "position": e.position, "points": e.points, "opens": e.opens,
                        "deadline": e.deadline, "penalty_per_day": e.penalty_per_day,
                        "max_days_late": e.max_days_late, "grace_minutes": e.grace_minutes})
    return out


def _page(request, course, *, settings_form=None, formset=None, upload=None, status=200):
    available = _packs()
    lang = reader_lang()
    if formset is None:
        formset = ExerciseFormSet(initial=_initial(course, available), prefix="ex")
    titles = {p.slug: pack_text(p, p.spec.title, lang) for p in available}
    maxima = {p.slug: display.num(p.max_score) for p in available}
    rows = [{"form": f, "slug": f.initial.get("slug") or f["slug"].value(),
             "title": titles.get(f.initial.get("slug") or f["slug"].value(), ""),
             "pack_points": maxima.get(f.initial.get("slug") or f["slug"].value())} for f in formset]
    gone = CourseExercise.objects.filter(course=course).exclude(slug__in=titles)
    return render(request, "teacher/course.html", {
        "course": course, "settings_form": settings_form or CourseSettingsForm(instance=course),
        "formset": formset, "rows": rows, "upload": upload or AssignmentUploadForm(), "gone": gone}, status=status)


@teacher_required
def course(request):
    current = Course.current()
    if current is None:
        form = NewCourseForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            form.save()
            messages.success(request, _("Course created. Now choose its exercises."))
            return redirect("teacher:course")
        return render(request, "teacher/course_new.html", {"form": form, "upload": AssignmentUploadForm()})
    if request.method != "POST":
        return _page(request, current)
    if request.POST.get("action") == "settings":
        form = CourseSettingsForm(request.POST, instance=current)
        if form.is_valid():
            form.save()
            messages.success(request, _("Course settings saved."))
            return redirect("teacher:course")
        return _page(request, current, settings_form=form, status=400)
    formset = ExerciseFormSet(request.POST, initial=_initial(current, _packs()), prefix="ex")
    if formset.is_valid() and _save_exercises(current, formset):
        messages.success(request, _("Exercises saved."))
        return redirect("teacher:course")
    return _page(request, current, formset=formset, status=400)


def _save_exercises(course: Course, formset) -> bool:
    """Apply the rows; False (nothing saved) when one cannot be: an unknown pack, or an exercise
    taken out of the course that has submissions (removing it would delete them)."""
    known = {p.slug for p in _packs()}
    existing = {e.slug: e for e in CourseExercise.objects.filter(course=course)}
    ok = True
    for form in formset:
        data = form.cleaned_data
        if data["slug"] not in known:
            form.add_error(None, _("This exercise is no longer among the packs; reload the page."))
            ok = False
        elif not data["use"] and data["slug"] in existing and existing[data["slug"]].submissions.exists():
            form.add_error("use", _("It has submissions: it stays in the course (removing it would delete them)."))
            ok = False
    if not ok:
        return False
    with transaction.atomic():
        for form in formset:
            data = form.cleaned_data
            if data["use"]:
                CourseExercise.objects.update_or_create(course=course, slug=data["slug"], defaults={
                    key: data[key] for key in ("position", "points", "opens", "deadline", "penalty_per_day",
                                               "max_days_late", "grace_minutes")})
            elif data["slug"] in existing:
                existing[data["slug"]].delete()
    return True


@teacher_required
@require_POST
def import_assignment(request):
    upload = AssignmentUploadForm(request.POST, request.FILES)
    current = Course.current()
    if not upload.is_valid():
        return _after_failed_import(request, current, upload)
    file = upload.cleaned_data["file"]
    try:
        chosen = read_assignment(file.read(settings.MAX_UPLOAD_BYTES + 1), file.name or "assignment.yaml")
    except assignments.AssignmentError as exc:
        upload.add_error("file", exc.say(reader_lang()))
        return _after_failed_import(request, current, upload)
    count = apply_assignment(current, chosen)
    messages.success(request, ngettext(
        "Imported “%(title)s”: %(count)s exercise.", "Imported “%(title)s”: %(count)s exercises.", count)
        % {"title": chosen.title, "count": count})
    return redirect("teacher:course")


def _after_failed_import(request, current, upload):
    if current is None:
        return render(request, "teacher/course_new.html", {"form": NewCourseForm(), "upload": upload}, status=400)
    return _page(request, current, upload=upload, status=400)


def read_assignment(data: bytes, name: str) -> assignments.Assignment:
    """The upload read as grader.host.assignment reads a file, and checked against the packs.
    AssignmentError's message names the uploaded file, not the scratch copy."""
    shown = PureWindowsPath(PurePosixPath(name).name).name or "assignment.yaml"
    if len(data) > settings.MAX_UPLOAD_BYTES:
        raise assignments.AssignmentError("assignment_too_large", path=shown, limit=settings.MAX_UPLOAD_BYTES // 1024)
    with tempfile.TemporaryDirectory(prefix="assignment-") as scratch:
        path = Path(scratch) / "assignment.yaml"
        path.write_bytes(data)
        try:
            chosen = assignments.load_assignment(path)
            assignments.plan(Path(settings.EXERCISES) if settings.EXERCISES else None, chosen)
        except assignments.AssignmentError as exc:
            raise exc.naming(str(path), shown) from exc
    return chosen


def apply_assignment(current: Course | None, chosen: assignments.Assignment) -> int:
    """Its exercises into the course (a new course takes its title), after the course's others, with
    its points, times and late policy. Exercises not in it are left as they are: a course has
    several assignments."""
    late = chosen.late_policy
    with transaction.atomic():
        course = current or Course.objects.create(title=chosen.title)
        others = CourseExercise.objects.filter(course=course).exclude(slug__in=chosen.slugs)
        start = (others.aggregate(last=Max("position"))["last"] + 1) if others.exists() else 0
        for i, item in enumerate(chosen.exercises):
            CourseExercise.objects.update_or_create(course=course, slug=item.slug, defaults={
                "position": start + i, "points": item.points, "opens": chosen.opens, "deadline": chosen.deadline,
                "penalty_per_day": late.penalty_per_day if late else 0,
                "max_days_late": late.max_days if late else None,
                "grace_minutes": late.grace_minutes if late else 0})
    return len(chosen.exercises)
