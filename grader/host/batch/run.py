"""Grade a whole class: parallel workers, resumable, and one bad submission never sinks the batch.

    grade_class(submissions=Path("class.zip"), out_dir=Path("graded"), workers=2)

Each student's result is keyed by a hash of what they submitted, the exercise packs' versions, the
assignment's exercises and points, and the sandbox. A student whose report.json already carries that
key (and is not an infrastructure error) is skipped, so a rerun after Ctrl-C, a crash or `kill -9`
grades only the rest. report.json is written last and atomically: it exists complete, or not at all.

With `elsewhere` (an `Elsewhere`: the course site's workers, `grader batch --via`), each student is
graded there instead of in a local sandbox; everything else (intake, keys, outputs, resuming) is the same.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Protocol

from .. import intake as intake_mod
from .. import packs
from ..assignment import Assignment, Plan, plan
from ..config import load_config
from ..grading import grade_submission, ungraded_submission
from ..localize import render_key
from ..messages import MessageError
from ..results import StudentResult, StudentStatus
from ..sandboxes import choose
from . import gradebook, outputs
from .neighbours import Span, beside_a_storm
from .roster import ClassInputError, Submission, discover

log = logging.getLogger(__name__)
JOURNAL = "batch.json"


class Elsewhere(Protocol):
    """Grades one student's folder on other hosts (grader.site.submissions.batch: the course site's
    workers). `name` is what the reports say graded them, and part of every student's key."""

    name: str
    in_flight: int  # students sent at once: each one waits in a thread of its own

    def grade(self, *, folder: Path, student: str, key: str, lang: str,
              assignment: Assignment | None) -> StudentResult: ...

    def stop(self) -> None:
        """Ctrl-C: every grade() still waiting raises at once; what was sent is graded anyway."""


@dataclass
class Entry:
    """One student in the batch journal (DIR/batch.json) and the dashboard."""

    student: str
    folder: str  # under DIR
    source: str
    key: str
    status: str  # graded, error, infrastructure_error
    score: float | None
    max_score: float
    sandbox: str
    skipped: bool = False  # unchanged since an earlier run: not graded again
    rerendered: bool = False  # skipped, and its report written again (another language or templates)
    rendered_with: str = ""  # the render key its report was written with (localize.render_key)
    hidden_details: str = ""  # what its report.html showed of hidden checks (hidden.py)
    seconds: float = 0.0
    graded_again: bool = False  # it ran beside a fork bomb: this is its second grading, alone of those
    exercises: dict = field(default_factory=dict)  # slug -> score (None: not graded)
    lms_id: str = ""  # the LMS's number for the student, when its download named them (roster.lms_id)
    flags: dict = field(default_factory=dict)  # slug -> "tampered" or "review" (gradebook.flag), for the teacher


@dataclass
class BatchResult:
    out_dir: Path
    entries: list[Entry]
    ignored: list[str]
    interrupted: bool = False
    plan: Plan | None = None  # what was graded: the assignment's exercises and points, or every pack

    @property
    def graded(self) -> int:
        return sum(1 for e in self.entries if not e.skipped)

    @property
    def skipped(self) -> int:
        return sum(1 for e in self.entries if e.skipped)


