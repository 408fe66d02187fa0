"""Build an exercise's result from its check verdicts (pure functions).

Points come only from checks the exercise lists and the judge saw pass. When every check failed
while the student's file was being imported, the exercise is an error with that one reason.
"""

from __future__ import annotations

from .judge_report import CheckVerdict
from .messages import render, text
from .packs import Exercise, Visibility
from .results import CheckResult, CheckStatus, ExerciseResult, ExerciseStatus

DETAIL_KEYS = ("threads", "stack", "output", "output_truncated", "output_bytes", "details", "phase",
               "interleaving", "exploration")


def check_result(name: str, exercise: Exercise, verdict: CheckVerdict, lang: str = "en") -> CheckResult:
    spec = exercise.spec.checks[name]
    status = CheckStatus(verdict.status)
    passed = status is CheckStatus.PASSED
    if spec.visibility is Visibility.HIDDEN:
        # Only the name, the outcome and the author's hint: no judge text, no details.
        message = "" if passed else (spec.hint or text("hidden_failed", lang))
        details: dict = {}
    else:
        message = render(verdict.message, lang)
        details = {k: verdict.verdict[k] for k in DETAIL_KEYS if k in verdict.verdict}
    return CheckResult(
        name=name, status=status, score=spec.points if passed else 0.0, max_score=spec.points,
        message=message, description=spec.description, visibility=spec.visibility.value, details=details,
    )


def exercise_result(exercise: Exercise, verdicts: dict[str, CheckVerdict], lang: str = "en") -> ExerciseResult:
    checks = [check_result(name, exercise, verdicts[name], lang) for name in exercise.spec.checks]
    score = sum(c.score for c in checks)
    status = ExerciseStatus.PASSED if score == exercise.max_score else ExerciseStatus.FAILED
    message = ""
    details: dict = {}
    import_failures = [v for v in verdicts.values() if v.verdict.get("phase") in ("import", "start")]
    if score == 0 and len(import_failures) == len(verdicts):
        # One cause for every check: say it once, with its lines, at the exercise.
        status = ExerciseStatus.ERROR
        first = import_failures[0]
        message = text("import_failed_summary", lang, reason=render(first.message, lang))
        details = {k: first.verdict[k] for k in DETAIL_KEYS if k in first.verdict}
        for c in checks:
            c.details = {}
    elif score == 0 and all(v.message.get("id", "").startswith("judge_") for v in verdicts.values()):
        status = ExerciseStatus.ERROR
        message = render(next(iter(verdicts.values())).message, lang)
    return ExerciseResult(
        exercise=exercise.slug, title=exercise.spec.title, status=status, score=score,
        max_score=exercise.max_score, message=message, checks=checks, pack_version=exercise.version(),
        details=details,
    )


def not_graded(exercise: Exercise, status: ExerciseStatus, message: str, check_status: CheckStatus,
               check_message: str = "") -> ExerciseResult:
    """An exercise that never reached the judge: missing file, syntax error, refused file."""
    checks = [
        CheckResult(name=name, status=check_status, score=0.0, max_score=spec.points,
                    message=check_message, description=spec.description, visibility=spec.visibility.value)
        for name, spec in exercise.spec.checks.items()
    ]
    return ExerciseResult(
        exercise=exercise.slug, title=exercise.spec.title, status=status, score=0.0,
        max_score=exercise.max_score, message=message, checks=checks, pack_version=exercise.version(),
    )
