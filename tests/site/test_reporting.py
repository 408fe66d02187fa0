"""What a reader sees of a report: hidden checks before the deadline as the course says (all,
pass/fail only, score only), everything for teachers and after the deadline, in the reader's
language. One real grading of a word-tally answer that fails a hidden check for a cause of its own."""

from __future__ import annotations

from datetime import timedelta

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
