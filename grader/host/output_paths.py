"""Where a command will write, checked before it does any work: a teacher who mistyped `--out` learns
it in a second, not after a class has been graded, and nothing is written where it should not be.

`problem()` answers with a message id of the catalogs and its params (the caller words it in the
teacher's language), or None when the path will do.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Literal

Problem = tuple[str, dict]


def problem(path: Path, *, option: str, kind: Literal["folder", "file"], new: bool = False,
            not_inside: tuple[Path, ...] = (), not_at: tuple[Path, ...] = ()) -> Problem | None:
    """What is wrong with writing `path` (a folder, or a file) given as `option`: a file where a folder
    is wanted or the reverse, something there already (`new`: it must not exist), one of `not_at` or a
    place inside one of `not_inside` (the input, say), or a parent that is a file or cannot be written in."""
    params = {"option": option, "path": str(path)}
    if path.exists():
        if new:
            return "out_exists", params
        if kind == "folder" and not path.is_dir():
            return "out_is_file", params
        if kind == "file" and path.is_dir():
            return "out_is_folder", params
    resolved = path.resolve()
    for inside in not_inside:
        if resolved.is_relative_to(Path(inside).resolve()):
            return "out_inside", {**params, "inside": str(inside)}
    for there in not_at:
        if resolved == Path(there).resolve():
            return "out_is_input", params
    return _unwritable(path, params)


def _unwritable(path: Path, params: dict) -> Problem | None:
    """Whether the nearest folder that exists on the way to `path` takes a new entry: tried for real
    (an empty folder made and removed), since permission bits do not tell for root or for /proc."""
    parent = path.absolute() if path.is_dir() else path.absolute().parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir():
        return "out_under_file", {**params, "parent": str(parent)}
    try:
        os.rmdir(tempfile.mkdtemp(prefix=".grader-probe-", dir=parent))
    except OSError as exc:
        return "out_unwritable", {**params, "parent": str(parent), "reason": exc.strerror or str(exc)}
    return None
