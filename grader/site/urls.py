"""Every URL of the site. tests/site/test_access.py walks this conf: a new view cannot forget to
check who asks."""

from django.contrib import admin
from django.urls import include, path

from .api import api
from .metrics import metrics

urlpatterns = [
    path("", include("grader.site.student.urls")),
    path("people/", include("grader.site.people.urls")),
    path("teacher/", include("grader.site.teacher.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("metrics", metrics, name="metrics"),  # Prometheus: teachers or GRADER_METRICS_TOKEN
]
