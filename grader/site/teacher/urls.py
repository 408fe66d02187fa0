from django.urls import path

from . import views_board, views_course, views_exports, views_queue, views_regrade, views_roster

app_name = "teacher"
urlpatterns = [
    path("", views_board.board, name="board"),
    path("board.json", views_board.board_json, name="board_json"),
    path("students/<int:user_id>/", views_board.student, name="student"),
    path("extensions/<int:pk>/remove/", views_board.remove_extension, name="remove_extension"),
    path("course/", views_course.course, name="course"),
    path("course/assignment/", views_course.import_assignment, name="import_assignment"),
    path("roster/", views_roster.roster, name="roster"),
    path("regrade/", views_regrade.page, name="regrade"),
    path("regrade/exercise/", views_regrade.exercise, name="regrade_exercise"),
    path("regrade/all/", views_regrade.everyone, name="regrade_all"),
    path("regrade/submission/<int:pk>/", views_regrade.submission, name="regrade_submission"),
    path("regrade/student/<int:user_id>/", views_regrade.student, name="regrade_student"),
    path("exports/", views_exports.page, name="exports"),
    path("exports/grades.csv", views_exports.grades_csv, name="grades_csv"),
    path("exports/gradescope.json", views_exports.gradescope_json, name="gradescope_json"),
    path("exports/gradesheet/", views_exports.gradesheet, name="gradesheet"),
    path("queue/", views_queue.page, name="queue"),
    path("queue/alerts/<int:pk>/seen/", views_queue.alert_seen, name="alert_seen"),
    path("queue/alerts/seen/", views_queue.alerts_seen, name="alerts_seen"),
]
