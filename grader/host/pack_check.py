"""Grade a pack's own cases against their expected verdicts, N times: what an author runs before
students do (`grader check --exercise SLUG --samples --repeat N`), and what the grader's own tests
and `make stability` run for the whole catalog.

The cases are the reference solution (full marks expected), the unchanged starter, and every sample
answer of the pack's samples folder, each with the verdict `expected.yaml` gives it: the exercise's
status and score and every check's status. A flaky check shows as a case whose verdict was not the
same on every run.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .grading import grade_submission
from .packs import Exercise, PackError


@dataclass
class Case:
    name: str  # "solution", "starter" or a sample's behaviour
    path: Path
    want: dict  # status, score, checks (and report_mentions)


@dataclass
class CaseResult:
    case: Case
    runs: int = 0
    matched: int = 0
    different: list[tuple] = field(default_factory=list)  # verdicts that were not the expected one

    @property
    def stable(self) -> bool:
        return self.matched == self.runs


def cases(exercise: Exercise) -> list[Case]:
    """The pack's cases, in expected.yaml's order; a sample listed without a file is a pack error."""
    expected = exercise.samples_dir / "expected.yaml"
    try:
        wants = yaml.safe_load(expected.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise PackError(f"{expected}: cannot read it ({exc.strerror}); `grader new` writes one") from exc
    out = []
    for name, want in wants.items():
        path = {"solution": exercise.solution, "starter": exercise.starter}.get(
            name, exercise.samples_dir / f"{name}.py")
        if not path.exists():
            raise PackError(f"{expected}: {name} has no file {path}")
        out.append(Case(name, path, want))
    return out


def verdict(exercise: Exercise, path: Path, sandbox="local", exercises_root: Path | None = None) -> tuple:
    """Grade one file as a one-exercise submission; the verdict as a comparable tuple."""
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy(path, Path(tmp) / exercise.student_file)
        result = grade_submission(submission=Path(tmp), student="check", exercises=[exercise.slug],
                                  sandbox=sandbox, exercises_root=exercises_root or exercise.root.parent)
    return exercise_verdict(result.exercises[0])


def exercise_verdict(ex) -> tuple:
    """One exercise's result as a comparable tuple: status, score, each check's status."""
    return ex.status.value, ex.score, tuple((c.name, c.status.value) for c in ex.checks)


def expected_verdict(want: dict) -> tuple:
    return want["status"], want["score"], tuple(want["checks"].items())


def check_pack(exercise: Exercise, repeat: int = 1, sandbox="local", on_case=lambda result: None) -> list[CaseResult]:
    """Every case of the pack graded `repeat` times; `on_case` hears about each case when done."""
    results = []
    for case in cases(exercise):
        result = CaseResult(case)
        want = expected_verdict(case.want)
        for _ in range(repeat):
            got = verdict(exercise, case.path, sandbox)
            result.runs += 1
            if got == want:
                result.matched += 1
            else:
                result.different.append(got)
        on_case(result)
        results.append(result)
    return results
