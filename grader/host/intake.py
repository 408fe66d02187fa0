"""Take a student's files from a submission folder: only each exercise's `student_file`, nothing else.

Where the file may be, and what is taken (docs/batch.md, "Which file is graded"):
- anywhere in the submission, at any depth (a zip often holds `Homework 3/src/race_counter.py`):
  when the exercise's file is found exactly once, it is taken, and the report says from where;
- `race_counter-2.py` and `race_counter (2).py` count as `race_counter.py`: Canvas adds `-N` to a
  resubmitted file, Moodle's file picker and browsers ` (N)` to a second upload or download; among
  the versions in one folder, those byte-identical to the pack's starter are dropped (unless all
  are), the highest N is taken, and the others are named in a warning as not graded;
- an archive (.zip, .tar, .tar.gz, .tgz) found in the submission is opened with the class
  archive's safety rules (batch/archives.py), and inside another one too (MAX_ARCHIVE_DEPTH): its
  files are looked at as `hw.zip/...`; a refused one is the reason given for an exercise not found;
- found in two or more folders, nothing is taken and the exercise is refused with the paths listed;
- not found, but a file with a near name is there (`Handoff.py`, `handoff - 副本.py`,
  `handoff.py.txt`): nothing is taken, and the report asks whether that file was meant.

Everything else (a conftest.py, a pytest.ini, a module shadowing `threading`...) is ignored and
listed in the report. Symlinks, non-regular files and oversized files are refused with a message. A file
that is not UTF-8 but is valid GB18030 (GBK, as Chinese Windows saves it) is read as GB18030 and
taken converted to UTF-8, line for line (a `coding:` line says utf-8 then), with a warning to save
as UTF-8; one that is neither is refused, naming both. A UTF-8 BOM and CRLF line ends are kept: Python
reads them. Hidden files and folders (`.git`, `__MACOSX`, `.DS_Store`) are not looked at.
"""

from __future__ import annotations

import difflib
import os
import re
import stat
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from .batch import archives
from .packs import Exercise

MAX_FILE_BYTES = 256 * 1024
MAX_LISTED = 200  # ignored names listed in a report at most
MAX_ENTRIES = 5000  # files and folders looked at in one submission, at most
MAX_ARCHIVES = 8  # archives opened in one submission, at most
MAX_ARCHIVE_DEPTH = 2  # a zip in the submission, and a zip in that zip
# A resubmission's number: `-2` (Canvas), ` (2)` (Moodle's file picker, a browser's second download).
_VERSION = r"(?:-(\d{1,4})|\s?\((\d{1,4})\))"
T = TypeVar("T")
_CODING = re.compile(rb"^([ \t\f]*#.*?coding[:=][ \t]*)([-\w.]+)")
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
    # slug -> the path taken, when not the plain name at the top or when other versions were there
    taken_from: dict[str, str] = field(default_factory=dict)
    near: dict[str, str] = field(default_factory=dict)  # slug of a missing exercise -> a file it may be
    # slug -> message references for the exercise's report (advice that costs no points): the file
    # was read as GB18030, other versions of it were not graded
    warnings: dict[str, list[dict]] = field(default_factory=dict)
    not_graded: dict[str, list[str]] = field(default_factory=dict)  # slug -> other versions, not graded


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
    with tempfile.TemporaryDirectory(prefix="intake-") as scratch:
        return _take(Path(submission), exercises, Path(scratch))


def _take(submission: Path, exercises: list[Exercise], scratch: Path) -> Intake:
    intake = Intake()
    broken: list[tuple[str, dict]] = []  # archives in the submission that were refused
    entries = _files(submission, scratch, broken)
    used: set[str] = set()
    for exercise in exercises:
        found = [(e, n) for e in entries if (n := version_of(e.name, exercise.student_file)) is not None]
        folders = {e.rel.rpartition("/")[0] for e, _ in found}
        if not found:
            if broken:  # the file may be in the archive we could not open: say why
                rel, reason = broken[0]
                intake.refused[exercise.slug] = {"id": "nested_archive_refused", "params": {
                    "file": rel, "expected": exercise.student_file, "reason": reason}}
                continue
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
        entry, older, starters = pick_version([(e, n, _raw(e)) for e, n in found], _starter(exercise))
        used.add(entry.rel)
        warnings = intake.warnings.setdefault(exercise.slug, [])
        if entry.rel != exercise.student_file or older or starters:
            intake.taken_from[exercise.slug] = entry.rel
        if older:
            warnings.append({"id": "older_versions_not_graded", "params": {
                "graded": entry.rel, "files": ", ".join(e.rel for e in older)}})
        if starters:
            warnings.append({"id": "starter_copies_not_graded", "params": {
                "graded": entry.rel, "files": ", ".join(e.rel for e in starters)}})
        if older or starters:
            intake.not_graded[exercise.slug] = [e.rel for e in older + starters]
        refusal, content, encoding = _read(entry)
        if refusal is not None:
            intake.refused[exercise.slug] = refusal
        else:
            intake.accepted[exercise.slug] = content
            if encoding != "utf-8":
                warnings.append({"id": "read_as_gb18030", "params": {"file": entry.rel}})
        if not warnings:
            del intake.warnings[exercise.slug]
    intake.ignored = [e.rel for e in entries if e.rel not in used][:MAX_LISTED]
    return intake


def version_of(name: str, student_file: str) -> int | None:
    """0 for `race_counter.py`, N for `race_counter-N.py` (Canvas's resubmission) and
    `race_counter (N).py` (Moodle's second upload, a browser's second download), else None."""
    stem = student_file[:-3]
    if name == student_file:
        return 0
    match = re.fullmatch(re.escape(stem) + _VERSION + r"\.py", name)
    return int(match.group(1) or match.group(2)) if match else None


