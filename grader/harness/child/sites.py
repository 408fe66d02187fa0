"""Where in the student's file something happened: creation sites and trimmed stacks."""

from __future__ import annotations

import linecache
import sys

STUDENT_FILE: str | None = None  # set by install(); frames from other files are judge or stdlib


def set_student_file(path: str) -> None:
    global STUDENT_FILE
    STUDENT_FILE = path


def _entry(frame, lineno=None) -> dict:
    line = lineno if lineno is not None else frame.f_lineno
    return {
        "line": line,
        "function": frame.f_code.co_name,
        "code": linecache.getline(frame.f_code.co_filename, line).strip(),
    }


def student_site(depth: int = 2) -> dict | None:
    """The innermost frame of the caller's stack that is in the student's file."""
    if STUDENT_FILE is None:
        return None
    frame = sys._getframe(depth)
    while frame is not None:
        if frame.f_code.co_filename == STUDENT_FILE:
            return _entry(frame)
        frame = frame.f_back
    return None


def student_stack(frame) -> list[dict]:
    """The student's frames of a stack, outermost first."""
    out = []
    while frame is not None:
        if frame.f_code.co_filename == STUDENT_FILE:
            out.append(_entry(frame))
        frame = frame.f_back
    out.reverse()
    return out


def student_traceback(tb) -> list[dict]:
    """The student's frames of a traceback, outermost first."""
    out = []
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == STUDENT_FILE:
            out.append(_entry(tb.tb_frame, tb.tb_lineno))
        tb = tb.tb_next
    return out
