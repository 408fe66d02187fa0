from django.apps import AppConfig


class TeacherConfig(AppConfig):
    name = "grader.site.teacher"
    label = "teacher"