def grade_class(
    *,
    submissions: Path,
    out_dir: Path,
    sandbox: str = "auto",
    workers: int | None = None,
    force: bool = False,
    lang: str = "en",
    config: Path | None = None,
    exercises_root: Path | None = None,
    assignment: Assignment | None = None,
    exercises: list[str] | None = None,
    elsewhere: Elsewhere | None = None,
    on_start: Callable[[int], None] = lambda total: None,
    on_done: Callable[[Entry], None] = lambda entry: None,
    on_again: Callable[[int], None] = lambda count: None,
) -> BatchResult:
    """Grade every student in `submissions` for an assignment (or the `exercises` named, or every
    pack); reports, dashboard and exports go to `out_dir`."""
    out_dir = Path(out_dir)
    if Path(submissions).is_dir() and out_dir.resolve().is_relative_to(Path(submissions).resolve()):
        raise ClassInputError("class_out_inside", out=str(out_dir), path=str(submissions))
    chosen = plan(exercises_root, assignment, exercises)  # AssignmentError before anything is written
    if chosen.assigned and assignment is None:
        assignment = Assignment.of(chosen.slugs)
    graded = chosen.exercises
    by_slug = {ex.slug: ex for ex in [*graded, *chosen.others]}
    settings = load_config(config)
    if elsewhere is not None:
        box_name = elsewhere.name
        workers = max(1, workers or elsewhere.in_flight)
    else:
        probe = choose(sandbox, settings)
        if probe.name == "docker":
            probe.image()  # build or find it once, before the workers start; InfrastructureError stops here
        box_name = probe.name
        workers = max(1, workers or os.cpu_count() or 1)
    stopping = threading.Event()
    local = threading.local()

    def sandbox_of_this_worker():
        if not hasattr(local, "box"):
            local.box = choose(box_name, settings)
        return local.box

    with tempfile.TemporaryDirectory(prefix="grader-batch-") as staging:
        roster = discover(Path(submissions), Path(staging), [ex.student_file for ex in by_slug.values()])
        out_dir.mkdir(parents=True, exist_ok=True)  # once the class could be read: a refused one leaves nothing
        on_start(len(roster.submissions))
        entries: dict[str, Entry] = {}
        todo = []
        for sub in roster.submissions:
            try:
                key = submission_key(sub, graded, box_name, chosen)
            except OSError:  # unreadable files: grade anyway (the result says what happened), never skip
                key = ""
            previous, title = (None, "") if force else _finished_entry(out_dir, sub, key)
            if previous is not None:
                if previous.rendered_with != render_key(lang) or title != chosen.title \
                        or previous.hidden_details != settings.hidden_details:
                    # Rendering is not grading: a new language, new templates, the assignment's new
                    # title or another `hidden_details` write the files again from report.json, and
                    # nothing is judged again.
                    outputs.rerender_student(out_dir / sub.out_name, lang, by_slug, chosen.title,
                                             hidden_details=settings.hidden_details)
                    previous.rerendered = True
                entries[sub.out_name] = previous
                on_done(previous)
            else:
                todo.append((sub, key))

        spans: dict[str, Span] = {}
        keyless: set[str] = set()  # written beside a fork bomb: their report waits to be redone
        settling = threading.Lock()  # one report at a time is checked against the storms known

        def grade(sub: Submission, key: str) -> Entry | None:
            started = time.perf_counter()
            try:
                if sub.refused is not None:
                    result = ungraded_submission(student=sub.student, exercises=graded, status=StudentStatus.ERROR,
                                                 message=sub.refused, sandbox=box_name, lang=lang, chosen=chosen)
                elif elsewhere is not None:
                    assert sub.folder is not None  # only a refused submission has no folder (roster.py)
                    result = elsewhere.grade(folder=sub.folder, student=sub.student, key=key, lang=lang,
                                             assignment=assignment)
                else:
                    assert sub.folder is not None
                    result = grade_submission(submission=sub.folder, student=sub.student,
                                              sandbox=sandbox_of_this_worker(), exercises_root=exercises_root,
                                              lang=lang, assignment=assignment)
            except Exception as exc:  # noqa: BLE001 - one student's trouble (or our bug) never sinks the batch
                if stopping.is_set():
                    return None  # Ctrl-C ended the wait (Elsewhere.stop), not the grading
                if isinstance(exc, MessageError):  # a failure we can name (the cluster's): said in the report
                    log.error("%s was not graded: %s", sub.student, exc)
                    message = exc.message
                else:
                    log.error("grading %s failed inside the grader:\n%s", sub.student, traceback.format_exc())
                    message = {"id": "infra_internal"}
                result = ungraded_submission(student=sub.student, exercises=graded,
                                             status=StudentStatus.INFRASTRUCTURE_ERROR,
                                             message=message, sandbox=box_name, lang=lang, chosen=chosen)
            result.submission_key = key
            seconds = time.perf_counter() - started
            if stopping.is_set():
                return None  # interrupted mid-way: not written, so the rerun grades it
            with settling:
                outputs.write_student(out_dir / sub.out_name, result, seconds, exercises=by_slug,
                                      hidden_details=settings.hidden_details)
                keyless.discard(sub.out_name)
                if elsewhere is not None:  # graded on other hosts: a storm there is their own worker's business
                    return entry_for(sub, result, seconds)
                spans[sub.out_name] = Span(sub.out_name, started, started + seconds, storm=result.forks_refused > 0)
                # A report beside a storm loses its key as soon as both are known (whichever ends
                # last), not after the pass: a rerun after Ctrl-C or kill -9 grades them again.
                for name in set(beside_a_storm(list(spans.values()))) - keyless:
                    outputs.forget_key(out_dir / name)
                    keyless.add(name)
            return entry_for(sub, result, seconds)

        def grade_all(pool: ThreadPoolExecutor, subs: list[tuple[Submission, str]], again: bool) -> None:
            futures = {pool.submit(grade, sub, key): sub for sub, key in subs}
            for future in as_completed(futures):
                entry = future.result()
                if entry is not None:
                    entry.graded_again = again
                    entries[entry.folder] = entry
                    outputs.write_journal(_result(roster, entries, out_dir, True, chosen))
                    on_done(entry)

        interrupted = False
        pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="grader-worker")
        try:
            grade_all(pool, todo, again=False)
            again = set(beside_a_storm(list(spans.values())))
            if again:
                log.warning("graded again, having run beside a fork bomb: %s",
                            ", ".join(sub.student for sub, _ in todo if sub.out_name in again))
                on_again(len(again))
                grade_all(pool, [(sub, key) for sub, key in todo if sub.out_name in again], again=True)
        except KeyboardInterrupt:
            interrupted = True
            stopping.set()
            pool.shutdown(wait=False, cancel_futures=True)
            if elsewhere is not None:
                elsewhere.stop()
            else:
                stop_running_sandboxes()
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        result = _result(roster, entries, out_dir, interrupted, chosen)
        outputs.write_class(result, graded, lang)
        return result


