from django.apps import AppConfig


class StudentConfig(AppConfig):
    name = "grader.site.student"
    label = "student"
