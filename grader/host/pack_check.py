"""Grade a pack's own cases against their expected verdicts, N times: what an author runs before
students do (`grader check --exercise SLUG --samples --repeat N`), what the grader's own tests and
`make stability` run for the whole catalog, and what `grader check` asks of solutions and starters.

The cases are the reference solution (full marks expected), the unchanged starter, and every sample
answer of the pack's samples folder, each with the verdict `expected.yaml` gives it: the exercise's
status and score, every check's status, and phrases its report must mention. `differences` is the one
comparison of a grading with that verdict: the tests, `--samples` and the stability tool all use it,
so an author's own run checks exactly what CI checks. A flaky check shows as a case whose gradings
were not all as expected.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from . import hidden
from .grading import grade_submission
from .packs import Exercise, PackError
from .results import ExerciseResult, StudentResult, StudentStatus


@dataclass
class Case:
    name: str  # "solution", "starter" or a sample's behaviour
    path: Path
    want: dict  # status, score, checks (and report_mentions, report_omits)


@dataclass
class CaseResult:
    case: Case
    runs: int = 0
    as_expected: int = 0  # runs whose grading had no difference from the expected verdict
    differences: list[list[str]] = field(default_factory=list)  # each run that differed: what differed
    scores: list[float | None] = field(default_factory=list)  # each run's score

    @property
    def stable(self) -> bool:
        return self.as_expected == self.runs


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
    _require_the_two_cases(expected, exercise, {case.name: case.want for case in out})
    return out


def _require_the_two_cases(expected: Path, exercise: Exercise, wants: dict) -> None:
    """A pack's promise: its reference solution gets full marks and its starter does not."""
    for name in ("solution", "starter"):
        if name not in wants:
            raise PackError(f"{expected}: no entry for the {name}; `grader new` writes one to start from")
    solution, starter = wants["solution"], wants["starter"]
    if solution.get("status") != "passed" or solution.get("score") != exercise.max_score:
        raise PackError(f"{expected}: the solution must be expected to pass with full marks "
                        f"({exercise.max_score:g}), not {solution.get('status')} {solution.get('score')}")
    if not isinstance(starter.get("score"), int | float) or starter["score"] >= exercise.max_score:
        raise PackError(f"{expected}: the starter must be expected to score below full marks "
                        f"({exercise.max_score:g}), not {starter.get('score')}")


def grade_file(exercise: Exercise, path: Path, *, sandbox: str = "local", exercises_root: Path | None = None,
               out_dir: Path | None = None, config: Path | None = None) -> StudentResult:
    """Grade one file as a one-exercise submission, in process (reports under out_dir/check if given)."""
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy(path, Path(tmp) / exercise.student_file)
        return grade_submission(submission=Path(tmp), student="check", exercises=[exercise.slug], sandbox=sandbox,
                                exercises_root=exercises_root or exercise.root.parent, out_dir=out_dir,
                                config=config)


def report_text(result: ExerciseResult, exercise: Exercise | None = None) -> str:
    """One exercise's part of report.json, as that file writes it (the teacher's record), then as the
    student's report has it at the default `hidden_details` (a hidden check's hint): what
    `report_mentions` are looked for in."""
    whole = StudentResult(student="", score=None, max_score=0, sandbox="", sandbox_note="", exercises=[result])
    seen = hidden.for_student(whole, hidden.DEFAULT, {exercise.slug: exercise} if exercise is not None else None)
    return "\n".join(json.dumps(r.to_dict()["exercises"][0], indent=2, ensure_ascii=False) for r in (whole, seen))


def differences(want: dict, got: ExerciseResult, exercise: Exercise | None = None) -> list[str]:
    """Everything in which one grading differs from a case's expected verdict; empty when as expected.

    The exercise's status and score, each check's status (a check missing or not expected counts), and
    each phrase of `report_mentions` that the exercise's report does not contain, and of `report_omits`
    that it does, in the teacher's record or the student's view (`exercise`: its pack, for the hints of
    its hidden checks; default: this checkout's)."""
    out = []
    if got.status.value != want["status"]:
        out.append(f"status: expected {want['status']}, got {got.status.value}")
    if got.score != want["score"]:
        out.append(f"score: expected {_num(want['score'])}, got {_num(got.score)}")
    checks = {c.name: c for c in got.checks}
    for name, status in want["checks"].items():
        check = checks.get(name)
        if check is None:
            out.append(f"check {name}: expected {status}, got no such check")
        elif check.status.value != status:
            said = check.message.strip().splitlines()[0][:200] if check.message.strip() else ""
            out.append(f"check {name}: expected {status}, got {check.status.value}" + (f": {said}" if said else ""))
    out += [f"check {name}: got {check.status.value}, not in expected.yaml" for name, check in checks.items()
            if name not in want["checks"]]
    text = report_text(got, exercise)
    out += [f"the report does not mention {phrase!r}" for phrase in want.get("report_mentions", [])
            if phrase not in text]
    # advice that would be wrong for this answer (to add what it already has)
    out += [f"the report mentions {phrase!r}" for phrase in want.get("report_omits", []) if phrase in text]
    return out


def _num(score: float | None) -> str:
    return "null" if score is None else f"{score:g}"


def exercise_verdict(ex: ExerciseResult) -> tuple:
    """One exercise's result as a comparable tuple (status, score, each check's status): the stability
    tool's record of a verdict that differed."""
    return ex.status.value, ex.score, tuple((c.name, c.status.value) for c in ex.checks)


def check_pack(exercise: Exercise, repeat: int = 1, sandbox: str = "local", exercises_root: Path | None = None,
               only: tuple[str, ...] | None = None, config: Path | None = None,
               on_case: Callable[[CaseResult], None] = lambda result: None) -> list[CaseResult]:
    """Every case of the pack (or `only` those named) graded `repeat` times; `on_case` hears about each
    case when done.

    An infrastructure error (no Docker engine, say) is not the pack's fault: it raises
    InfrastructureNotGraded instead of counting as a difference."""
    if repeat < 1:
        raise ValueError("repeat must be at least 1")
    results = []
    for case in cases(exercise):
        if only is not None and case.name not in only:
            continue
        result = CaseResult(case)
        for _ in range(repeat):
            graded = grade_file(exercise, case.path, sandbox=sandbox, exercises_root=exercises_root, config=config)
            if graded.status is StudentStatus.INFRASTRUCTURE_ERROR:
                raise InfrastructureNotGraded(graded)
            found = differences(case.want, graded.exercises[0], exercise)
            result.runs += 1
            result.scores.append(graded.exercises[0].score)
            if found:
                result.differences.append(found)
            else:
                result.as_expected += 1
        on_case(result)
        results.append(result)
    return results


class InfrastructureNotGraded(Exception):
    """The grader could not grade at all (its sandbox failed): nothing to compare."""

    def __init__(self, result: StudentResult):
        super().__init__(result.sandbox_message or "the sandbox could not run")
        self.result = result
