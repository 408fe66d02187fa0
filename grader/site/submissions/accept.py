"""Take an upload for one exercise, or refuse it saying why, with the batch intake's rules.

Files are looked at in a scratch folder by grader.host.intake (the exercise's file at any depth,
archives opened safely, near misses, GB18030 read, symlinks and oversized files refused); only when
the exercise's file is accepted are the uploaded files stored and a row written: a refused upload
stores nothing. A file with a syntax error is accepted: it is graded, and the report says where.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from grader.host import intake
from grader.host.packs import Exercise

from . import storage
from .models import Submission, SubmittedFile
from .queue import supersede_older


@dataclass
class Refused(Exception):
    """Why an upload is refused: a message reference (grader.host.messages), rendered per language."""
    message: dict

    def __str__(self) -> str:
        return self.message["id"]


def too_big(size: int) -> Refused:
    kb = "{:.0f} KB".format
    return Refused({"id": "upload_too_big", "params": {"size": kb(size / 1024),
                                                       "limit": kb(settings.MAX_UPLOAD_BYTES / 1024)}})


def _safe_name(raw: str) -> str:
    """The upload's own file name, without any folder a browser or client put before it."""
    name = PureWindowsPath(PurePosixPath(raw or "").name).name.strip()
    if not name or name in (".", "..") or "\x00" in name or len(name.encode()) > 255:
        raise Refused({"id": "upload_bad_name", "params": {"file": intake.printable_name(raw or "")[:80]}})
    return name


def check(files: list[tuple[str, bytes]], exercise: Exercise) -> list[tuple[str, bytes]]:
    """The files, named safely, if the exercise's file is among them and acceptable; else Refused."""
    if not files:
        raise Refused({"id": "upload_empty", "params": {"file": exercise.student_file}})
    total = sum(len(content) for _, content in files)
    if total > settings.MAX_UPLOAD_BYTES:
        raise too_big(total)
    named = [(_safe_name(name), content) for name, content in files]
    if len({name for name, _ in named}) != len(named):
        raise Refused({"id": "upload_same_name_twice", "params": {}})
    with tempfile.TemporaryDirectory(prefix="upload-") as scratch:
        for name, content in named:
            (Path(scratch) / name).write_bytes(content)
        taken = intake.take(Path(scratch), [exercise])
    slug = exercise.slug
    if slug in taken.refused:
        raise Refused(taken.refused[slug])
    if slug in taken.missing:
        near = taken.near.get(slug)
        raise Refused({"id": "missing_near", "params": {"file": exercise.student_file, "found": near}} if near
                      else {"id": "missing", "params": {"file": exercise.student_file}})
    return named


def store(*, student, course_exercise, files: list[tuple[str, bytes]]) -> Submission:
    """Files durable first, then the row (queued), then older waiting ones superseded: once this
    returns, the submission survives any crash, and the queue's sweep will hand it to a worker."""
    stored = [(name, storage.put(content), len(content)) for name, content in files]
    now = timezone.now()
    with transaction.atomic():
        submission = Submission.objects.create(
            student=student, exercise=course_exercise, received_at=now, queued_at=now,
            days_late=course_exercise.days_late(now, student))
        SubmittedFile.objects.bulk_create(SubmittedFile(submission=submission, name=name, sha256=sha, size=size)
                                          for name, sha, size in stored)
        supersede_older(submission)
    return submission
