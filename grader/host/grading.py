"""The grader's API: grade one student's submission folder. The CLI is a thin layer over this.

Every exercise ends as a result, whatever the submission does; a broken pack is the only thing
that raises (PackError), because that is the teacher's to fix before grading anyone.
"""

from __future__ import annotations

import logging
import traceback
from pathlib import Path

from . import advice, judge_order, packs, reports, sandboxes, screen
from . import intake as intake_mod
from .assignment import Assignment, Plan, plan, select
from .config import load_config
from .judge_report import CheckVerdict, check_verdicts
from .localize import localize
from .results import CheckStatus, ExerciseResult, ExerciseStatus, StudentResult, StudentStatus
from .sandboxes.base import InfrastructureError, JudgeJob, SandboxOutcome, SandboxRun
from .scoring import exercise_result, not_graded, weigh

log = logging.getLogger(__name__)


def grade_submission(
    *,
    submission: Path,
    student: str,
    out_dir: Path | None = None,
    sandbox: str | object = "auto",
    exercises: list[str] | None = None,
    exercises_root: Path | None = None,
    lang: str = "en",
    config: Path | None = None,
    assignment: Assignment | None = None,
) -> StudentResult:
    """Grade `submission` for every exercise, or those named (`exercises`, each once), or an
    assignment's (scaled to its points); write reports under out_dir/student."""
    chosen_plan = plan(exercises_root, assignment, exercises)
    chosen = chosen_plan.exercises
    settings = load_config(config)
    box = sandboxes.choose(sandbox, settings)
    taken = intake_mod.take(Path(submission), chosen)
    settled = {ex.slug: r for ex in chosen if (r := settle_before_judging(ex, taken)) is not None}
    jobs = [JudgeJob(ex, taken.accepted[ex.slug]) for ex in chosen if ex.slug not in settled]
    jobs = judge_order.TIMES.longest_first(jobs)  # two lanes end together (results keep the plan's order)
    run = run_sandbox(box, jobs)
    judge_order.TIMES.note(jobs, run.runs)
    results = [settled.get(ex.slug) or judged(ex, run) for ex in chosen]
    for ex, r in zip(chosen, results):
        r.source = taken.taken_from.get(ex.slug, "")
        r.warnings = list(taken.warnings.get(ex.slug, []))  # read as GB18030, other versions not graded
        if ex.slug in taken.accepted:
            r.warnings += advice.warnings(taken.accepted[ex.slug])
            r.review = screen.findings(taken.accepted[ex.slug])  # for the teacher: costs no points
            r.warnings += screen.warnings(r.review)
        left_out = ex.spec.left_out
        if left_out is not None and left_out.checks:  # a handout's self-check: the grade has more
            r.warnings.append({"id": "handout_left_out", "params": {"checks": left_out.checks,
                                                                    "points": f"{left_out.points:g}"}})
        weigh(r, chosen_plan.points[ex.slug])
    infra = run.outcome is SandboxOutcome.INFRASTRUCTURE_ERROR
    result = StudentResult(
        student=student,
        # None only when infra; to 0.01, as an assignment's weights scale each exercise (scoring.weigh)
        score=None if infra else round(sum(r.score for r in results if r.score is not None), 2),
        max_score=round(sum(r.max_score for r in results), 2),
        sandbox=box.name,
        sandbox_note="",
        sandbox_note_ref=sandbox_note(box, run),
        exercises=results,
        status=StudentStatus.INFRASTRUCTURE_ERROR if infra else StudentStatus.GRADED,
        sandbox_outcome=run.outcome.value,
        sandbox_message_ref=run.message or None,
        forks_refused=sum(judge_run.forks_refused for judge_run in run.runs.values()),
        ignored_files=taken.ignored,
        refused_files=[{"file": message["params"]["file"], "exercise": slug, "message": "", "message_ref": message}
                       for slug, message in taken.refused.items()],
        assignment=chosen_plan.title,
        not_assigned=not_assigned(taken.ignored, chosen_plan),
    )
    localize(result, lang, {ex.slug: ex for ex in chosen})
    if out_dir is not None:
        reports.write(result, Path(out_dir) / reports.safe_dirname(student),
                      exercises={ex.slug: ex for ex in chosen}, hidden_details=settings.hidden_details)
    return result


def sandbox_note(box, run: SandboxRun) -> dict | None:
    """What the sandbox means for trust; nothing for one that isolates. The local sandbox's says
    whether bubblewrap isolated the student's code: as it ran, or as it would have (nothing ran)."""
    if box.isolated:
        return None
    isolation = run.isolation or getattr(box, "isolation", lambda: "none")()
    return {"id": "local_bwrap_sandbox_note" if isolation == "bubblewrap" else "local_sandbox_note"}


def select_exercises(exercises_root: Path | None, slugs: list[str] | None) -> list[packs.Exercise]:
    """Every pack, or those named, in the order named, each once (AssignmentError: an unknown name)."""
    available = packs.load_all(packs.default_root(exercises_root))
    return select(available, slugs) if slugs else available


