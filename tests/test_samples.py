"""Golden samples: every reference solution, starter and sample wrong answer must get exactly the
verdict its folder's expected.yaml gives it (pack_check.differences: status, score, every check,
report_mentions), graded in process with the local sandbox.

`make test` grades each case once: verdicts are deterministic by design, so a logic regression shows
on the first run. The repeats (`slow`, in `make test-all`) are there for flakes; `make stability` is
the real flake detector (200 rounds under load)."""

from __future__ import annotations

import copy
import json

import pytest

from grader.host import hidden, pack_check, packs, reports
from grader.host.localize import localize

from .conftest import ROOT
from .judge_leaks import foreign_functions, judge_functions, leaks, page_text
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
    found = pack_check.differences(case.want, result.exercises[0], exercise)
    assert not found, "\n".join(found)
    for name in ("report.json", "report.html"):
        data = (tmp_path / "check" / name).read_bytes()
        assert len(data) < 1_000_000
        data.decode("utf-8")
    _assert_nothing_of_the_judge(exercise, case, result)


JUDGES = judge_functions(ROOT)


def _assert_nothing_of_the_judge(exercise, case, result):
    """Everything a student may read of this report, at the most a teacher may show (hidden_details:
    full), in English and Chinese: no word of the judge, no function of its (issue 23)."""
    source = case.path.read_text(encoding="utf-8", errors="replace")
    own_lines = {line.strip() for line in source.splitlines() if len(line.strip()) > 8}
    found = []
    for lang in ("en", "zh"):
        view = hidden.for_student(localize(copy.deepcopy(result), lang, {exercise.slug: exercise}), "full")
        said = [page_text(reports.render_html(view)), *reports.detail_lines(view)]
        text = "\n".join(line for chunk in said for line in chunk.splitlines() if line.strip() not in own_lines)
        found += [f"[{lang}] ...{snippet}..." for snippet in leaks(text)]
    found += foreign_functions(json.loads(json.dumps(result.to_dict())), source, JUDGES)
    assert not found, "the judge shows in the student's report:\n" + "\n".join(sorted(set(found)))


@pytest.mark.parametrize("exercise,case", list(_cases([1])))
def test_sample_verdict(exercise, case, tmp_path):
    _assert_as_expected(exercise, case, tmp_path)


@pytest.mark.slow  # 250 cases × 2 more gradings: about 7 minutes on 2 cores; flakes only, see the docstring
@pytest.mark.parametrize("exercise,case", list(_cases(range(2, REPEATS + 1))))
def test_sample_verdict_again(exercise, case, tmp_path):
    _assert_as_expected(exercise, case, tmp_path)
