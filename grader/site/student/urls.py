from django.urls import path

from . import views

app_name = "student"
urlpatterns = [
    path("", views.home, name="home"),
    path("exercises/<str:slug>/", views.exercise, name="exercise"),
    path("submissions/<int:pk>/", views.submission, name="submission"),
    path("submissions/<int:pk>/report", views.report, name="report"),
]