def pick_version(found: list[tuple[T, int, bytes | None]], starter: bytes | None) -> tuple[T, list[T], list[T]]:
    """Among `found` (a file, its version number, its bytes or None) in one folder: the version to
    grade, the older versions not graded (newest first), and the copies of the starter not graded.
    Copies of the starter are set aside unless every version is one; of the rest, the highest
    number is graded (the first listed of equal numbers)."""
    fresh = [f for f in found if starter is None or f[2] != starter]
    pool = fresh or found
    best = max(pool, key=lambda f: f[1])
    older = sorted((f for f in pool if f is not best), key=lambda f: -f[1])
    starters = [f for f in found if not any(f is g for g in pool)]
    return best[0], [f[0] for f in older], [f[0] for f in starters]


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


def _files(root: Path, scratch: Path | None = None, broken: list | None = None) -> list[_Entry]:
    """Every file under `root` (symlinks and other non-folders included), hidden ones skipped; the
    files of an archive found there are listed under its path (`hw.zip/pipeline.py`) when
    `scratch` is given to extract it in; an archive refused goes to `broken` with the reason."""
    out: list[_Entry] = []
    _walk(Path(root), "", out, scratch, broken if broken is not None else [], 0, [0])
    return out


def _walk(root: Path, prefix: str, out: list[_Entry], scratch: Path | None, broken: list, depth: int,
          opened: list[int]) -> None:
    if not root.is_dir():
        return
    base = os.fsencode(root)
    for folder, dirs, files in os.walk(base, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith(b".") and printable_name(d) not in SKIPPED_DIRS)
        for raw in sorted(files):
            if raw.startswith(b".") or len(out) >= MAX_ENTRIES:
                continue
            path = os.path.join(folder, raw)
            rel = prefix + printable_name(os.path.relpath(path, base)).replace(os.sep, "/")
            entry = _Entry(path, rel, printable_name(raw))
            if scratch is not None and depth < MAX_ARCHIVE_DEPTH and opened[0] < MAX_ARCHIVES and _is_archive(entry):
                opened[0] += 1
                target = Path(tempfile.mkdtemp(prefix="archive-", dir=scratch))
                try:
                    archives.extract(Path(os.fsdecode(path)), target)
                except archives.Refused as exc:
                    broken.append((rel, exc.message))
                    out.append(entry)  # listed as ignored
                    continue
                _walk(target, rel + "/", out, scratch, broken, depth + 1, opened)
                continue
            out.append(entry)
    # symlinks to folders are listed as folders by os.walk: they are entries too (refused if named as a file)


def _is_archive(entry: _Entry) -> bool:
    """A regular file (not a link to one) named as an archive."""
    try:
        regular = stat.S_ISREG(os.lstat(entry.raw).st_mode)
    except OSError:
        return False
    return regular and entry.name.lower().endswith(archives.SUFFIXES)


def _raw(entry: _Entry) -> bytes | None:
    """The file's bytes, for comparing with the starter; None for a link, a folder or a large file."""
    try:
        info = os.lstat(entry.raw)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_FILE_BYTES:
            return None
        with open(entry.raw, "rb") as fh:
            return fh.read(MAX_FILE_BYTES + 1)
    except OSError:
        return None


def _starter(exercise: Exercise) -> bytes | None:
    try:
        return exercise.starter.read_bytes()
    except OSError:
        return None


def _read(entry: _Entry) -> tuple[dict | None, bytes, str]:
    """(refusal or None, the content as UTF-8, the encoding it was read as)."""
    info = os.lstat(entry.raw)
    name = entry.rel
    if stat.S_ISLNK(info.st_mode):
        return {"id": "refused_symlink", "params": {"file": name}}, b"", ""
    if not stat.S_ISREG(info.st_mode):
        return {"id": "refused_not_file", "params": {"file": name}}, b"", ""
    if info.st_size > MAX_FILE_BYTES:
        return {"id": "refused_too_large", "params": {"file": name, "size": info.st_size,
                                                      "limit": MAX_FILE_BYTES}}, b"", ""
    with open(entry.raw, "rb") as fh:
        content = fh.read(MAX_FILE_BYTES + 1)
    refusal, text, encoding = decode_source(content, name)
    return refusal, text, encoding


def decode_source(content: bytes, name: str) -> tuple[dict | None, bytes, str]:
    """A student's file as UTF-8 bytes: as it is when it is UTF-8 (a BOM and CRLF kept: Python reads
    them); converted, line for line, when it is GB18030 (GBK: Chinese Windows), its `coding:` line
    then saying utf-8; refused when it is neither, naming both and where each failed."""
    try:
        content.decode("utf-8")
        return None, content, "utf-8"
    except UnicodeDecodeError as exc:
        utf8_at = exc.start
    try:
        converted = content.decode("gb18030").encode("utf-8")
    except UnicodeDecodeError as exc:
        return {"id": "not_utf8_nor_gb18030", "params": {"file": name, "utf8_at": utf8_at,
                                                         "gb18030_at": exc.start}}, b"", ""
    lines = converted.split(b"\n", 2)
    for i in range(min(2, len(lines))):  # PEP 263: a declaration on line 1 or 2
        if _CODING.match(lines[i]):
            lines[i] = _CODING.sub(rb"\1utf-8", lines[i], count=1)
            break
    return None, b"\n".join(lines), "gb18030"


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
