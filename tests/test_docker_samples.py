"""Every reference solution, starter and sample wrong answer gets its expected verdict in the
container too (tests/samples/<slug>/expected.yaml, which test_samples checks locally).

A container per round: round j's submission holds every pack's j-th case, judged side by side as a
student's whole submission is, and each exercise's verdict is compared on its own. Round 0 (every
reference solution) runs in `make test`; the other rounds are `slow`, for `make test-all`."""

from __future__ import annotations

import shutil

import pytest

from grader.host import pack_check
from grader.host.grading import grade_submission

from .samples.catalog import cases, side_by_side

pytestmark = pytest.mark.docker

ROUNDS = side_by_side(list(cases()))


def _round(j: int):
    marks = [] if j == 0 else [pytest.mark.slow]  # ~15-40 s a round in a container
    return pytest.param(ROUNDS[j], id=f"round{j}-" + ("solutions" if j == 0 else "starters" if j == 1 else "samples"),
                        marks=marks)


@pytest.mark.parametrize("group", [_round(j) for j in range(len(ROUNDS))])
def test_container_verdicts_match_expected(group, tmp_path, docker_image):
    submission = tmp_path / "submission"
    submission.mkdir()
    for exercise, _, path, _ in group:
        shutil.copy(path, submission / exercise.student_file)
    result = grade_submission(submission=submission, student="s", sandbox="docker", out_dir=tmp_path / "out",
                              exercises=[exercise.slug for exercise, _, _, _ in group])
    assert result.sandbox == "docker" and result.sandbox_note == ""
    by_slug = {ex.exercise: ex for ex in result.exercises}
    found = {f"{exercise.slug}/{name}": pack_check.differences(want, by_slug[exercise.slug], exercise)
             for exercise, name, _, want in group}
    assert {case: lines for case, lines in found.items() if lines} == {}
