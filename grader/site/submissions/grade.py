"""Grade one claimed submission with grader.host.grading.grade_submission, as the CLI and batch do.

The files are copied from the store into a scratch folder; the course's points for the exercise
weigh the score (an assignment of one), the late penalty is applied on top, and the result is
recorded only if this claim still holds the row (queue.record). An infrastructure failure (no
sandbox, the judge's own crash, an exception here) is retried by the queue, never a 0.
"""

from __future__ import annotations

import logging
import tempfile
import threading
import time
import traceback
from pathlib import Path

from django.conf import settings

from grader.host.assignment import AssignedExercise, Assignment
from grader.host.grading import grade_submission
from grader.host.results import StudentStatus

from . import queue, storage
from .models import Submission

log = logging.getLogger(__name__)


def run(submission: Submission) -> str:
    """Grade a claimed submission; returns what became of it: graded, retry or lost (lease)."""
    beating = _Heartbeat(submission)
    beating.start()
    started = time.monotonic()
    try:
        result = _grade(submission)
    except Exception:  # noqa: BLE001 - whatever fails on our side is retried, never the student's 0
        beating.stop()
        error = traceback.format_exc()
        log.warning("submission %s: grading failed\n%s", submission.pk, error)
        return "retry" if queue.retry(submission, error) else "lost"
    beating.stop()
    seconds = time.monotonic() - started
    if result.status is StudentStatus.INFRASTRUCTURE_ERROR:
        error = f"{result.sandbox_outcome}: {result.sandbox_message or result.sandbox_message_ref}"
        return "retry" if queue.retry(submission, error) else "lost"
    factor = submission.exercise.penalty_factor(submission.received_at, submission.student) \
        if submission.days_late else 1.0
    score = None if result.score is None else round(result.score * factor, 2)
    recorded = queue.record(submission, result=result.to_dict(), score=score, max_score=result.max_score,
                            seconds=seconds)
    return "graded" if recorded else "lost"


def _grade(submission: Submission):
    if submission.batch is not None:  # one student of a teacher's batch: the batch says what and how
        chosen = submission.batch.assignment  # None: every pack, as a local batch without one
        assignment = Assignment.model_validate(chosen) if chosen is not None else None
        student, lang = submission.batch_student, submission.batch.lang
    else:
        course_exercise = submission.exercise
        assignment = Assignment(exercises=[AssignedExercise(slug=course_exercise.slug,
                                                            points=course_exercise.points)])
        student, lang = submission.student.person.name, submission.student.person.lang
    with tempfile.TemporaryDirectory(prefix=f"submission-{submission.pk}-") as folder:
        for f in submission.files.all():
            _write_inside(Path(folder), f.name, storage.get(f.sha256))
        return grade_submission(submission=Path(folder), student=student, sandbox=settings.SANDBOX,
                                exercises_root=Path(settings.EXERCISES) if settings.EXERCISES else None,
                                lang=lang, assignment=assignment,
                                config=Path(settings.CONFIG) if settings.CONFIG else None)


def _write_inside(folder: Path, name: str, content: bytes) -> None:
    """A stored file back in the scratch folder; a batch's keep their folders (a/b/c.py). A name that
    would land outside (absolute, ..) is a row nobody of ours wrote: refuse it (retried, then alerted)."""
    target = (folder / name).resolve()
    if not target.is_relative_to(folder.resolve()) or target == folder.resolve():
        raise ValueError(f"a stored file's name leaves the submission's folder: {name!r}")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)


class _Heartbeat(threading.Thread):
    """Extends the claim's lease while grading: a worker killed mid-grading stops extending it."""

    def __init__(self, submission: Submission):
        super().__init__(daemon=True, name=f"heartbeat-{submission.pk}")
        self.submission = submission
        self._stop_event = threading.Event()

    def run(self) -> None:
        from django.db import connection

        try:
            while not self._stop_event.wait(settings.LEASE_SECONDS / 3):
                try:
                    queue.heartbeat(self.submission)
                except Exception:  # the database away a moment: beat again next time
                    log.warning("submission %s: heartbeat failed; trying again", self.submission.pk, exc_info=True)
                    connection.close()
        finally:
            connection.close()

    def stop(self) -> None:
        self._stop_event.set()
        self.join()
