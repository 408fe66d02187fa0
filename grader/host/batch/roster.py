"""Who is in a class: one student per sub-folder, per archive, or per name prefix (LMS downloads).

Rules, in order, for each entry at the top of SUBMISSIONS (after extracting it first if
SUBMISSIONS is itself a class archive, and stepping into a lone wrapper folder):

- a folder: one student, named after the folder;
- an archive (.zip, .tar, .tar.gz, .tgz): one student, named after the archive without its
  suffix; it is extracted safely first, and a refused archive is that student's result;
- a folder or archive named the way an LMS names it (Moodle: `Zhang San_67890_assignsubmission_
  file_作业3.zip`; Canvas: `lilei_12345_67890_hw3.zip`, `lilei_late_12345_67890_hw3.zip`): the
  student is the name before the LMS's part, as for loose files;
- a file named `<student>_<anything>` (the layout Moodle and Canvas downloads use, e.g.
  `Li Lei_12345_assignsubmission_file_race_counter.py`): the student is the text before the
  first underscore, and the file is graded as the exercise file its name ends with, a
  resubmission's `-N` or ` (N)` kept (`..._race_counter-1.py`: intake.py takes the highest N);
- an archive inside a student's folder or archive (Moodle's `<name>_<id>_assignsubmission_file_/hw.zip`)
  is opened by intake.py, with the same safety rules;
- hidden entries (`.DS_Store`, `__MACOSX`) are skipped; anything else is listed as ignored.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..messages import MessageError
from ..reports import safe_dirname
from . import archives

SKIPPED = {"__MACOSX", "Thumbs.db"}


class ClassInputError(MessageError):
    """SUBMISSIONS itself cannot be read; the message says what to do, in the teacher's language."""


@dataclass
class Submission:
    student: str
    folder: Path | None  # the files to grade (None when refused)
    source: str  # what it came from, relative to SUBMISSIONS
    refused: dict | None = None  # message id + params when the archive was refused
    archive: Path | None = None  # the student's archive, for the resume key of a refused one
    out_name: str = ""  # the student's folder under --out, unique in the class
    lms_id: str = ""  # the LMS's number for them, from its file names (gradesheet.py matches on it)


@dataclass
class Roster:
    submissions: list[Submission] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)


def discover(submissions: Path, staging: Path, student_files: list[str]) -> Roster:
    """Find every student in `submissions`; archives are extracted under `staging`."""
    root = Path(submissions)
    if not root.exists():
        raise ClassInputError("class_missing", path=str(root))
    if archives.is_archive(root):
        target = staging / "class"
        target.mkdir(parents=True)
        try:
            archives.extract(root, target)
        except archives.Refused as exc:
            raise ClassInputError("class_archive_refused", problem=exc.message) from exc
        root = target
    elif not root.is_dir():
        raise ClassInputError("class_not_folder", path=str(root))
    if _holds_exercise_files(root, student_files):
        found = ", ".join(sorted(p.name for p in _exercise_files(root, student_files)))
        raise ClassInputError("class_is_one_student", path=str(submissions), found=found)
    root = _unwrap(root, student_files)
    roster = Roster()
    prefixed: dict[str, list[Path]] = {}
    for entry in sorted(root.iterdir(), key=lambda p: p.name):
        if entry.name.startswith(".") or entry.name in SKIPPED:
            continue
        if entry.is_symlink():
            roster.ignored.append(readable_name(entry.name))
        elif entry.is_dir():
            roster.submissions.append(Submission(lms_student(entry.name), entry, readable_name(entry.name),
                                                 lms_id=lms_id(entry.name)))
        elif archives.is_archive(entry):
            roster.submissions.append(_from_archive(entry, staging))
        elif archives.is_unsupported_archive(entry):  # a row that says why, not a student left out
            name = readable_name(entry.name)
            roster.submissions.append(Submission(lms_student(name.split(".", 1)[0]), None, name,
                                                 refused=archives.unsupported_message(name), archive=entry,
                                                 lms_id=lms_id(entry.name)))
        elif entry.is_file() and _a_students_file(entry.name, student_files):
            prefixed.setdefault(readable_name(entry.name.split("_", 1)[0]), []).append(entry)
        else:
            roster.ignored.append(readable_name(entry.name))
    for student, files in prefixed.items():
        roster.submissions.append(_from_prefixed(student, files, staging, student_files))
    _unique_out_names(roster.submissions)
    return roster


def _unwrap(root: Path, student_files: list[str]) -> Path:
    """Step into a lone wrapper folder (class.zip -> class/ -> students). Not into a lone student: an
    LMS-named folder, one that holds exercise files itself, or one with fewer than two children that
    hold a student's work is a class of one."""
    while True:
        entries = [p for p in root.iterdir() if not p.name.startswith(".") and p.name not in SKIPPED]
        if (len(entries) == 1 and entries[0].is_dir() and not entries[0].is_symlink()
                and not _LMS_NAME.fullmatch(entries[0].name)
                and not _holds_exercise_files(entries[0], student_files)
                and sum(1 for p in entries[0].iterdir() if _a_students_work(p, student_files)) >= 2):
            root = entries[0]
        else:
            return root


