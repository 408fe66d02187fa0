"""The queue's health: its numbers, the workers (and how each isolates students' code), alerts."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from grader.site.submissions import queue
from grader.site.submissions.models import Alert, Worker

from . import display
from .access import teacher_required

ALIVE_SECONDS = 30.0  # as queue.judges_alive counts them


def _seconds(value: float | None) -> str:
    return "–" if value is None else _("%(seconds)s s") % {"seconds": display.num(value)}


@teacher_required
def page(request):
    numbers = queue.health()
    since = timezone.now() - timedelta(seconds=ALIVE_SECONDS)
    workers = [{"worker": w, "alive": w.seen_at >= since, "local": w.sandbox == "local"}
               for w in Worker.objects.order_by("name")]
    alerts = Alert.objects.filter(seen=False).select_related("submission")
    return render(request, "teacher/queue.html", {
        "numbers": numbers, "oldest_wait": _seconds(numbers["oldest_wait_seconds"]),
        "median": _seconds(numbers["median_grading_seconds"]), "workers": workers, "alerts": alerts,
        "any_local": any(w["local"] and w["alive"] for w in workers)})


@teacher_required
@require_POST
def alert_seen(request, pk: int):
    alert = get_object_or_404(Alert, pk=pk)
    alert.seen = True
    alert.save(update_fields=["seen"])
    return redirect("teacher:queue")


@teacher_required
@require_POST
def alerts_seen(request):
    count = Alert.objects.filter(seen=False).update(seen=True)
    messages.success(request, _("All alerts marked as seen.") if count else _("No alert was waiting."))
    return redirect("teacher:queue")
