"""Every reference solution, starter and sample wrong answer gets the same verdict in the container
as with the local sandbox (tests/samples/<slug>/expected.yaml, which test_samples_e2e checks locally)."""

from __future__ import annotations

import pytest

from .conftest import assert_expected_verdict, grade_file
from .samples.catalog import cases

pytestmark = pytest.mark.docker


@pytest.mark.parametrize("exercise,path,want", [
    pytest.param(exercise, path, want, id=f"{exercise.slug}/{name}") for exercise, name, path, want in cases()])
def test_container_verdict_matches_local(exercise, path, want, tmp_path, docker_image):
    report, folder = grade_file(path, exercise.student_file, exercise.slug, tmp_path, sandbox="docker")
    assert report["sandbox"] == "docker" and report["sandbox_note"] == ""
    assert_expected_verdict(report, folder, want)