def _a_students_work(entry: Path, student_files: list[str]) -> bool:
    """An archive, or a folder with an exercise file somewhere in it: what a wrapper's children are
    (two of them at least: a student's own folder has one `src/`, and notes beside it)."""
    if entry.is_symlink():
        return False
    if archives.is_archive(entry):
        return True
    return entry.is_dir() and any(_named_exercise_file(p.name, student_files) == p.name for p in entry.rglob("*.py"))


def _exercise_files(folder: Path, student_files: list[str]) -> list[Path]:
    """Exercise files (or numbered versions of them) directly in `folder`."""
    return [p for p in folder.iterdir() if p.is_file() and _named_exercise_file(p.name, student_files) == p.name]


def _holds_exercise_files(folder: Path, student_files: list[str]) -> bool:
    return bool(_exercise_files(folder, student_files))


# Moodle: "<name>_<participant id>_assignsubmission_<plugin>_<file>"; Canvas: "<name>_<user id>_<attachment
# id>_<file>", with "late_" after the name for a late submission. The first number is the one each
# LMS's own grade sheet knows the student by ("Participant 67890" in Moodle's, "ID" in Canvas's).
_LMS_NAME = re.compile(r"(?P<student>[^_]+?)_(?:(?:late_)?(?P<canvas>\d+)_\d+_|(?P<moodle>\d+)_assignsubmission_).*",
                       re.DOTALL)


def lms_student(name: str) -> str:
    """The student's name in a folder or archive named by an LMS download; else the name itself."""
    match = _LMS_NAME.fullmatch(name)
    return readable_name(match.group("student") if match else name)


def readable_name(name: str) -> str:
    """A file system name as a person reads it. `unzip` leaves a Windows zip's GBK names as bytes that
    are not UTF-8 (Python holds them as surrogates, which no report can be written with): read those
    bytes as GB18030, else show what cannot be read as U+FFFD."""
    raw = os.fsencode(name)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError:
        return raw.decode("utf-8", "replace")


def lms_id(name: str) -> str:
    """The LMS's number for the student in a name an LMS download gave; "" when there is none."""
    match = _LMS_NAME.fullmatch(name)
    return (match.group("moodle") or match.group("canvas")) if match else ""


def _from_archive(path: Path, staging: Path) -> Submission:
    student, number = lms_student(archives.stem(path)), lms_id(archives.stem(path))
    target = Path(tempfile.mkdtemp(prefix="student-", dir=staging))
    try:
        archives.extract(path, target)
    except archives.Refused as exc:
        return Submission(student, None, readable_name(path.name), refused=exc.message, archive=path, lms_id=number)
    return Submission(student, _unwrap_student(target), readable_name(path.name), archive=path, lms_id=number)


def _unwrap_student(folder: Path) -> Path:
    """alice.zip often holds alice/ with the files: use the files' folder."""
    entries = [p for p in folder.iterdir() if not p.name.startswith(".") and p.name not in SKIPPED]
    if len(entries) == 1 and entries[0].is_dir():
        return entries[0]
    return folder


def _from_prefixed(student: str, files: list[Path], staging: Path, student_files: list[str]) -> Submission:
    target = staging / "prefixed" / safe_dirname(student)
    target.mkdir(parents=True, exist_ok=True)
    for f in files:
        shutil.copyfile(f, target / _exercise_name(f.name, student_files))
    number = next((lms_id(f.name) for f in files if lms_id(f.name)), "")
    return Submission(student, target, ", ".join(readable_name(f.name) for f in files), lms_id=number)


def _a_students_file(name: str, student_files: list[str]) -> bool:
    """A loose file of the class folder that belongs to a student: named by an LMS download
    (`Li Lei_12345_assignsubmission_file_...`), or `<student>_<exercise file>`. Anything else at the top
    (`README_first.txt`, `class_list.xlsx`, `__init__.py`) is the teacher's, listed as ignored."""
    if name.startswith("_") or "_" not in name:
        return False
    return bool(_LMS_NAME.fullmatch(name)) or _named_exercise_file(name, student_files) is not None


def _exercise_name(lms_name: str, student_files: list[str]) -> str:
    """`Li Lei_1_2_race_counter-1.py` -> `race_counter-1.py`: the exercise file its name ends with,
    with an LMS's resubmission number kept (`-1`, or Moodle's ` (1)`); a name that ends with no
    exercise file keeps its rest."""
    return _named_exercise_file(lms_name, student_files) or lms_name.split("_", 1)[1]


def _named_exercise_file(lms_name: str, student_files: list[str]) -> str | None:
    for student_file in student_files:
        match = re.search(r"(?:^|_)(" + re.escape(student_file[:-3]) + r"(?:-\d{1,4}|\s?\(\d{1,4}\))?\.py)$",
                          lms_name)
        if match:
            return match.group(1)
    return None


def _unique_out_names(submissions: list[Submission]) -> None:
    taken: set[str] = set()
    for sub in submissions:
        base = safe_dirname(sub.student)
        name, n = base, 2
        while name.lower() in taken:  # case-insensitive file systems too
            name, n = f"{base}-{n}", n + 1
        taken.add(name.lower())
        sub.out_name = name
