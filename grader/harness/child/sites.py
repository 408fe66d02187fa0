"""Where in the student's file something happened: creation sites and trimmed stacks."""

from __future__ import annotations

import linecache
import sys
from types import FrameType

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
    frame: FrameType | None = sys._getframe(depth)
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


def student_error(exc, tb=None) -> dict:
    """An exception the student's code raised, as plain data: its type, its text (cut short; a
    student exception whose __str__ fails reads "<unprintable>") and the student's lines."""
    try:
        text = str(exc)[:300]
    except Exception:  # noqa: BLE001 - a student exception whose __str__ fails
        text = "<unprintable>"
    return {"type": type(exc).__name__, "message": text,
            "stack": student_traceback(tb if tb is not None else exc.__traceback__)}


def student_traceback(tb) -> list[dict]:
    """The student's frames of a traceback, outermost first."""
    out = []
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == STUDENT_FILE:
            out.append(_entry(tb.tb_frame, tb.tb_lineno))
        tb = tb.tb_next
    return out


CALL_TEXT_LIMIT = 160
_PLAIN = (int, float, bool, type(None))
_BRACKETS: dict[type, tuple[str, str]] = {list: ("[", "]"), tuple: ("(", ")"), set: ("{", "}"), dict: ("{", "}")}


def call_text(frame) -> str:
    """A student function's call as code, from its frame at entry: `run(100, 100)`,
    `Tally.add('the')`, `transfer(src, dst, 50)`. Only plain data (numbers, strings, and lists,
    tuples, sets and dicts of them) is shown by value; anything else by its parameter's name, so
    no student code (a __repr__, a __getattr__) runs inside the tracer."""
    code = frame.f_code
    names = code.co_varnames[:code.co_argcount + code.co_kwonlyargcount]
    values = frame.f_locals
    shown = [_value_text(values.get(name), 40) or name
             for i, name in enumerate(names) if not (i == 0 and name in ("self", "cls"))]
    text = f"{code.co_qualname}({', '.join(shown)})"
    return text if len(text) <= CALL_TEXT_LIMIT else text[:CALL_TEXT_LIMIT - 2] + "…)"


def _value_text(value, budget: int) -> str | None:
    """Plain data as code, cut to about `budget` characters; None for anything else."""
    kind = type(value)
    if kind in _PLAIN:
        return repr(value)
    if kind is str:
        return repr(value) if len(value) <= budget else repr(value[:budget]) + "…"
    if kind not in _BRACKETS:
        return None
    if kind is set and not value:
        return "set()"
    if kind is dict:
        parts = [f"{_value_text(k, 12) or '…'}: {_value_text(v, 12) or '…'}" for k, v in list(value.items())[:8]]
    else:
        parts = [_value_text(v, 12) or "…" for v in list(value)[:8]]
    if len(value) > 8:
        parts.append("…")
    opened, closed = _BRACKETS[kind]
    text = opened + ", ".join(parts) + ("," if kind is tuple and len(value) == 1 else "") + closed
    return text if len(text) <= budget * 2 else text[:budget * 2] + "…" + closed
