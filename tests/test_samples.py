"""Golden samples: every reference solution, starter and sample wrong answer must get exactly the
verdict its folder's expected.yaml gives it (pack_check.differences: status, score, every check,
report_mentions), graded in process with the local sandbox.

`make test` grades each case once: verdicts are deterministic by design, so a logic regression shows
on the first run. The repeats (`slow`, in `make test-all`) are there for flakes; `make stability` is
the real flake detector (200 rounds under load)."""

from __future__ import annotations

import pytest

from grader.host import pack_check, packs

from .conftest import ROOT
from .samples.catalog import cases

# Repeats in `make test-all`, beyond the first grading of `make test`: 3 gradings of each case in all.
REPEATS = 3


def _cases(runs):
    for exercise, name, path, want in cases():
        for run in runs:
            suffix = f"/run{run}" if run > 1 else ""
            yield pytest.param(exercise, pack_check.Case(name, path, want), id=f"{exercise.slug}/{name}{suffix}")


def test_every_sample_has_an_expected_verdict():
    for exercise in packs.load_all(ROOT / "exercises"):
        files = {p.stem for p in exercise.samples_dir.glob("*.py")}
        named = {case.name for case in pack_check.cases(exercise)}
        assert files == named - {"solution", "starter"}, exercise.slug


def _assert_as_expected(exercise, case, tmp_path):
    result = pack_check.grade_file(exercise, case.path, out_dir=tmp_path)
    assert result.schema == 1
    found = pack_check.differences(case.want, result.exercises[0])
    assert not found, "\n".join(found)
    for name in ("report.json", "report.html"):
        data = (tmp_path / "check" / name).read_bytes()
        assert len(data) < 1_000_000
        data.decode("utf-8")


@pytest.mark.parametrize("exercise,case", list(_cases([1])))
def test_sample_verdict(exercise, case, tmp_path):
    _assert_as_expected(exercise, case, tmp_path)


@pytest.mark.slow  # 250 cases × 2 more gradings: about 7 minutes on 2 cores; flakes only, see the docstring
@pytest.mark.parametrize("exercise,case", list(_cases(range(2, REPEATS + 1))))
def test_sample_verdict_again(exercise, case, tmp_path):
    _assert_as_expected(exercise, case, tmp_path)
