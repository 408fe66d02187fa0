"""Take a student's files from a submission folder: only each exercise's `student_file`, nothing else.

Everything else in the folder (a conftest.py, a pytest.ini, a module shadowing `threading`...) is
ignored and listed in the report. Symlinks, non-regular files, oversized files and files that are
not UTF-8 are refused with a message. Accepted files are copied into a private staging folder.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from .packs import Exercise

MAX_FILE_BYTES = 256 * 1024
MAX_LISTED = 200  # ignored names listed in a report at most


@dataclass
class Intake:
    accepted: dict[str, bytes] = field(default_factory=dict)  # exercise slug -> file content
    refused: dict[str, dict] = field(default_factory=dict)  # exercise slug -> {"id", "params"}
    missing: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)


def printable_name(raw: bytes | str) -> str:
    """A file name as text, even when it is not valid UTF-8."""
    if isinstance(raw, str):
        raw = os.fsencode(raw)
    return raw.decode("utf-8", "backslashreplace")


def take(submission: Path, exercises: list[Exercise]) -> Intake:
    intake = Intake()
    wanted = {ex.student_file: ex for ex in exercises}
    names = sorted(os.listdir(os.fsencode(submission))) if submission.is_dir() else []
    seen = set()
    for raw in names:
        name = printable_name(raw)
        exercise = wanted.get(name)
        if exercise is None:
            if len(intake.ignored) < MAX_LISTED:
                intake.ignored.append(name)
            continue
        seen.add(name)
        path = os.path.join(os.fsencode(submission), raw)
        info = os.lstat(path)
        if stat.S_ISLNK(info.st_mode):
            intake.refused[exercise.slug] = {"id": "refused_symlink", "params": {"file": name}}
        elif not stat.S_ISREG(info.st_mode):
            intake.refused[exercise.slug] = {"id": "refused_not_file", "params": {"file": name}}
        elif info.st_size > MAX_FILE_BYTES:
            intake.refused[exercise.slug] = {"id": "refused_too_large", "params": {
                "file": name, "size": info.st_size, "limit": MAX_FILE_BYTES}}
        else:
            with open(path, "rb") as fh:
                content = fh.read(MAX_FILE_BYTES + 1)
            try:
                content.decode("utf-8")
            except UnicodeDecodeError as exc:
                intake.refused[exercise.slug] = {"id": "not_utf8", "params": {
                    "file": name, "reason": f"byte {exc.start}"}}
                continue
            intake.accepted[exercise.slug] = content
    intake.missing = [ex.slug for ex in exercises if ex.student_file not in seen]
    return intake


def precheck(content: bytes, filename: str) -> dict | None:
    """A syntax error found without running anything, as a verdict message; None if it compiles."""
    try:
        compile(content, filename, "exec", dont_inherit=True)
    except SyntaxError as exc:
        return {"id": "syntax_error", "params": {"line": exc.lineno, "message": exc.msg,
                                                 "code": (exc.text or "").strip()}}
    except ValueError as exc:  # null bytes
        return {"id": "syntax_error", "params": {"line": "?", "message": str(exc), "code": ""}}
    return None
