"""What a reader sees of a report: hidden checks before the deadline as the course says (all,
pass/fail only, score only), everything for teachers and after the deadline, in the reader's
language. One real grading of a word-tally answer that fails a hidden check for a cause of its own."""

from __future__ import annotations

from datetime import timedelta
from html import unescape

import pytest
from django.utils import timezone

from grader.host.grading import grade_submission
from grader.site.course.models import Course, CourseExercise
from grader.site.submissions import accept, reporting
from grader.site.submissions.models import Submission

from .conftest import ROOT, file_of

WRONG = ROOT / "tests" / "samples" / "word-tally" / "returns_tally_object.py"


@pytest.fixture(scope="module")
def starter_result(tmp_path_factory):
    folder = tmp_path_factory.mktemp("starter")
    (folder / "tally.py").write_bytes(WRONG.read_bytes())
    result = grade_submission(submission=folder, student="alice", sandbox="local", exercises=["word-tally"])
    hidden = [c for c in result.exercises[0].checks if c.visibility == "hidden"]
    assert [c for c in hidden if c.status.value != "passed"], "the sample must fail a hidden check"
    return result.to_dict()


@pytest.fixture
def graded(course, people, starter_result):
    exercise = CourseExercise.objects.create(course=course, slug="word-tally", position=9,
                                             deadline=timezone.now() + timedelta(days=1))
    row = accept.store(student=people["alice"].user, course_exercise=exercise, files=[file_of("word-tally")])
    Submission.objects.filter(pk=row.pk).update(state="graded", result=starter_result, score=4, max_score=10)
    return Submission.objects.get(pk=row.pk)


def hidden_checks(result):
    return [c for c in result.exercises[0].checks if c.visibility == "hidden"]


@pytest.mark.django_db
def test_pass_fail_only_says_whether_a_hidden_check_passed_not_why(graded):
    Course.objects.update(hidden_before_deadline="pass_fail")
    result = reporting.for_reader(graded, lang="en", teacher=False)
    failed = [c for c in hidden_checks(result) if c.status.value != "passed"]
    # the sample's hidden check ends in a deadlock: shown as failed, nothing of the deadlock
    assert failed and all(c.status.value == "failed" and not c.details for c in failed)
    assert all("shown after the deadline" in c.message for c in failed)
    html = reporting.html(graded, lang="en", teacher=False)
    full = reporting.for_reader(graded, lang="en", teacher=True).exercises[0].checks
    said_by_visible = {c.message for c in full if c.visibility != "hidden"}
    own = [c for c in full if c.visibility == "hidden" and c.status.value != "passed"
           and c.message not in said_by_visible]
    assert own  # the hidden check fails for a cause of its own, which the student's page must not show
    for check in own:
        assert check.message not in html


@pytest.mark.django_db
def test_score_only_leaves_the_hidden_checks_out_but_counts_them(graded):
    Course.objects.update(hidden_before_deadline="score_only")
    result = reporting.for_reader(graded, lang="zh", teacher=False)
    assert hidden_checks(result) == []
    assert result.exercises[0].score == graded.result["exercises"][0]["score"]
    assert any("隐藏检查" in w for w in result.exercises[0].warning_texts)


@pytest.mark.django_db
def test_teachers_and_everyone_after_the_deadline_see_everything(graded):
    Course.objects.update(hidden_before_deadline="score_only")
    full = len(graded.result["exercises"][0]["checks"])
    assert len(reporting.for_reader(graded, lang="en", teacher=True).exercises[0].checks) == full
    CourseExercise.objects.filter(pk=graded.exercise_id).update(deadline=timezone.now() - timedelta(minutes=1))
    graded.refresh_from_db()
    assert len(reporting.for_reader(graded, lang="en", teacher=False).exercises[0].checks) == full


@pytest.mark.django_db
def test_the_report_is_in_the_readers_language(graded):
    Course.objects.update(hidden_before_deadline="all")
    assert "多个线程共用一个计数器统计单词" in reporting.html(graded, lang="zh", teacher=False)
    assert "多个线程共用一个计数器统计单词" not in reporting.html(graded, lang="en", teacher=False)


def _page(graded, lang, teacher):
    return " ".join(unescape(reporting.html(graded, lang=lang, teacher=teacher)).split())


@pytest.mark.django_db
@pytest.mark.parametrize("lang,hint", [("en", "Create the Tally inside count_words"),
                                       ("zh", "请在 count_words 内部创建 Tally")])
def test_hidden_details_chooses_what_a_student_sees_never_what_a_teacher_sees(graded, lang, hint):
    Course.objects.update(hidden_before_deadline="all")
    teacher = reporting.for_reader(graded, lang=lang, teacher=True)
    own = " ".join(next(c.message for c in hidden_checks(teacher) if c.name == "fresh_count_each_call").split())
    assert hint not in own
    assert Course.objects.get().hidden_details == "hint"  # the default
    student = _page(graded, lang, teacher=False)
    assert hint in student and own not in student
    Course.objects.update(hidden_details="full")
    assert own in _page(graded, lang, teacher=False)
    Course.objects.update(hidden_details="result")
    student = _page(graded, lang, teacher=False)
    assert hint not in student and own not in student and "fresh_count_each_call" in student
    assert own in _page(graded, lang, teacher=True)  # the teacher sees everything at every level
