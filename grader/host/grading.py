"""The grader's API: grade one student's submission folder. The CLI is a thin layer over this.

Every exercise ends as a result, whatever the submission does; a broken pack is the only thing
that raises (PackError), because that is the teacher's to fix before grading anyone.
"""

from __future__ import annotations

import logging
import traceback
from pathlib import Path

from . import intake as intake_mod
from . import packs, reports, sandboxes
from .judge_report import check_verdicts
from .messages import render, text
from .results import CheckStatus, ExerciseResult, ExerciseStatus, StudentResult
from .scoring import exercise_result, not_graded

log = logging.getLogger(__name__)


def grade_submission(
    *,
    submission: Path,
    student: str,
    out_dir: Path | None = None,
    sandbox: str = "local",
    exercises: list[str] | None = None,
    exercises_root: Path | None = None,
    lang: str = "en",
) -> StudentResult:
    """Grade `submission` for every exercise (or those named), write reports under out_dir/student."""
    chosen = select_exercises(exercises_root, exercises)
    box = sandboxes.choose(sandbox)
    taken = intake_mod.take(Path(submission), chosen)
    results = [grade_one(ex, taken, box, lang) for ex in chosen]
    result = StudentResult(
        student=student,
        score=sum(r.score for r in results),
        max_score=sum(r.max_score for r in results),
        sandbox=box.name,
        sandbox_note="" if box.isolated else text("local_sandbox_note", lang),
        exercises=results,
        ignored_files=taken.ignored,
        refused_files=[{"file": message["params"]["file"], "exercise": slug, "message": render(message, lang)}
                       for slug, message in taken.refused.items()],
    )
    if out_dir is not None:
        reports.write(result, Path(out_dir) / reports.safe_dirname(student), lang)
    return result


def select_exercises(exercises_root: Path | None, slugs: list[str] | None) -> list[packs.Exercise]:
    available = packs.load_all(exercises_root or packs.project_root() / "exercises")
    if not slugs:
        return available
    by_slug = {ex.slug: ex for ex in available}
    unknown = [s for s in slugs if s not in by_slug]
    if unknown:
        raise packs.PackError(f"unknown exercise {', '.join(unknown)}; known: {', '.join(by_slug)}")
    return [by_slug[s] for s in slugs]


def grade_one(exercise: packs.Exercise, taken: intake_mod.Intake, box, lang: str) -> ExerciseResult:
    if exercise.slug in taken.missing:
        message = text("missing", lang, file=exercise.student_file)
        return not_graded(exercise, ExerciseStatus.MISSING, message, CheckStatus.FAILED)
    if exercise.slug in taken.refused:
        message = render(taken.refused[exercise.slug], lang)
        return not_graded(exercise, ExerciseStatus.ERROR, message, CheckStatus.ERROR, message)
    content = taken.accepted[exercise.slug]
    syntax = intake_mod.precheck(content, exercise.student_file)
    if syntax is not None:
        message = render(syntax, lang)
        return not_graded(exercise, ExerciseStatus.ERROR, message, CheckStatus.ERROR, message)
    try:
        run = box.run_judge(exercise, content)
        verdicts = check_verdicts(run, list(exercise.spec.checks))
        if any(v.message.get("id", "").startswith("judge_") for v in verdicts.values()):
            # For the teacher's eyes only (it may quote hidden tests): never in a student's report.
            log.warning("the judge for %s did not finish cleanly (exit code %s); its output:\n%s",
                        exercise.slug, run.exit_code, run.log[-4000:])
        return exercise_result(exercise, verdicts, lang)
    except Exception:  # noqa: BLE001 - one failure of ours must not sink the other exercises
        log.error("grading %s failed inside the grader:\n%s", exercise.slug, traceback.format_exc())
        message = text("judge_error", lang)
        return not_graded(exercise, ExerciseStatus.ERROR, message, CheckStatus.ERROR, message)
