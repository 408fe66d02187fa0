"""Build an exercise's result from its check verdicts (pure functions).

Points come only from checks the exercise lists and the judge saw pass. When every check failed
while the student's file was being imported, the exercise is an error with that one reason.
Messages are references (messages.py); localize.py turns them into the student's language.
"""

from __future__ import annotations

from .judge_report import CheckVerdict
from .packs import Exercise
from .results import CheckResult, CheckStatus, ExerciseResult, ExerciseStatus

DETAIL_KEYS = ("call", "threads", "stack", "output", "output_truncated", "output_bytes", "details", "phase",
               "interleaving", "exploration", "per_call")


def check_result(name: str, exercise: Exercise, verdict: CheckVerdict) -> CheckResult:
    """A check's whole result, hidden or not: the record the teacher reads (report.json, the site's
    store). What a student sees of a hidden check is chosen when their report is rendered
    (hidden.for_student, the `hidden_details` setting)."""
    spec = exercise.spec.checks[name]
    status = CheckStatus(verdict.status)
    passed = status is CheckStatus.PASSED
    return CheckResult(
        name=name, status=status, score=spec.points if passed else 0.0, max_score=spec.points,
        message="", message_ref=verdict.message or None, description=spec.description,
        visibility=spec.visibility.value,
        details={k: verdict.verdict[k] for k in DETAIL_KEYS if k in verdict.verdict},
    )


def exercise_result(exercise: Exercise, verdicts: dict[str, CheckVerdict]) -> ExerciseResult:
    checks = [check_result(name, exercise, verdicts[name]) for name in exercise.spec.checks]
    score = sum(c.score for c in checks)
    status = ExerciseStatus.PASSED if score == exercise.max_score else ExerciseStatus.FAILED
    message = None
    details: dict = {}
    import_failures = [v for v in verdicts.values() if v.verdict.get("phase") in ("import", "start")]
    tampered = [v for v in verdicts.values() if v.status == CheckStatus.TAMPERED.value]
    if tampered:
        # Fail closed: what the other checks saw cannot be trusted once the harness was reached for.
        status, score = ExerciseStatus.TAMPERED, 0.0
        for c in checks:
            c.score = 0.0
        message = {"id": "tampered_summary", "params": {"reason": tampered[0].message}}
    elif score == 0 and len(import_failures) == len(verdicts):
        # One cause for every check: say it once, with its lines, at the exercise.
        status = ExerciseStatus.ERROR
        first = import_failures[0]
        message = {"id": "import_failed_summary", "params": {"reason": first.message}}
        details = {k: first.verdict[k] for k in DETAIL_KEYS if k in first.verdict}
        for c in checks:
            c.details = {}
    elif score == 0 and all(v.message.get("id", "").startswith("judge_") for v in verdicts.values()):
        status = ExerciseStatus.ERROR
        message = next(iter(verdicts.values())).message
    return ExerciseResult(
        exercise=exercise.slug, title=exercise.spec.title, status=status, score=score,
        max_score=exercise.max_score, message="", message_ref=message, checks=checks,
        pack_version=exercise.version(), details=details,
    )


def not_graded(exercise: Exercise, status: ExerciseStatus, message: dict, check_status: CheckStatus,
               check_message: dict | None = None) -> ExerciseResult:
    """An exercise that never reached the judge: missing file, syntax error, refused file."""
    checks = [
        CheckResult(name=name, status=check_status, score=0.0, max_score=spec.points, message="",
                    message_ref=check_message, description=spec.description, visibility=spec.visibility.value)
        for name, spec in exercise.spec.checks.items()
    ]
    return ExerciseResult(
        exercise=exercise.slug, title=exercise.spec.title, status=status, score=0.0,
        max_score=exercise.max_score, message="", message_ref=message, checks=checks,
        pack_version=exercise.version(),
    )


def weigh(result: ExerciseResult, points: float) -> ExerciseResult:
    """An assignment's weight (assignment.py): the exercise is worth `points`, not its pack's own.

    Its score becomes score * points / max_score, and each check's score and points likewise, each
    rounded to 0.01 (so the checks' scaled points may add up to `points` give or take 0.01; the
    exercise's score is scaled from its own, not summed). An infrastructure error's null stays null.
    `scaled_from` keeps the pack's own points, for the report. Applied once, when a submission is
    graded: every output (report, grades.csv, results.json, dashboard) reads the scaled numbers."""
    if not result.max_score or points == result.max_score:
        return result
    factor = points / result.max_score
    if result.score is not None:
        result.score = round(result.score * factor, 2)
    result.scaled_from = result.max_score
    result.max_score = points
    for check in result.checks:
        check.score = round(check.score * factor, 2)
        check.max_score = round(check.max_score * factor, 2)
    return result
