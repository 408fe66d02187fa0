"""Assignments (grader/host/assignment.py): the file's validation and its errors, `--exercise` taken
once, "did you mean", weights applied to a result, and the totals a grade sheet gets."""

from __future__ import annotations

import pytest

from grader.host import packs
from grader.host.assignment import Assignment, AssignmentError, load_assignment, plan, unknown_message
from grader.host.batch.gradesheet import SheetError, assignment_totals
from grader.host.grading import select_exercises
from grader.host.results import CheckResult, CheckStatus, ExerciseResult, ExerciseStatus
from grader.host.scoring import weigh

from .conftest import ROOT

EXERCISES = ROOT / "exercises"
HOMEWORK = """\
title: "Homework 3: locks"
exercises:
  - race-counter
  - slug: bounded-desks
    points: 20
  - reentrant-lock
opens: 2026-11-23T08:00:00+08:00
deadline: 2026-11-30T23:59:00+08:00
late_policy:
  penalty_per_day: 10
  max_days: 3
"""


def _write(tmp_path, text: str):
    path = tmp_path / "assignment.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_an_assignment_file_is_read_in_order_with_its_points_and_times(tmp_path):
    assignment = load_assignment(_write(tmp_path, HOMEWORK))
    assert assignment.title == "Homework 3: locks"
    assert assignment.slugs == ["race-counter", "bounded-desks", "reentrant-lock"]
    assert [e.points for e in assignment.exercises] == [None, 20, None]
    assert assignment.deadline is not None and assignment.deadline.utcoffset().total_seconds() == 8 * 3600
    assert assignment.late_policy is not None and assignment.late_policy.max_days == 3

    chosen = plan(EXERCISES, assignment)
    assert chosen.slugs == ["race-counter", "bounded-desks", "reentrant-lock"] and chosen.assigned
    assert chosen.points == {"race-counter": 10, "bounded-desks": 20, "reentrant-lock": 10}
    assert chosen.max_score == 40 and chosen.title == "Homework 3: locks"
    assert "race-counter" not in {ex.slug for ex in chosen.others} and len(chosen.others) == 14
    again = load_assignment(_write(tmp_path, chosen.to_yaml()))  # what an autograder's zip carries
    assert plan(EXERCISES, again).points == chosen.points and again.deadline == assignment.deadline


@pytest.mark.parametrize(("text", "says"), [
    ("exercises: [race-counter]\n", "title: required key is missing"),
    ("title: t\n", "exercises: required key is missing"),
    ("title: t\nexercises: []\n", "exercises: list at least one exercise"),
    ("title: t\nexercises: [race-counter, bounded-desks, race-counter]\n",
     "exercises: race-counter is listed twice (items 1 and 3): list each exercise once"),
    ("title: t\nexercises:\n  - slug: race-counter\n    points: 0\n",
     "exercises, item 1, points: Input should be greater than 0"),
    ("title: t\nexercises:\n  - slug: race-counter\n    weight: 2\n", "exercises, item 1, weight: unknown key"),
    ("title: t\nexercises: [3]\n", "exercises, item 1: give an exercise's slug, or a mapping with slug and points"),
    ("title: t\nexercises: [race-counter]\ncolour: blue\n", "colour: unknown key"),
    ("title: t\nexercises: [race-counter]\ndeadline: 2026-11-30 23:59\n",
     "deadline: give a time zone, e.g. 2026-11-30T23:59:00+08:00"),
    ("title: t\nexercises: [race-counter]\nopens: 2026-12-01T00:00:00Z\ndeadline: 2026-11-30T00:00:00Z\n",
     "opens must be before deadline"),
    ("title: t\nexercises: [race-counter]\nlate_policy: {penalty_per_day: 10}\n", "a late_policy needs a deadline"),
    ("title: t\nexercises: [race-counter]\ndeadline: 2026-11-30T00:00:00Z\nlate_policy: {penalty_per_day: 120}\n",
     "late_policy, penalty_per_day: Input should be less than or equal to 100"),
    ("- race-counter\n", "must be a mapping with title and exercises"),
    ("title: [unclosed\n", "not valid YAML"),
])
def test_a_wrong_assignment_names_the_file_and_the_key(tmp_path, text, says):
    path = _write(tmp_path, text)
    with pytest.raises(AssignmentError) as caught:
        load_assignment(path)
    assert str(caught.value).startswith(f"{path}: ") and says in str(caught.value)


def test_a_missing_file_is_an_assignment_error(tmp_path):
    with pytest.raises(AssignmentError, match="cannot be read"):
        load_assignment(tmp_path / "nope.yaml")


def test_an_unknown_exercise_offers_the_nearest_name(tmp_path):
    path = _write(tmp_path, "title: t\nexercises: [race-countr, bounded-desks]\n")
    with pytest.raises(AssignmentError) as caught:
        plan(EXERCISES, load_assignment(path))
    assert str(caught.value).startswith(f"{path}: exercises: unknown exercise race-countr (did you mean race-counter?)")
    with pytest.raises(AssignmentError, match=r"unknown exercise semaphore-handof \(did you mean semaphore-handoff"):
        select_exercises(EXERCISES, ["semaphore-handof"])
    assert unknown_message(["zzz"], ["race-counter"]) == "unknown exercise zzz; known: race-counter"


