"""A student's self-check of a folder (`grader check DIR`, the kit's `make check`): which exercises to grade.

With `--started-only` (the kit's `make check`), an exercise whose file is still its starter is not
graded: it is listed in one line as "not started". "Still its starter" compares bytes after a UTF-8
BOM is dropped and line endings are made LF, so an untouched starter saved by a Windows editor is
not started either. With `--exercise SLUG` (`make check EX=SLUG`), that exercise is graded, started
or not. A file that is missing, or that cannot be read, is graded: the report then says why.

The files the report lists as ignored leave out the kit's own (its READMEs, Makefile, check.py, reports/) and
the files of the exercises not graded (not started, or not the one named): a student is told only
about files they may have misplaced.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from .assignment import nearest, select
from .packs import Exercise

BOM = b"\xef\xbb\xbf"


def normalised(content: bytes) -> bytes:
    """The file as compared with its starter: no BOM, LF line endings."""
    if content.startswith(BOM):
        content = content[len(BOM):]
    return content.replace(b"\r\n", b"\n").replace(b"\r", b"\n")


def is_untouched(content: bytes, starter: bytes) -> bool:
    return normalised(content) == normalised(starter)


@dataclass
class Selection:
    graded: list[Exercise] = field(default_factory=list)
    not_started: list[Exercise] = field(default_factory=list)


def choose(exercises: list[Exercise], submitted: Mapping[str, bytes], starters: Mapping[str, bytes],
           only: list[str] | None = None, started_only: bool = True) -> Selection:
    """Which of `exercises` to grade. `submitted`: each exercise's file as found (slug -> bytes; absent
    when missing or refused); `starters`: each exercise's starter. `only` (slugs): those exercises,
    in that order, started or not (AssignmentError for an unknown slug, naming the nearest)."""
    if only:
        return Selection(graded=select(exercises, only))
    if not started_only:
        return Selection(graded=list(exercises))
    chosen = Selection()
    for ex in exercises:
        content = submitted.get(ex.slug)
        if content is not None and ex.slug in starters and is_untouched(content, starters[ex.slug]):
            chosen.not_started.append(ex)
        else:
            chosen.graded.append(ex)
    return chosen


# What `grader handout` writes beside the exercises, and what `make check` writes: not the student's.
KIT_FILES = ("README*.md", "Makefile", "check.py", "reports/*", "*/README*.md")


def students_ignored(ignored: Iterable[str], exercises: Iterable[Exercise],
                     not_graded: Iterable[Exercise] = ()) -> list[str]:
    """Of the files a self-check ignored, those a student may want to hear about: not the kit's own
    files, nor the files of the exercises it did not grade (not started, or not the one named)."""
    slugs = {ex.slug for ex in exercises}
    untouched = {f"{ex.slug}/{ex.student_file}" for ex in not_graded}

    def kits(name: str) -> bool:
        if name in untouched:
            return True
        top = name.split("/", 1)[0]
        return any(fnmatch.fnmatchcase(name, pattern) for pattern in KIT_FILES) and (
            "/" not in name or top == "reports" or top in slugs)

    return [name for name in ignored if not kits(name)]


def unknown_text(given: list[str] | None, exercises: list[Exercise], lang: str) -> str:
    """What a student reads for `make check EX=nope`: the names not found, the nearest, the ones there are."""
    from .messages import text

    known = [ex.slug for ex in exercises]
    parts = []
    for slug in dict.fromkeys(given or []):
        if slug in known:
            continue
        near = nearest(slug, known)
        parts.append(text("self_check_unknown_near", lang, slug=slug, near=near) if near
                     else text("self_check_unknown", lang, slug=slug))
    return " ".join([*parts, text("self_check_known", lang, slugs=", ".join(known))])
