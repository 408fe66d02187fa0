"""Take a student's files from a submission folder: only each exercise's `student_file`, nothing else.

Where the file may be, and what is taken (docs/batch.md, "Which file is graded"):
- anywhere in the submission, at any depth (a zip often holds `Homework 3/src/race_counter.py`):
  when the exercise's file is found exactly once, it is taken, and the report says from where;
- `race_counter-2.py` counts as `race_counter.py`: Canvas and Moodle add `-N` to a resubmitted
  file; among versions in one folder the highest N is taken;
- found in two or more folders, nothing is taken and the exercise is refused with the paths listed;
- not found, but a file with a near name is there (`Handoff.py`, `handoff (1).py`,
  `handoff - 副本.py`): nothing is taken, and the report asks whether that file was meant.

Everything else (a conftest.py, a pytest.ini, a module shadowing `threading`...) is ignored and
listed in the report. Symlinks, non-regular files, oversized files and files that are not UTF-8 are
refused with a message. Hidden files and folders (`.git`, `__MACOSX`, `.DS_Store`) are not looked at.
"""

from __future__ import annotations

import difflib
import os
import re
import stat
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from .packs import Exercise

MAX_FILE_BYTES = 256 * 1024
MAX_LISTED = 200  # ignored names listed in a report at most
MAX_ENTRIES = 5000  # files and folders looked at in one submission, at most
SKIPPED_DIRS = {"__MACOSX", "__pycache__", "node_modules", ".git"}
# What people and operating systems append to a copy or a download of `name.py`.
_COPY_SUFFIX = re.compile(r"(?:\s*-\s*(?:副本|复制|copy|kopie|copia)(?:\s*\(\d+\))?|\s*\(\d+\)|\s+copy|_copy|副本)$",
                          re.IGNORECASE)


@dataclass
class Intake:
    accepted: dict[str, bytes] = field(default_factory=dict)  # exercise slug -> file content
    refused: dict[str, dict] = field(default_factory=dict)  # exercise slug -> {"id", "params"}
    missing: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    taken_from: dict[str, str] = field(default_factory=dict)  # slug -> path, when not the plain name at the top
    near: dict[str, str] = field(default_factory=dict)  # slug of a missing exercise -> a file it may be


def printable_name(raw: bytes | str) -> str:
    """A file name as text, even when it is not valid UTF-8."""
    if isinstance(raw, str):
        raw = os.fsencode(raw)
    return raw.decode("utf-8", "backslashreplace")


@dataclass
class _Entry:
    raw: bytes  # the path on disk
    rel: str  # relative to the submission, printable, with "/"
    name: str  # the base name, printable


def take(submission: Path, exercises: list[Exercise]) -> Intake:
    intake = Intake()
    entries = _files(Path(submission))
    used: set[str] = set()
    for exercise in exercises:
        found = [(e, n) for e in entries if (n := version_of(e.name, exercise.student_file)) is not None]
        folders = {e.rel.rpartition("/")[0] for e, _ in found}
        if not found:
            intake.missing.append(exercise.slug)
            guess = near_match(exercise.student_file, [e.rel for e in entries])
            if guess:
                intake.near[exercise.slug] = guess
            continue
        if len(folders) > 1:
            paths = sorted(e.rel for e, _ in found)
            intake.refused[exercise.slug] = {"id": "refused_ambiguous", "params": {
                "file": exercise.student_file, "paths": ", ".join(paths[:10])}}
            used.update(paths)
            continue
        entry, _ = max(found, key=lambda f: f[1])  # the highest resubmission number
        used.add(entry.rel)
        if entry.rel != exercise.student_file:
            intake.taken_from[exercise.slug] = entry.rel
        refusal, content = _read(entry)
        if refusal is not None:
            intake.refused[exercise.slug] = refusal
        else:
            intake.accepted[exercise.slug] = content
    intake.ignored = [e.rel for e in entries if e.rel not in used][:MAX_LISTED]
    return intake


def version_of(name: str, student_file: str) -> int | None:
    """0 for `race_counter.py`, N for `race_counter-N.py` (an LMS's resubmission), else None."""
    stem = student_file[:-3]
    if name == student_file:
        return 0
    match = re.fullmatch(re.escape(stem) + r"-(\d{1,4})\.py", name)
    return int(match.group(1)) if match else None


def near_match(student_file: str, paths: list[str]) -> str | None:
    """The submitted file that was most likely meant as `student_file`, if any is close enough."""
    want = student_file[:-3].casefold()
    best, best_score = None, 0.0
    for path in paths:
        name = path.rpartition("/")[2]
        lower = name.casefold()
        if lower.endswith(".py.txt"):  # saved "as text" on Windows
            stem = name[: -len(".py.txt")]
        elif lower.endswith((".py", ".txt")):
            stem = name.rpartition(".")[0]
        else:
            continue
        stem = unicodedata.normalize("NFC", stem).strip()
        plain = _COPY_SUFFIX.sub("", stem).strip().casefold()
        score = 1.0 if plain == want else difflib.SequenceMatcher(None, plain, want).ratio()
        if score > best_score:
            best, best_score = path, score
    return best if best_score >= 0.8 else None


def _files(root: Path) -> list[_Entry]:
    """Every file under `root` (symlinks and other non-folders included), hidden ones skipped."""
    out: list[_Entry] = []
    if not root.is_dir():
        return out
    base = os.fsencode(root)
    for folder, dirs, files in os.walk(base, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith(b".") and printable_name(d) not in SKIPPED_DIRS)
        for raw in sorted(files):
            if raw.startswith(b".") or len(out) >= MAX_ENTRIES:
                continue
            path = os.path.join(folder, raw)
            rel = printable_name(os.path.relpath(path, base)).replace(os.sep, "/")
            out.append(_Entry(path, rel, printable_name(raw)))
    # symlinks to folders are listed as folders by os.walk: they are entries too (refused if named as a file)
    return out


def _read(entry: _Entry) -> tuple[dict | None, bytes]:
    info = os.lstat(entry.raw)
    name = entry.rel
    if stat.S_ISLNK(info.st_mode):
        return {"id": "refused_symlink", "params": {"file": name}}, b""
    if not stat.S_ISREG(info.st_mode):
        return {"id": "refused_not_file", "params": {"file": name}}, b""
    if info.st_size > MAX_FILE_BYTES:
        return {"id": "refused_too_large", "params": {"file": name, "size": info.st_size,
                                                      "limit": MAX_FILE_BYTES}}, b""
    with open(entry.raw, "rb") as fh:
        content = fh.read(MAX_FILE_BYTES + 1)
    try:
        content.decode("utf-8")
    except UnicodeDecodeError as exc:
        return {"id": "not_utf8", "params": {"file": name, "reason": f"byte {exc.start}"}}, b""
    return None, content


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