def test_an_exercise_given_twice_on_the_command_line_is_taken_once():
    assert Assignment.of(["race-counter", "bounded-desks", "race-counter"]).slugs == ["race-counter", "bounded-desks"]
    chosen = plan(EXERCISES, slugs=["race-counter", "race-counter"])
    assert chosen.slugs == ["race-counter"] and chosen.max_score == 10
    assert [ex.slug for ex in select_exercises(EXERCISES, ["race-counter"] * 2)] == ["race-counter"]
    with pytest.raises(AssignmentError, match="not both"):
        plan(EXERCISES, Assignment.of(["race-counter"]), ["bounded-desks"])


def test_without_an_assignment_every_pack_is_graded_at_its_own_points():
    chosen = plan(EXERCISES)
    every = packs.load_all(EXERCISES)
    assert not chosen.assigned and chosen.slugs == [ex.slug for ex in every] and chosen.others == []
    assert chosen.max_score == sum(ex.max_score for ex in every) and chosen.key() == "" and chosen.summary() is None


def test_the_plan_key_changes_with_the_exercises_and_their_points(tmp_path):
    base = plan(EXERCISES, Assignment.of(["race-counter", "bounded-desks"]))
    weighted = plan(EXERCISES, Assignment.model_validate(
        {"exercises": ["race-counter", {"slug": "bounded-desks", "points": 20}]}))
    other = plan(EXERCISES, Assignment.of(["race-counter"]))
    titled = plan(EXERCISES, Assignment.of(["race-counter", "bounded-desks"], title="HW"))
    assert len({base.key(), weighted.key(), other.key()}) == 3
    assert titled.key() == base.key()  # a new title writes the reports again; it does not grade again


def _exercise(score: float, checks: list[tuple[float, float]]) -> ExerciseResult:
    return ExerciseResult(exercise="x", title="x", status=ExerciseStatus.FAILED, score=score,
                          max_score=sum(m for _, m in checks), checks=[
                              CheckResult(name=f"c{i}", status=CheckStatus.PASSED if s == m else CheckStatus.FAILED,
                                          score=s, max_score=m, message="") for i, (s, m) in enumerate(checks)])


def test_a_weight_scales_the_score_and_each_check():
    result = weigh(_exercise(4, [(1, 1), (3, 3), (0, 6)]), 20)
    assert (result.score, result.max_score, result.scaled_from) == (8, 20, 10)
    assert [(c.score, c.max_score) for c in result.checks] == [(2, 2), (6, 6), (0, 12)]
    thirds = weigh(_exercise(1, [(1, 1), (0, 2)]), 10)  # 1 * 10 / 3, to 0.01
    assert thirds.score == 3.33 and [c.max_score for c in thirds.checks] == [3.33, 6.67]
    same = weigh(_exercise(4, [(4, 4), (0, 6)]), 10)
    assert (same.score, same.max_score, same.scaled_from) == (4, 10, None)  # its own points: unchanged
    infra = _exercise(0, [(0, 5), (0, 5)])
    infra.score = None
    assert weigh(infra, 5).score is None and infra.max_score == 5


def _journal() -> dict:
    return {"schema": 1, "finished": True, "exercises": [
        {"slug": "race-counter", "max_score": 10}, {"slug": "bounded-desks", "max_score": 20},
        {"slug": "reentrant-lock", "max_score": 10}], "students": [
        {"student": "ann", "lms_id": "1", "score": 35, "max_score": 40,
         "exercises": {"race-counter": 10, "bounded-desks": 15, "reentrant-lock": 10}},
        {"student": "bo", "lms_id": "", "score": None, "max_score": 40,
         "exercises": {"race-counter": None, "bounded-desks": None, "reentrant-lock": None}}]}


def test_a_grade_sheet_for_an_assignment_counts_its_exercises_at_their_points():
    same = assignment_totals(_journal(), Assignment.model_validate(
        {"exercises": ["race-counter", {"slug": "bounded-desks", "points": 20}, "reentrant-lock"]}))
    assert [(g.student, g.score, g.max_score) for g in same] == [("ann", 35, 40), ("bo", None, 40)]
    part = assignment_totals(_journal(), Assignment.model_validate(
        {"exercises": [{"slug": "bounded-desks", "points": 10}, "reentrant-lock"]}))
    assert [(g.student, g.lms_id, g.score, g.max_score) for g in part] == [("ann", "1", 17.5, 20), ("bo", "", None, 20)]
    with pytest.raises(SheetError, match=r"did not grade race-countr \(unknown exercise race-countr \(did you mean"):
        assignment_totals(_journal(), Assignment.of(["race-countr"]))
    with pytest.raises(SheetError, match="older grader"):
        assignment_totals({"students": []}, Assignment.of(["race-counter"]))


def test_the_documented_example_is_a_valid_assignment(tmp_path):
    docs = (ROOT / "docs" / "batch.md").read_text(encoding="utf-8")
    example = docs.split("## Assignments", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    chosen = plan(EXERCISES, load_assignment(_write(tmp_path, example)))
    assert chosen.slugs == ["race-counter", "semaphore-handoff", "producer-consumer"] and chosen.max_score == 40