def not_assigned(ignored: list[str], chosen: Plan) -> list[str]:
    """The ignored files that are the file of an exercise the assignment does not have."""
    files = [ex.student_file for ex in chosen.others]
    return [path for path in ignored
            if any(intake_mod.version_of(path.rpartition("/")[2], f) is not None for f in files)]


def settle_before_judging(exercise: packs.Exercise, taken: intake_mod.Intake) -> ExerciseResult | None:
    """The result of an exercise that never reaches the judge (missing, refused, syntax error), else None."""
    if exercise.slug in taken.missing:
        near = taken.near.get(exercise.slug)
        message = ({"id": "missing_near", "params": {"file": exercise.student_file, "found": near}} if near
                   else {"id": "missing", "params": {"file": exercise.student_file}})
        result = not_graded(exercise, ExerciseStatus.MISSING, message, CheckStatus.FAILED)
        result.near = near or ""
        return result
    if exercise.slug in taken.refused:
        message = taken.refused[exercise.slug]
        return not_graded(exercise, ExerciseStatus.ERROR, message, CheckStatus.ERROR, message)
    syntax = intake_mod.precheck(taken.accepted[exercise.slug], exercise.student_file)
    if syntax is not None:
        return not_graded(exercise, ExerciseStatus.ERROR, syntax, CheckStatus.ERROR, syntax)
    return None


def run_sandbox(box, jobs: list[JudgeJob]) -> SandboxRun:
    """Whatever goes wrong on our side becomes an infrastructure error, never the student's failure."""
    if not jobs:
        return SandboxRun()
    try:
        return box.run(jobs)
    except InfrastructureError as exc:
        log.error("the %s sandbox could not run: %s", box.name, exc)
        return SandboxRun(outcome=SandboxOutcome.INFRASTRUCTURE_ERROR, message=exc.message)
    except Exception:  # noqa: BLE001 - a bug of ours must not read as the student's failure
        log.error("the %s sandbox failed inside the grader:\n%s", box.name, traceback.format_exc())
        return SandboxRun(outcome=SandboxOutcome.INFRASTRUCTURE_ERROR, message={"id": "infra_internal"})


# A job the sandbox brought no judge run back for: what every check of it gets.
MISSING_RUN_STATUS = {
    SandboxOutcome.TIMEOUT: "timeout",
    SandboxOutcome.MEMORY_LIMIT: "crash",
    SandboxOutcome.OUTPUT_LIMIT: "crash",
    SandboxOutcome.CRASHED: "crash",
    SandboxOutcome.OK: "error",
}


def infrastructure_exercise(exercise: packs.Exercise, message: dict) -> ExerciseResult:
    """Not graded because of the grader, not the student: status infrastructure_error, score null."""
    result = not_graded(exercise, ExerciseStatus.INFRASTRUCTURE_ERROR, message, CheckStatus.ERROR, message)
    result.score = None
    return result


def ungraded_submission(*, student: str, exercises: list[packs.Exercise], status: StudentStatus, message: dict,
                        sandbox: str, lang: str = "en", chosen: Plan | None = None) -> StudentResult:
    """A whole submission the judge never saw: refused (`error`, 0 points, the student's to fix) or
    failed inside the grader (`infrastructure_error`, score null, to be graded again). `chosen`:
    the assignment it was for (its points and title)."""
    infra = status is StudentStatus.INFRASTRUCTURE_ERROR
    results = [infrastructure_exercise(ex, message) if infra
               else not_graded(ex, ExerciseStatus.ERROR, message, CheckStatus.ERROR, message) for ex in exercises]
    if chosen is not None:
        for r in results:
            weigh(r, chosen.points.get(r.exercise, r.max_score))
    result = StudentResult(student=student, score=None if infra else 0.0,
                           max_score=sum(r.max_score for r in results), sandbox=sandbox, sandbox_note="",
                           exercises=results, status=status,
                           sandbox_outcome=(SandboxOutcome.INFRASTRUCTURE_ERROR if infra else SandboxOutcome.OK).value,
                           sandbox_message_ref=message, assignment=chosen.title if chosen is not None else "")
    return localize(result, lang, {ex.slug: ex for ex in exercises})


def judged(exercise: packs.Exercise, run: SandboxRun) -> ExerciseResult:
    if run.outcome is SandboxOutcome.INFRASTRUCTURE_ERROR:
        return infrastructure_exercise(exercise, run.message)
    judge_run = run.runs.get(exercise.slug)
    names = list(exercise.spec.checks)
    if judge_run is None:
        message = run.missing_message or {"id": "judge_no_report", "params": {"code": None}}
        verdicts = {name: CheckVerdict(MISSING_RUN_STATUS[run.outcome], message) for name in names}
    else:
        verdicts = check_verdicts(judge_run, names)
        if any(v.message.get("id", "").startswith("judge_") for v in verdicts.values()):
            # For the teacher's eyes only (it may quote hidden tests): never in a student's report.
            log.warning("the judge for %s did not finish cleanly (exit code %s); its output:\n%s",
                        exercise.slug, judge_run.exit_code, judge_run.log[-4000:])
    return exercise_result(exercise, verdicts)
