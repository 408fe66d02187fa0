"""`/metrics`: the queue's numbers for Prometheus, read from the rows at each scrape.

Not public: a signed-in teacher may read it, or a scraper that sends `Authorization: Bearer
<GRADER_METRICS_TOKEN>` (unset: no token opens it). Anyone else is treated as on a teacher's page:
nobody signed in is sent to sign in, a student gets 404, a wrong token 401.
"""

from __future__ import annotations

import hmac
import os

from django.http import HttpResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily

from .teacher.access import teacher_required

# Grading times, in seconds: a local grading takes a second or two, a container's a few more, a
# backstop or a hang up to the pack's time limit.
BUCKETS = (0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300)


class QueueCollector:
    """One scrape: queue.health()'s numbers and a histogram of the graded rows' grading times."""

    def collect(self):
        from django.db.models import Count, F, Q, Sum

        from .submissions import queue
        from .submissions.models import Submission

        health = queue.health()
        gauges = [
            ("grader_queue_depth", "submissions waiting to be graded", health["queued"]),
            ("grader_queue_running", "submissions being graded now", health["running"]),
            ("grader_queue_oldest_wait_seconds", "how long the oldest waiting submission has waited",
             health["oldest_wait_seconds"]),
            ("grader_judges_alive", "judges of the workers seen in the last 30 s", health["judges_alive"]),
            ("grader_not_graded", "submissions not graded after every attempt (an alert each)", health["not_graded"]),
            ("grader_retrying", "waiting submissions that were tried before", health["retrying"]),
            ("grader_graded", "submissions graded", health["graded"]),
            ("grader_alerts_unseen", "alerts the teacher has not seen", health["alerts"]),
            ("grader_grading_seconds_median", "median grading time of the last 50 gradings",
             health["median_grading_seconds"] if health["median_grading_seconds"] is not None else float("nan")),
        ]
        retries = Submission.objects.filter(attempts__gt=1).aggregate(n=Sum(F("attempts") - 1))["n"] or 0
        gauges.append(("grader_retries", "attempts beyond each submission's first (leases expired, failures)",
                       retries))
        for name, doc, value in gauges:
            yield GaugeMetricFamily(name, doc, value=float(value))

        graded = Submission.objects.filter(state=Submission.State.GRADED, grading_seconds__isnull=False)
        counts = graded.aggregate(total=Count("pk"), seconds=Sum("grading_seconds"),
                                  **{f"le{i}": Count("pk", filter=Q(grading_seconds__lte=b))
                                     for i, b in enumerate(BUCKETS)})
        buckets = [(str(float(b)), counts[f"le{i}"]) for i, b in enumerate(BUCKETS)]
        buckets.append(("+Inf", counts["total"]))
        yield HistogramMetricFamily("grader_grading_seconds", "grading time of each graded submission",
                                    buckets=buckets, sum_value=counts["seconds"] or 0.0)


def _token_matches(request) -> bool | None:
    """True: the right bearer token; False: a wrong one; None: none sent (or none configured)."""
    expected = os.environ.get("GRADER_METRICS_TOKEN", "")
    sent = request.headers.get("Authorization", "")
    if not sent.startswith("Bearer "):
        return None
    if not expected:
        return False
    return hmac.compare_digest(sent.removeprefix("Bearer ").strip().encode(), expected.encode())


def _render() -> HttpResponse:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(QueueCollector())
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)


@teacher_required
def _for_teacher(request) -> HttpResponse:
    return _render()


def metrics(request) -> HttpResponse:
    matches = _token_matches(request)
    if matches:
        return _render()
    if matches is False:
        response = HttpResponse("wrong metrics token\n", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = "Bearer"
        return response
    return _for_teacher(request)
