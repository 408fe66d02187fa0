"""The queue's rows for an operator: read them here; change them through the site's pages, which
keep the queue's rules (a row edited by hand here could lose its lease or its result)."""

from django.contrib import admin

from .models import Alert, Submission, Worker


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ("id", "student", "exercise", "state", "priority", "attempts", "score", "received_at",
                    "finished_at")
    list_filter = ("state", "priority", "exercise")
    search_fields = ("student__username",)
    readonly_fields = [f.name for f in Submission._meta.fields]


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ("created_at", "submission", "seen", "message")
    list_filter = ("seen",)


@admin.register(Worker)
class WorkerAdmin(admin.ModelAdmin):
    list_display = ("name", "host", "judges", "sandbox", "seen_at")
