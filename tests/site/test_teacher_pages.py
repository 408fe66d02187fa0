"""The teacher's pages: who may open them, course setup, the class list, the board, regrading,
exports, the queue's health, and their Chinese catalog."""

from __future__ import annotations

import base64
import csv
import io
import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.urls import reverse
from django.utils import timezone

from grader.host import packs
from grader.host.results import CheckResult, CheckStatus, ExerciseResult, ExerciseStatus, StudentResult
from grader.site.course.models import Course, CourseExercise, Extension
from grader.site.people.models import Person
from grader.site.submissions.models import Alert, Submission, Worker
from grader.site.teacher import exports, urls
from grader.site.teacher.standings import columns, standings, students

from .conftest import EXERCISES

S = Submission.State
TEACHER = Path(__file__).resolve().parents[2] / "grader" / "site" / "teacher"
pytestmark = pytest.mark.django_db


def graded(person, slug: str, score: float | None, max_score: float = 10, *, minutes_ago: float = 60,
           days_late: int = 0, state: str = S.GRADED) -> Submission:
    """A finished row as a worker would have recorded it (no real grading: the pages only read it)."""
    status = CheckStatus.PASSED if score == max_score else CheckStatus.FAILED
    result = StudentResult(
        student=person.name, score=score, max_score=max_score, sandbox="local", sandbox_note="",
        exercises=[ExerciseResult(
            exercise=slug, title=slug, status=ExerciseStatus.PASSED if status is CheckStatus.PASSED
            else ExerciseStatus.FAILED, score=score, max_score=max_score,
            checks=[CheckResult(name="no_lost_updates", status=status, score=score or 0, max_score=max_score,
                                message="" if status is CheckStatus.PASSED else "an update was lost")])])
    when = timezone.now() - timedelta(minutes=minutes_ago)
    return Submission.objects.create(
        student=person.user, exercise=CourseExercise.objects.get(slug=slug), state=state,
        score=score if state == S.GRADED else None, max_score=max_score,
        result=result.to_dict() if state == S.GRADED else None, grading_seconds=1.5, received_at=when,
        finished_at=when, days_late=days_late)


def signed_in(client, person):
    client.force_login(person.user)
    return client


def data_url_bytes(html: str) -> bytes:
    match = re.search(r'href="data:text/csv;base64,([A-Za-z0-9+/=]+)"', html)
    assert match, "no download link carrying the file"
    return base64.b64decode(match.group(1))


# ---- who may open them ------------------------------------------------------------------------------

def every_teacher_url() -> list[str]:
    return [reverse(f"teacher:{p.name}", kwargs={name: 1 for name in p.pattern.converters})
            for p in urls.urlpatterns]


def test_a_student_gets_404_and_anonymous_is_sent_to_sign_in_on_every_teacher_url(client, course, people):
    found = every_teacher_url()
    assert len(found) == len(urls.urlpatterns) >= 15
    for url in found:
        anonymous = client.get(url)
        assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("people:sign_in")), url
    signed_in(client, people["alice"])
    for url in found:
        assert client.get(url).status_code == 404, url
        assert client.post(url).status_code == 404, url
    client.force_login(people["teacher"].user)
    assert client.get(reverse("teacher:board")).status_code == 200


# ---- course setup -----------------------------------------------------------------------------------

def exercise_rows(chosen: dict[str, dict]) -> dict:
    """The exercises form as the browser posts it: every pack, the `chosen` ones ticked."""
    available = packs.load_all(EXERCISES)
    data = {"action": "exercises", "ex-TOTAL_FORMS": str(len(available)), "ex-INITIAL_FORMS": str(len(available))}
    for i, pack in enumerate(available):
        row = {"slug": pack.slug, "position": str(i), "penalty_per_day": "0", "grace_minutes": "0"}
        if pack.slug in chosen:
            row |= {"use": "on", **chosen[pack.slug]}
        data |= {f"ex-{i}-{key}": value for key, value in row.items()}
    return data


