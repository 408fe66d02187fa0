"""Every URL of the site. tests/site/test_access.py walks this conf: a new view cannot forget to
check who asks."""

from django.contrib import admin
from django.urls import include, path

from .api import api

urlpatterns = [
    path("", include("grader.site.student.urls")),
    path("people/", include("grader.site.people.urls")),
    path("teacher/", include("grader.site.teacher.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
