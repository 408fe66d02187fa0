"""Golden samples: every reference solution, starter and sample wrong answer, graded 5 times each
through the CLI, must give exactly the verdict in its folder's expected.yaml, every time."""

from __future__ import annotations

import pytest

from grader.host import pack_check, packs

from .conftest import ROOT, assert_expected_verdict, grade_file
from .samples.catalog import cases

REPEATS = 5


def _cases():
    for exercise, name, path, want in cases():
        for run in range(1, REPEATS + 1):
            yield pytest.param(exercise, path, want, id=f"{exercise.slug}/{name}/run{run}")


def test_every_sample_has_an_expected_verdict():
    for exercise in packs.load_all(ROOT / "exercises"):
        files = {p.stem for p in exercise.samples_dir.glob("*.py")}
        named = {case.name for case in pack_check.cases(exercise)}
        assert files == named - {"solution", "starter"}, exercise.slug


@pytest.mark.e2e
@pytest.mark.parametrize("exercise,path,want", list(_cases()))
def test_sample_verdict(exercise, path, want, tmp_path):
    report, folder = grade_file(path, exercise.student_file, exercise.slug, tmp_path)
    assert report["schema"] == 1
    assert_expected_verdict(report, folder, want)
    for name in ("report.json", "report.html"):
        data = (folder / name).read_bytes()
        assert len(data) < 1_000_000
        data.decode("utf-8")
