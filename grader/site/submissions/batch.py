"""A teacher's batch graded by the course site's workers: `grader batch CLASS --out DIR --via redis://...
--db postgres://...` (docs/batch.md, "On the course site's workers").

grader.host.batch.run.grade_class does everything it does for a local batch (the class's intake, each
student's key, the outputs, resuming); `ClusterGrading` is its `Elsewhere`. Each student's folder is
stored as one row of priority BATCH (below students' live submissions and regrades) with its files
(their folders kept), and the workers grade it as they grade the site's own submissions: the row is
the source of truth, so a broker that loses the message loses nothing (the workers' sweep re-enqueues).

One thread polls every waiting row at once; each student's thread only waits for its row. A batch
stopped and run again finds each student's row by its key (the same files, packs and points) and
language, graded or still waiting, and sends nothing twice. A grade made with other packs than the
batch's own (the workers' checkout differs) is not used: the student's report says so.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future
from pathlib import Path

from django.db import connection, transaction

from grader.host.assignment import Assignment
from grader.host.messages import MessageError
from grader.host.results import StudentResult

from . import storage, tasks
from .models import Batch, Submission, SubmittedFile

log = logging.getLogger(__name__)
S = Submission.State
FINISHED = (S.GRADED, S.NOT_GRADED, S.SUPERSEDED)


class Stopped(Exception):
    """The batch was interrupted while this student waited (their row is graded anyway)."""


class ClusterGrading:
    """Sends students to the workers and waits for their grades (grade_class's Elsewhere)."""

    name = "cluster"

    def __init__(self, *, versions: dict[str, str], title: str = "", in_flight: int = 200,
                 poll_seconds: float = 0.5, storing_at_once: int = 4):
        self.in_flight = in_flight
        self._versions = versions  # slug -> this batch's pack version (packs.Exercise.version)
        self._title = title
        self._poll_seconds = poll_seconds
        self._storing = threading.BoundedSemaphore(storing_at_once)  # database connections, not threads
        self._lock = threading.Lock()
        self._waiting: dict[int, Future] = {}
        self._batches: dict[tuple[str, str], int] = {}
        self._stopped = threading.Event()
        self._poller: threading.Thread | None = None

    def grade(self, *, folder: Path, student: str, key: str, lang: str,
              assignment: Assignment | None) -> StudentResult:
        with self._storing:
            try:
                pk = self._earlier(key, student, lang) or self._send(folder, student, key, lang, assignment)
            finally:
                connection.close()  # this thread now only waits: it holds no connection meanwhile
        row = self._wait_for(pk)
        if row["state"] != S.GRADED:
            raise MessageError("infra_cluster_not_graded", error=(row["error"] or row["state"])[-300:])
        result = StudentResult.from_dict(row["result"])
        self._check_packs(result)
        return result

    def stop(self) -> None:
        self._stopped.set()
        with self._lock:
            waiting, self._waiting = self._waiting, {}
        for future in waiting.values():
            future.set_exception(Stopped())

    # -- sending ---------------------------------------------------------------------------------

    def _earlier(self, key: str, student: str, lang: str) -> int | None:
        """The row an earlier run sent for the same key, student and language, unless it could not
        be graded or was graded with other packs: then the student is sent again."""
        if not key:  # files we could not read: always graded afresh, as locally
            return None
        row = (Submission.objects.filter(batch__isnull=False, batch_key=key, batch_student=student,
                                         batch__lang=lang, state__in=[S.QUEUED, S.RUNNING, S.GRADED])
               .order_by("-id").values("pk", "state", "result").first())
        if row is None:
            return None
        if row["state"] == S.GRADED:
            try:
                self._check_packs(StudentResult.from_dict(row["result"]))
            except MessageError:
                return None
        return row["pk"]

    def _send(self, folder: Path, student: str, key: str, lang: str, assignment: Assignment | None) -> int:
        files = [(path.relative_to(folder).as_posix(), path.read_bytes())
                 for path in sorted(folder.rglob("*")) if path.is_file() and not path.is_symlink()]
        stored = [(name, storage.put(content), len(content)) for name, content in files]  # durable first
        # The Batch row committed before any student's row names it: made inside this transaction, the
        # next thread's student could commit first, naming a batch not yet there (PostgreSQL refuses).
        batch_id = self._batch(lang, assignment)
        with transaction.atomic():
            row = Submission.objects.create(batch_id=batch_id, batch_student=student,
                                            batch_key=key, priority=Submission.Priority.BATCH)
            SubmittedFile.objects.bulk_create(SubmittedFile(submission=row, name=name, sha256=sha, size=size)
                                              for name, sha, size in stored)
        tasks.enqueue()
        return row.pk

    def _batch(self, lang: str, assignment: Assignment | None) -> int:
        """This run's Batch row for a language and assignment (one each; created on first use)."""
        what = assignment.model_dump(mode="json") if assignment is not None else None
        mark = (lang, repr(what))
        with self._lock:
            if mark not in self._batches:
                title = self._title or (assignment.title if assignment is not None else "")
                self._batches[mark] = Batch.objects.create(title=title[:200], assignment=what, lang=lang).pk
            return self._batches[mark]

    # -- waiting ---------------------------------------------------------------------------------

    def _wait_for(self, pk: int) -> dict:
        future: Future = Future()
        with self._lock:
            if self._stopped.is_set():
                raise Stopped()
            self._waiting[pk] = future
            if self._poller is None:
                self._poller = threading.Thread(target=self._poll, name="batch-poller", daemon=True)
                self._poller.start()
        return future.result()

    def _poll(self) -> None:
        """Every poll_seconds, one query for every row still waited for; the database away a moment
        (PostgreSQL restarting) is only a later answer."""
        try:
            while not self._stopped.wait(self._poll_seconds):
                try:
                    self._poll_once()
                except Exception:  # the database away: ask again next round
                    log.warning("the course site's database did not answer; asking again", exc_info=True)
                    connection.close()
        finally:
            connection.close()

    def _poll_once(self) -> None:
        with self._lock:
            pks = list(self._waiting)
        if not pks:
            return
        for row in Submission.objects.filter(pk__in=pks, state__in=FINISHED).values("pk", "state", "result", "error"):
            with self._lock:
                future = self._waiting.pop(row["pk"], None)
            if future is not None:
                future.set_result(row)

    def _check_packs(self, result: StudentResult) -> None:
        for exercise in result.exercises:
            ours = self._versions.get(exercise.exercise)
            if exercise.pack_version and ours and exercise.pack_version != ours:
                raise MessageError("infra_cluster_packs_differ", exercise=exercise.exercise,
                                   theirs=exercise.pack_version, ours=ours)
