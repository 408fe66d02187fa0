"""A student's pages: the course's exercises, one exercise (README, upload, attempts), one
submission (live state, grades, report) and its report.

A student reaches only their own submissions: get_object_or_404 on their rows, so anyone else's is
404 as if it did not exist (never 403, which would say it does). A teacher may open any of them.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from grader.host.messages import render as render_message
from grader.site.course import packs as course_packs
from grader.site.course.models import Course, CourseExercise
from grader.site.middleware import reader_lang
from grader.site.submissions import policy, reporting, service
from grader.site.submissions.accept import Refused
from grader.site.submissions.access import is_teacher, visible_to
from grader.site.submissions.models import Submission
from grader.site.submissions.status import status_of
from grader.site.submissions.uploads import read_bounded

from . import labels, rules
from .forms import UploadForm
from .readme import readme_html

# The report is the grader's own HTML with what students wrote in it: inline <style>, no script;
# nothing may load, and only the site's own pages may frame it.
REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'"
POLL_STATES = (Submission.State.QUEUED, Submission.State.RUNNING)


def _is_teacher(request) -> bool:
    return is_teacher(request.user)


def wait_text(seconds: float | None) -> str:
    if seconds is None:
        return _("not known yet")
    return _("about %(seconds)s s") % {"seconds": int(round(seconds))}


@login_required
@require_GET
def home(request):
    course = Course.current()
    if course is None:
        return render(request, "student/no_course.html", {"is_teacher": _is_teacher(request)})
    lang = reader_lang()
    rows = []
    for row, pack in course_packs.listed(course):
        deadline = row.deadline_for(request.user)
        latest = Submission.objects.filter(student=request.user, exercise=row).first()
        rows.append({"row": row, "title": course_packs.title(pack, lang), "deadline": deadline,
                     "late": rules.late_policy(row, deadline), "counted": policy.counted(row, request.user, course),
                     "latest": latest, "latest_state": labels.state(latest.state) if latest else ""})
    return render(request, "student/home.html", {"course": course, "rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def exercise(request, slug: str):
    course = Course.current()
    if course is None:
        raise Http404
    row = get_object_or_404(CourseExercise, course=course, slug=slug)
    pack = course_packs.by_slug().get(slug)
    if pack is None:
        raise Http404
    lang = reader_lang()
    form, refusal, status = UploadForm(), "", 200
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                files = read_bounded(form.cleaned_data["files"],
                                             stopped_at=getattr(request, "upload_refused_size", None))
                submission = service.submit(student=request.user, course_exercise=row, files=files)
            except Refused as refused:
                refusal = render_message(refused.message, lang)
                status = 429 if refused.message["id"] == "upload_rate_limited" else 400
            else:
                return redirect("student:submission", pk=submission.pk)
        else:
            status = 400
    deadline = row.deadline_for(request.user)
    counted = policy.counted(row, request.user, course)
    history = [{"submission": s, "state": labels.state(s.state), "counts": counted is not None and counted.pk == s.pk}
               for s in Submission.objects.filter(student=request.user, exercise=row)]
    context = {
        "row": row, "pack": pack, "title": course_packs.title(pack, lang), "readme": readme_html(pack, lang, shift=2),
        "deadline": deadline, "late": rules.late_policy(row, deadline), "counting": rules.counting(course),
        "rate": rules.rate(course), "next_allowed": policy.next_allowed(course, row, request.user),
        "form": form, "refusal": refusal, "history": history,
        "late_warning": rules.late_warning(row, timezone.now(), request.user),
    }
    return render(request, "student/exercise.html", context, status=status)


@login_required
@require_GET
def submission(request, pk: int):
    row = get_object_or_404(visible_to(request.user), pk=pk)
    status = status_of(row, lang=reader_lang(), teacher=_is_teacher(request))
    pack = course_packs.by_slug().get(row.exercise.slug)
    for ex in status["exercises"]:
        ex["status_text"] = labels.outcome(ex["status"])
        for check in ex["checks"]:
            check["status_text"] = labels.outcome(check["status"])
            check["line"] = (check["message"] or "").strip().split("\n", 1)[0]
    context = {
        "submission": row, "status": status, "state_text": labels.state(row.state),
        "title": course_packs.title(pack, reader_lang()) if pack else row.exercise.slug,
        "wait": wait_text(status["estimated_wait_seconds"]), "polling": row.state in POLL_STATES,
        "status_url": reverse("api:status", args=[row.pk]), "report_url": reverse("student:report", args=[row.pk]),
        "state_labels": {k: str(v) for k, v in labels.STATES.items()},
        "outcome_labels": {k: str(v) for k, v in labels.OUTCOMES.items()},
        "wait_template": _("about %(seconds)s s"), "wait_unknown": _("not known yet"),
        "mine": row.student_id == request.user.pk,
    }
    return render(request, "student/submission.html", context)


@login_required
@require_GET
def report(request, pk: int):
    row = get_object_or_404(visible_to(request.user), pk=pk)
    html = reporting.html(row, lang=reader_lang(), teacher=_is_teacher(request))
    if html is None:
        response = render(request, "student/report_pending.html", {"submission": row,
                                                                     "state_text": labels.state(row.state)})
    else:
        response = HttpResponse(html, content_type="text/html; charset=utf-8")
    response["Content-Security-Policy"] = REPORT_CSP
    return response
