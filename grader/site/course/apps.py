from django.apps import AppConfig


class CourseConfig(AppConfig):
    name = "grader.site.course"
    label = "course"
    default_auto_field = "django.db.models.BigAutoField"