def _result(roster, entries: dict, out_dir: Path, interrupted: bool, chosen: Plan) -> BatchResult:
    ordered = [entries[s.out_name] for s in roster.submissions if s.out_name in entries]
    return BatchResult(out_dir, ordered, roster.ignored, interrupted, chosen)


def submission_key(sub: Submission, exercises: list[packs.Exercise], sandbox: str, chosen: Plan | None = None) -> str:
    """What decides a student's grade: their files as the grader takes them, the packs, the
    assignment's exercises and points (another assignment grades again), the sandbox."""
    digest = hashlib.sha256(f"sandbox={sandbox}\n".encode())
    for ex in exercises:
        digest.update(f"{ex.slug}={ex.version()}\n".encode())
    if chosen is not None:
        digest.update(chosen.key().encode())
    if sub.refused is not None:
        assert sub.archive is not None  # only an archive is refused (roster.py)
        digest.update(b"refused\n" + hashlib.sha256(sub.archive.read_bytes()).digest())
        return digest.hexdigest()[:32]
    assert sub.folder is not None  # only a refused submission has no folder
    taken = intake_mod.take(sub.folder, exercises)
    for slug in sorted(taken.accepted):
        digest.update(f"{slug}:".encode() + hashlib.sha256(taken.accepted[slug]).digest())
    for slug in sorted(taken.refused):
        digest.update(f"{slug}:refused:{json.dumps(taken.refused[slug], sort_keys=True)}".encode())
    digest.update(("missing:" + ",".join(sorted(taken.missing))).encode())
    return digest.hexdigest()[:32]


def _finished_entry(out_dir: Path, sub: Submission, key: str) -> tuple[Entry | None, str]:
    """The entry of a student whose finished report has this key (None means: grade them), and the
    title of the assignment the report names."""
    try:
        data = json.loads((out_dir / sub.out_name / "report.json").read_text(encoding="utf-8"))
        # No key: files we could not read, or a grade waiting to be redone (beside a fork bomb).
        if not key or data.get("submission_key") != key \
                or data.get("status") == StudentStatus.INFRASTRUCTURE_ERROR.value:
            return None, ""
        return Entry(student=sub.student, folder=sub.out_name, source=sub.source, key=key, status=data["status"],
                     score=data["score"], max_score=data["max_score"], sandbox=data["sandbox"], skipped=True,
                     exercises={e["exercise"]: e["score"] for e in data["exercises"]},
                     flags=gradebook.flags(data["exercises"]),
                     rendered_with=data.get("rendered_with", ""), hidden_details=data.get("hidden_details", ""),
                     lms_id=sub.lms_id), data.get("assignment", "")
    except (OSError, ValueError, KeyError, TypeError):  # missing or damaged: grade again
        return None, ""


def entry_for(sub: Submission, result: StudentResult, seconds: float) -> Entry:
    return Entry(student=sub.student, folder=sub.out_name, source=sub.source, key=result.submission_key,
                 status=result.status.value, score=result.score, max_score=result.max_score,
                 sandbox=result.sandbox, seconds=round(seconds, 3),
                 exercises={e.exercise: e.score for e in result.exercises}, rendered_with=result.rendered_with,
                 lms_id=sub.lms_id,
                 flags=gradebook.flags([{"status": e.status.value, "review": e.review, "exercise": e.exercise}
                                        for e in result.exercises]))


def stop_running_sandboxes() -> None:
    """Ctrl-C: kill what is running now; the workers then finish without writing anything."""
    from ...harness.judge.launch import kill_running

    kill_running()
    try:
        from ..sandboxes.container import remove_own_containers

        remove_own_containers()
    except Exception as exc:  # noqa: BLE001 - no engine at all is fine here
        log.debug("no containers to remove: %s", exc)


def journal_data(result: BatchResult) -> dict:
    chosen = result.plan
    data: dict = {"schema": 1, "finished": not result.interrupted, "ignored": result.ignored,
                  "students": [asdict(e) for e in result.entries]}
    if chosen is not None:  # what was graded, each exercise with the points it was out of
        data["assignment"] = chosen.summary()
        data["exercises"] = [{"slug": s, "max_score": chosen.points[s]} for s in chosen.slugs]
    return data