def test_course_setup_creates_the_course_then_its_exercises(client, people):
    signed_in(client, people["teacher"])
    assert client.get(reverse("teacher:board")).url == reverse("teacher:course")
    page = client.get(reverse("teacher:course"))
    assert 'name="title"' in page.content.decode()
    client.post(reverse("teacher:course"), {"title": "并发编程"})
    course = Course.objects.get()
    assert course.title == "并发编程"
    page = client.get(reverse("teacher:course")).content.decode()
    assert "race-counter" in page and "The shared counter that loses updates" in page  # slug and title
    response = client.post(reverse("teacher:course"), exercise_rows({
        "race-counter": {"points": "20", "deadline": "2030-01-10T23:59", "penalty_per_day": "10",
                         "max_days_late": "3", "grace_minutes": "15"},
        "queue-drain": {}}))
    assert response.status_code == 302
    race = CourseExercise.objects.get(slug="race-counter")
    assert (race.points, race.penalty_per_day, race.max_days_late, race.grace_minutes) == (20, 10, 3, 15)
    assert race.deadline is not None and timezone.localtime(race.deadline).strftime("%Y-%m-%d %H:%M") == \
        "2030-01-10 23:59"
    assert CourseExercise.objects.get(slug="queue-drain").points is None  # the pack's own
    assert set(CourseExercise.objects.values_list("slug", flat=True)) == {"race-counter", "queue-drain"}

    client.post(reverse("teacher:course"), {"action": "settings", "title": "并发编程", "counting": "best",
                                            "hidden_before_deadline": "score_only", "rate_burst": "3",
                                            "rate_refill_minutes": "0"})
    course.refresh_from_db()
    assert (course.counting, course.hidden_before_deadline, course.rate_burst, course.rate_refill_minutes) == \
        ("best", "score_only", 3, 0)
    assert course.hidden_details == "hint"  # left out of the form: kept

    client.post(reverse("teacher:course"), {"action": "settings", "title": "并发编程", "counting": "best",
                                            "hidden_before_deadline": "all", "hidden_details": "full",
                                            "rate_burst": "3", "rate_refill_minutes": "0"})
    course.refresh_from_db()
    assert course.hidden_details == "full"
    page = client.get(reverse("teacher:course")).content.decode()
    assert 'name="hidden_details"' in page


def test_an_exercise_with_submissions_is_not_taken_out_of_the_course(client, course, people):
    graded(people["alice"], "queue-drain", 5)
    signed_in(client, people["teacher"])
    response = client.post(reverse("teacher:course"), exercise_rows({"race-counter": {}}))
    assert response.status_code == 400
    assert "It has submissions" in response.content.decode()
    assert CourseExercise.objects.filter(slug="queue-drain").exists()
    assert Submission.objects.count() == 1


def test_an_assignment_yaml_imports_its_exercises_points_times_and_late_policy(client, people):
    signed_in(client, people["teacher"])
    good = (b"title: Homework 3\nexercises:\n  - race-counter\n  - slug: queue-drain\n    points: 20\n"
            b"deadline: 2030-11-30T23:59:00+08:00\nlate_policy:\n  penalty_per_day: 10\n  max_days: 3\n"
            b"  grace_minutes: 15\n")
    response = client.post(reverse("teacher:import_assignment"),
                           {"file": _upload("hw3.yaml", good)}, follow=True)
    assert response.status_code == 200 and "Homework 3" in response.content.decode()
    assert Course.objects.get().title == "Homework 3"
    drain = CourseExercise.objects.get(slug="queue-drain")
    assert [e.slug for e in CourseExercise.objects.all()] == ["race-counter", "queue-drain"]
    assert (drain.points, drain.penalty_per_day, drain.max_days_late, drain.grace_minutes) == (20, 10, 3, 15)
    assert drain.deadline.isoformat() == "2030-11-30T15:59:00+00:00"


@pytest.mark.parametrize("text, said", [
    (b"title: HW\nexercises:\n  - race-countr\n", "did you mean race-counter?"),
    (b"title: HW\nexercises: [race-counter]\ncolour: blue\n", "colour: unknown key"),
    (b"title: HW\nexercises: [race-counter]\nlate_policy:\n  penalty_per_day: 5\n", "a late_policy needs a deadline"),
])
def test_a_bad_assignment_yaml_says_what_is_wrong_and_changes_nothing(client, course, people, text, said):
    signed_in(client, people["teacher"])
    response = client.post(reverse("teacher:import_assignment"), {"file": _upload("hw.yaml", text)})
    page = response.content.decode()
    assert response.status_code == 400
    assert said in page and "hw.yaml:" in page and "/tmp" not in page
    assert CourseExercise.objects.count() == 2 and CourseExercise.objects.get(slug="race-counter").deadline is None


def test_a_chinese_teacher_reads_what_is_wrong_with_the_assignment_in_chinese(client, course, people):
    # Issue 22: the grader's errors to a teacher (here an assignment's unknown exercise) were English
    # on Chinese pages.
    teacher = people["teacher"]
    teacher.lang = "zh"
    teacher.save()
    signed_in(client, teacher)
    response = client.post(reverse("teacher:import_assignment"),
                           {"file": _upload("作业.yaml", b"title: HW\nexercises:\n  - race-countr\n")})
    page = response.content.decode()
    assert response.status_code == 400 and "作业.yaml：exercises：没有这道练习" in page
    assert "你是不是想写 race-counter" in page and "did you mean" not in page


def _upload(name: str, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


# ---- the class list ---------------------------------------------------------------------------------

def test_the_roster_import_makes_accounts_and_a_sheet_of_working_links(client, course, people):
    signed_in(client, people["teacher"])
    roster = ("First name,Last name,Username,ID number,Email address\n"
              "Ada,Lovelace,ada,S001,ada@example.org\n雷,李,lilei,S002,lilei@example.org\n").encode()
    response = client.post(reverse("teacher:roster"), {"file": _upload("participants.csv", roster), "lang": "zh"})
    page = response.content.decode()
    assert response.status_code == 200 and "no-cache" in response["Cache-Control"]
    sheet = list(csv.DictReader(io.StringIO(data_url_bytes(page).decode("utf-8-sig"))))
    assert [row["student"] for row in sheet] == ["ada", "lilei"]
    token = sheet[1]["sign_in_link"].rstrip("/").rsplit("/", 1)[1]
    assert sheet[1]["sign_in_link"].startswith("http://testserver/people/sign-in/")
    lilei = Person.by_sign_in_token(token)
    assert lilei is not None and lilei.name == "李雷" and lilei.lang == "zh" and lilei.roster_id == "S002"
    assert Person.by_api_token(sheet[0]["api_token"]).user.username == "ada"


def test_a_roster_the_lms_did_not_write_is_refused_with_its_reason(client, course, people):
    signed_in(client, people["teacher"])
    response = client.post(reverse("teacher:roster"), {"file": _upload("x.csv", b"colour,size\nred,3\n")})
    assert response.status_code == 400
    assert "no column says who the students are" in response.content.decode()
    assert Person.objects.count() == 4


# ---- the board and a student's page -----------------------------------------------------------------

def test_the_board_json_shows_the_score_that_counts_and_the_latest_state(client, course, people):
    race = CourseExercise.objects.get(slug="race-counter")
    alice, bob = people["alice"], people["bob"]
    graded(alice, "race-counter", 6, minutes_ago=50)
    graded(alice, "race-counter", 8, minutes_ago=40)
    graded(alice, "race-counter", 9.5, minutes_ago=30, days_late=1)  # late: the last on time counts
    graded(alice, "race-counter", None, minutes_ago=1, state=S.QUEUED)
    graded(bob, "race-counter", None, state=S.NOT_GRADED)
    signed_in(client, people["teacher"])
    data = client.get(reverse("teacher:board_json")).json()
    cell = f"c-{alice.user_id}-{race.pk}"
    assert data["texts"][cell + "-score"] == "8 / 10"
    assert data["states"][cell + "-state"][0] == "queued"
    assert data["texts"][f"c-{bob.user_id}-{race.pk}-score"] == "–"
    assert data["texts"][f"t-{bob.user_id}"] == "pending"  # not graded is never a silent 0
    assert data["texts"][f"avg-{race.pk}"] == "8" and data["texts"][f"n-{race.pk}"] == "1 / 3"
    Course.objects.filter(pk=course.pk).update(counting=Course.Counting.BEST)
    assert client.get(reverse("teacher:board_json")).json()["texts"][cell + "-score"] == "9.5 / 10"
    page = client.get(reverse("teacher:board")).content.decode()
    assert f'id="{cell}-score">9.5 / 10<' in page and 'aria-live="polite"' in page
    assert 'src="/static/teacher/board.js"' in page
    assert "<script>" not in page and " onclick" not in page  # the CSP forbids inline script


def flagged(submission: Submission, *, status: str = "tampered", review: list | None = None) -> Submission:
    """As a worker records a run that ended on tampering (zero points), or one the static screen flagged."""
    result = dict(submission.result)
    result["exercises"] = [{**ex, "status": status, "review": review or []} for ex in result["exercises"]]
    Submission.objects.filter(pk=submission.pk).update(result=result, score=0 if status == "tampered" else
                                                       submission.score)
    return Submission.objects.get(pk=submission.pk)


def test_the_teacher_sees_tampering_and_lines_to_review_on_the_board_their_page_and_grades_csv(
        client, course, people):
    race = CourseExercise.objects.get(slug="race-counter")
    drain = CourseExercise.objects.get(slug="queue-drain")
    alice, bob = people["alice"], people["bob"]
    cheat = flagged(graded(alice, "race-counter", 10))
    flagged(graded(bob, "queue-drain", 10), status="passed",
            review=[{"line": 3, "code": "sys.modules['grader']", "what": "the grader's modules"}])
    graded(bob, "race-counter", 10)
    signed_in(client, people["teacher"])
    texts = client.get(reverse("teacher:board_json")).json()["texts"]
    assert texts[f"c-{alice.user_id}-{race.pk}-flag"] == "tampered with the grader"
    assert texts[f"c-{bob.user_id}-{drain.pk}-flag"] == "for your review"
    assert texts[f"c-{bob.user_id}-{race.pk}-flag"] == ""  # an honest one says nothing
    board = client.get(reverse("teacher:board")).content.decode()
    assert f'id="c-{alice.user_id}-{race.pk}-flag" class="flag">tampered with the grader<' in board
    page = client.get(reverse("teacher:student", kwargs={"user_id": alice.user_id})).content.decode()
    assert "tampered with the grader" in page and f"/submissions/{cheat.pk}/" in page
    rows = list(csv.reader(io.StringIO(client.get(reverse("teacher:grades_csv")).content.decode("utf-8-sig"))))
    flags = {row[0]: row[-1] for row in rows[1:]}
    assert rows[0][-1] == "flags"
    assert flags["alice"] == "race-counter:tampered" and flags["bob"] == "queue-drain:review"
    Person.objects.filter(pk=people["teacher"].pk).update(lang="zh")
    texts = client.get(reverse("teacher:board_json")).json()["texts"]
    assert texts[f"c-{alice.user_id}-{race.pk}-flag"] == "篡改了评分程序"


def test_a_students_page_links_each_submission_and_gives_extensions(client, course, people):
    first = graded(people["alice"], "race-counter", 4)
    graded(people["bob"], "race-counter", 10)
    signed_in(client, people["teacher"])
    url = reverse("teacher:student", kwargs={"user_id": people["alice"].user_id})
    page = client.get(url).content.decode()
    assert f'href="/submissions/{first.pk}/"' in page and f'href="/submissions/{first.pk}/report"' in page
    assert reverse("teacher:regrade_submission", kwargs={"pk": first.pk}) in page
    assert "Bob" not in page
    race = CourseExercise.objects.get(slug="race-counter")
    client.post(url, {"exercise": race.pk, "deadline": "2030-02-01T12:00"})
    extension = Extension.objects.get()
    assert extension.student == people["alice"].user
    assert race.deadline_for(people["alice"].user) == extension.deadline
    client.post(reverse("teacher:remove_extension", kwargs={"pk": extension.pk}))
    assert not Extension.objects.exists()
    teacher_url = reverse("teacher:student", kwargs={"user_id": people["teacher"].user_id})
    assert client.get(teacher_url).status_code == 404



def test_a_students_page_names_each_id_once_and_the_time_zone(client, course, people, settings):
    Person.objects.filter(pk=people["alice"].pk).update(display_name="2024202", roster_id="2024202")
    signed_in(client, people["teacher"])
    page = client.get(reverse("teacher:student", kwargs={"user_id": people["alice"].user_id})).content.decode()
    assert "<h1>2024202</h1>" in page and page.count("2024202") == 2  # the title, the heading
    assert '<p class="muted">alice</p>' in page
    user = people["alice"].user
    user.username = "2024202"
    user.save()
    Person.objects.filter(pk=people["alice"].pk).update(display_name="Li Lei")
    page = client.get(reverse("teacher:student", kwargs={"user_id": user.pk})).content.decode()
    assert '<p class="muted">2024202</p>' in page and "2024202 · 2024202" not in page
    assert "time zone (UTC)" in page
    assert "time zone (UTC)" in client.get(reverse("teacher:course")).content.decode().replace("&#x27;", "'")


# ---- regrading --------------------------------------------------------------------------------------

@pytest.fixture
def messages_sent(monkeypatch):
    sent: list[int] = []
    monkeypatch.setattr("grader.site.submissions.tasks.enqueue", lambda: sent.append(1))
    return sent


def test_regrading_an_exercise_queues_each_students_latest_which_keeps_its_score(
        client, course, people, messages_sent):
    old = graded(people["alice"], "race-counter", 3, minutes_ago=50)
    latest = graded(people["alice"], "race-counter", 7, minutes_ago=10)
    bob = graded(people["bob"], "race-counter", 10)
    other = graded(people["bob"], "queue-drain", 2)
    signed_in(client, people["teacher"])
    race = CourseExercise.objects.get(slug="race-counter")
    page = client.post(reverse("teacher:regrade_exercise"), {"exercise": race.pk}, follow=True).content.decode()
    assert "2 submissions queued" in page and len(messages_sent) == 2
    for row, score in ((latest, 7), (bob, 10)):
        row.refresh_from_db()
        assert (row.state, row.priority, row.score) == (S.QUEUED, Submission.Priority.REGRADE, score)
    assert Submission.objects.get(pk=old.pk).state == S.GRADED
    assert Submission.objects.get(pk=other.pk).state == S.GRADED
    board = client.get(reverse("teacher:board_json")).json()["texts"]
    assert board[f"c-{people['alice'].user_id}-{race.pk}-score"] == "7 / 10"  # still counts while regraded


def test_regrading_everyone_asks_first_and_best_counting_regrades_the_best_too(
        client, course, people, messages_sent):
    Course.objects.filter(pk=course.pk).update(counting=Course.Counting.BEST)
    best = graded(people["alice"], "race-counter", 9, minutes_ago=50)
    graded(people["alice"], "race-counter", 7, minutes_ago=10)
    graded(people["bob"], "queue-drain", 2)
    signed_in(client, people["teacher"])
    confirm = client.get(reverse("teacher:regrade_all"))
    assert "3 submissions will be graded again" in confirm.content.decode()
    assert Submission.objects.filter(state=S.QUEUED).count() == 0
    client.post(reverse("teacher:regrade_all"))
    assert Submission.objects.filter(state=S.QUEUED, priority=Submission.Priority.REGRADE).count() == 3
    assert Submission.objects.get(pk=best.pk).score == 9 and len(messages_sent) == 3


def test_regrading_one_submission_and_one_student(client, course, people, messages_sent):
    first = graded(people["alice"], "race-counter", 3, minutes_ago=50)
    graded(people["alice"], "queue-drain", 5)
    graded(people["bob"], "queue-drain", 5)
    signed_in(client, people["teacher"])
    client.post(reverse("teacher:regrade_submission", kwargs={"pk": first.pk}))
    assert list(Submission.objects.filter(state=S.QUEUED).values_list("pk", flat=True)) == [first.pk]
    client.post(reverse("teacher:regrade_student", kwargs={"user_id": people["alice"].user_id}))
    assert Submission.objects.filter(state=S.QUEUED, student=people["alice"].user).count() == 2
    assert Submission.objects.get(student=people["bob"].user).state == S.GRADED
    assert len(messages_sent) == 2  # the one already waiting was not queued twice


# ---- exports ----------------------------------------------------------------------------------------

@pytest.fixture
def two_graded(course, people):
    Person.objects.filter(pk=people["alice"].pk).update(roster_id="101")
    Person.objects.filter(pk=people["carol"].pk).update(role=Person.Role.TEACHER)  # two students left
    graded(people["alice"], "race-counter", 7.5)
    graded(people["alice"], "queue-drain", 4, max_score=5)
    graded(people["bob"], "race-counter", 10)
    CourseExercise.objects.filter(slug="queue-drain").update(points=5)
    CourseExercise.objects.filter(slug="race-counter").update(points=10)
    return course


def test_grades_csv_has_each_students_counted_scores_and_total(client, two_graded, people):
    signed_in(client, people["teacher"])
    response = client.get(reverse("teacher:grades_csv"))
    assert response["Content-Disposition"] == 'attachment; filename="grades.csv"'
    assert response.content.decode("utf-8-sig").splitlines() == [
        "student,name,roster_id,race-counter,queue-drain,total,max_total,flags",
        "alice,Alice,101,7.5,4,11.5,15,",
        "bob,Bob,,10,,10,15,",
    ]


def test_grades_csv_leaves_a_total_empty_while_a_submission_waits():
    rows = [exports.GradeRow("li", "李雷", "S1", {"a": 3.0, "b": None}, None, 20.0)]
    assert exports.grades_csv(rows, ["a", "b"]).decode("utf-8-sig") == \
        "student,name,roster_id,a,b,total,max_total,flags\r\nli,李雷,S1,3,,,20,\r\n"


def test_a_moodle_worksheet_is_filled_with_the_totals(client, two_graded, people):
    signed_in(client, people["teacher"])
    sheet = (b"Identifier,Full name,Email address,Status,Grade,Maximum grade\r\n"
             b"Participant 101,Alice Smith,a@example.org,Submitted,,15\r\n"
             b"Participant 102,Bob,b@example.org,Submitted,,15\r\n"
             b"Participant 103,Dora,d@example.org,,,15\r\n")
    response = client.post(reverse("teacher:gradesheet"), {"file": _upload("worksheet.csv", sheet)})
    page = response.content.decode()
    assert response.status_code == 200 and 'download="filled-worksheet.csv"' in page
    assert data_url_bytes(page).decode().splitlines() == [
        "Identifier,Full name,Email address,Status,Grade,Maximum grade",
        "Participant 101,Alice Smith,a@example.org,Submitted,11.5,15",  # by the roster id
        "Participant 102,Bob,b@example.org,Submitted,10,15",  # by the name
        "Participant 103,Dora,d@example.org,,,15",
    ]
    assert "Dora" in page.split("Rows of the sheet nobody matched")[1]
    bad = client.post(reverse("teacher:gradesheet"), {"file": _upload("x.csv", b"a,b\n1,2\n")})
    assert bad.status_code == 400 and "neither a Moodle grading worksheet" in bad.content.decode()


ROSTERS = Path(__file__).resolve().parent / "rosters"


def _canvas_cells(page: str, column: str) -> dict[str, str]:
    rows = list(csv.reader(io.StringIO(data_url_bytes(page).decode("utf-8-sig"))))
    at = rows[0].index(column)
    return {r[0].strip(): r[at] for r in rows[1:]}


def test_a_canvas_column_is_filled_out_of_its_points_possible(client, two_graded, people):
    Person.objects.filter(pk=people["alice"].pk).update(roster_id="1001")
    signed_in(client, people["teacher"])
    sheet = (ROSTERS / "canvas_gradebook.csv").read_bytes()
    column = "Race Counter (4021)"
    # the course total, 11.5 of 15, scaled to the column's 10 points, and said so
    response = client.post(reverse("teacher:gradesheet"), {"file": _upload("g.csv", sheet), "column": "Race Counter"})
    page = response.content.decode()
    assert response.status_code == 200 and "scaled from 15 to 10" in page
    cells = _canvas_cells(page, column)
    assert cells["Smith, Alice"] == "7.67" and cells["Points Possible"] == "10.00"
    # the exercise's own counted score, out of its 10 points: nothing to scale
    response = client.post(reverse("teacher:gradesheet"), {
        "file": _upload("g.csv", sheet), "column": "Race Counter", "fill": "race-counter"})
    page = response.content.decode()
    assert response.status_code == 200 and "scaled from" not in page
    assert _canvas_cells(page, column)["Smith, Alice"] == "7.5"
    assert 'value="race-counter"' in client.get(reverse("teacher:exports")).content.decode()
    # an explicit number wins
    response = client.post(reverse("teacher:gradesheet"), {
        "file": _upload("g.csv", sheet), "column": "Race Counter", "out_of": "20"})
    assert _canvas_cells(response.content.decode(), column)["Smith, Alice"] == "15.33"


def test_a_moodle_worksheet_out_of_another_maximum_is_scaled_to_it(client, two_graded, people):
    signed_in(client, people["teacher"])
    sheet = (b"Identifier,Full name,Email address,Status,Grade,Maximum grade\r\n"
             b"Participant 101,Alice Smith,a@example.org,Submitted,,100.00\r\n")
    response = client.post(reverse("teacher:gradesheet"), {"file": _upload("w.csv", sheet), "fill": "queue-drain"})
    page = response.content.decode()
    assert response.status_code == 200 and "scaled from 5 to 100" in page
    assert data_url_bytes(page).decode().splitlines()[1] == \
        "Participant 101,Alice Smith,a@example.org,Submitted,80,100.00"


def test_gradescope_json_has_each_counted_result_with_the_late_penalty(client, two_graded, people):
    late = graded(people["bob"], "queue-drain", 4, max_score=5, days_late=1)
    Submission.objects.filter(pk=late.pk).update(score=3.6)  # after a 10 % penalty
    signed_in(client, people["teacher"])
    data = json.loads(client.get(reverse("teacher:gradescope_json")).content)
    by_student = {s["student"]: s for s in data["students"]}
    assert data["max_total"] == 15 and set(by_student) == {"alice", "bob"}
    race = by_student["alice"]["exercises"]["race-counter"]
    assert race["score"] == 7.5 and race["execution_time"] == 1.5
    assert race["tests"][0]["name"] == "race-counter: no_lost_updates" and race["tests"][0]["status"] == "failed"
    assert by_student["bob"]["exercises"]["queue-drain"]["score"] == 3.6
    assert by_student["bob"]["total"] == 13.6


def test_the_export_functions_agree_with_the_board(two_graded):
    cols = columns(two_graded, "en")
    rows = standings(two_graded, cols, students())
    assert [(r.student, r.total) for r in exports.grade_rows(cols, rows)] == [("alice", 11.5), ("bob", 10.0)]


# ---- the queue's health -----------------------------------------------------------------------------

def test_queue_health_shows_numbers_workers_and_alerts_and_marks_them_seen(client, course, people):
    failed = graded(people["alice"], "race-counter", None, state=S.NOT_GRADED)
    alert = Alert.objects.create(submission=failed, message="Submission could not be graded: docker gone")
    Worker.objects.create(name="w1", host="lab-pc", sandbox="local", judges=2)
    signed_in(client, people["teacher"])
    page = client.get(reverse("teacher:queue")).content.decode()
    assert "docker gone" in page and "lab-pc" in page and "not isolated" in page
    assert re.search(r"Judges alive</dt><dd>2<", page) and re.search(r"Not graded \(the grader failed\)</dt><dd>1<",
                                                                       page)
    client.post(reverse("teacher:alert_seen", kwargs={"pk": alert.pk}))
    alert.refresh_from_db()
    assert alert.seen
    assert "docker gone" not in client.get(reverse("teacher:queue")).content.decode()


# ---- the Chinese catalog ----------------------------------------------------------------------------

TRANSLATE = re.compile(r"""{%\s*translate\s+(?:"([^"]*)"|'([^']*)')""")
BLOCK = re.compile(r"{%\s*blocktranslate(?P<args>[^%]*)%}(?P<body>.*?)"
                   r"(?:{%\s*plural\s*%}.*?)?{%\s*endblocktranslate\s*%}", re.S)
GETTEXT = re.compile(r"""\b(?:_|gettext|gettext_lazy|ngettext)\(\s*"((?:[^"\\]|\\.)*)\"""")
CJK = r"[\u3400-\u9fff]"
ASCII_PUNCTUATION_BY_CJK = re.compile(rf"{CJK}\s*[,:;()]|[,:;()]\s*{CJK}")


def catalog() -> dict[str, str]:
    with (TEACHER / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po").open("rb") as f:
        po = read_po(f)
    out = {}
    for message in po:
        if message.id:
            key = message.id[0] if isinstance(message.id, tuple) else message.id
            out[key] = message.string[0] if isinstance(message.string, tuple) else message.string
    return out


def template_messages() -> set[str]:
    found = set()
    for path in (TEACHER / "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        found |= {a or b for a, b in TRANSLATE.findall(text)}
        found |= {re.sub(r"{{\s*(\w+)\s*}}", r"%(\1)s", m.group("body")) for m in BLOCK.finditer(text)}
    return found


def python_messages() -> set[str]:
    return {m.encode().decode("unicode_escape") if "\\" in m else m
            for path in TEACHER.glob("*.py") for m in GETTEXT.findall(path.read_text(encoding="utf-8"))}


def test_every_message_of_the_teachers_pages_has_a_chinese_translation():
    zh = catalog()
    wanted = template_messages() | python_messages()
    assert len(wanted) > 100  # the extraction found the pages' words
    missing = sorted(m for m in wanted if not zh.get(m))
    assert not missing, missing
    with (TEACHER / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po").open("rb") as f:
        assert read_po(f).charset.lower() == "utf-8"


def test_chinese_messages_use_full_width_punctuation():
    wrong = {msgid: text for msgid, text in catalog().items() if ASCII_PUNCTUATION_BY_CJK.search(text)}
    assert not wrong, wrong


def test_the_pages_read_in_chinese(client, course, people):
    Person.objects.filter(pk=people["teacher"].pk).update(lang="zh")
    graded(people["bob"], "race-counter", None, state=S.QUEUED)
    signed_in(client, people["teacher"])
    assert "<h1>班级看板</h1>" in client.get(reverse("teacher:board")).content.decode()
    texts = client.get(reverse("teacher:board_json")).json()
    assert texts["texts"][f"t-{people['bob'].user_id}"] == "待定"
    assert texts["states"][f"c-{people['bob'].user_id}-{CourseExercise.objects.get(slug='race-counter').pk}-state"][1] \
        == "等待中"
