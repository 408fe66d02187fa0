"""Where in the student's file something happened: creation sites and trimmed stacks."""

from __future__ import annotations

import functools
import inspect
import linecache
import os
import sys
import traceback
import types
from types import FrameType

STUDENT_FILE: str | None = None  # set by install(); frames from other files are judge or stdlib


def set_student_file(path: str) -> None:
    global STUDENT_FILE
    STUDENT_FILE = path


# Where the judge's own classes live: a pack's scenarios (bootstrap.py runs them as this module) and
# the harness. A student never reads their names (issue 23).
SCENARIO_MODULE = "judge_scenario"


def shown_type(cls) -> str:
    """A type's name as a student reads it: a class of the judge's (an exception that a pack's own
    `handle` raised, say) by the nearest class it derives from that is Python's or the student's,
    `Exception` for JudgeError: what their call raised, never the judge's name for it."""
    for klass in getattr(cls, "__mro__", (cls,)):
        module = str(getattr(klass, "__module__", "") or "")
        if module != SCENARIO_MODULE and module != "grader" and not module.startswith("grader."):
            return str(getattr(klass, "__qualname__", None) or getattr(klass, "__name__", "?"))
    return "object"  # pragma: no cover - every class derives from object


HARNESS_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCENARIO_FILE = "<judge scenario>"  # the file name bootstrap.py compiles a pack's scenarios under


def is_judges(code) -> bool:
    """Code of a pack's scenarios or of the harness: never named to the student."""
    return _judges_file(code.co_filename)


def _students_function(value) -> str | None:
    function = getattr(value, "__func__", value)  # a bound method: its function
    code = getattr(function, "__code__", None)
    if code is not None and STUDENT_FILE is not None and code.co_filename == STUDENT_FILE:
        return str(getattr(function, "__name__", "") or "") or None
    return None


def thread_target(target, args=(), kwargs=None) -> tuple[bool, str | None]:
    """Whether a thread's target is the judge's (a pack's wrapper, the harness's), and if so the
    student's function it runs (found among the names its code uses, on the objects it closes over
    or is given), else None. A thread's name shows the student's function, never the wrapper."""
    while isinstance(target, functools.partial):
        args, kwargs, target = (*target.args, *args), {**target.keywords, **(kwargs or {})}, target.func
    function = getattr(target, "__func__", target)
    code = getattr(function, "__code__", None)
    if code is None or not is_judges(code):
        return False, None
    names: list[str] = []
    codes = [code]
    while codes:  # the wrapper's code and the code it nests (a lambda, a comprehension)
        c = codes.pop()
        names.extend(c.co_names)
        codes.extend(k for k in c.co_consts if isinstance(k, types.CodeType))
    cells = [cell.cell_contents for cell in (getattr(function, "__closure__", None) or ()) if _filled(cell)]
    globals_ = getattr(function, "__globals__", {}) or {}
    seen = [*cells, *args, *(kwargs or {}).values(), getattr(target, "__self__", None),
            *(globals_.get(n) for n in names)]
    for value in seen:
        found = _students_function(value)
        if found:
            return True, found
    for value in seen:
        for name in names:
            try:
                found = _students_function(inspect.getattr_static(value, name))
            except (AttributeError, TypeError):
                continue
            if found is None and isinstance(value, types.ModuleType):
                found = _students_function(value.__dict__.get(name))
            if found:
                return True, found
    return True, None


def print_without_the_judge(exc_type, exc, tb, header: str) -> bool:
    """Print a traceback as Python would, but without the judge's frames (a pack's scenarios, the
    harness) and with a class of the judge's named as its Python base (shown_type), when either is
    in it; False (nothing printed) when it has neither: Python prints it itself."""
    if isinstance(exc_type, type) and issubclass(exc_type, SystemExit):
        return False  # threading ends a thread with it silently
    frames = traceback.extract_tb(tb)
    shown = shown_type(exc_type)
    if shown == getattr(exc_type, "__qualname__", shown) and not any(_judges_file(f.filename) for f in frames):
        return False
    kept = traceback.StackSummary.from_list([f for f in frames if not _judges_file(f.filename)])
    if shown == getattr(exc_type, "__qualname__", shown):  # Python's own words for it
        last = traceback.format_exception_only(exc_type, exc)
    else:
        try:
            said = str(exc)
        except Exception:  # noqa: BLE001 - a student exception whose __str__ fails
            said = "<unprintable>"
        last = [f"{shown}: {said}\n" if said else f"{shown}\n"]
    text = "".join([f"{header}\n", "Traceback (most recent call last):\n", *kept.format(), *last])
    try:
        sys.stderr.write(text)
        sys.stderr.flush()
    except Exception:  # noqa: BLE001 - no stderr left: nothing to print on  # pragma: no cover
        pass
    return True


def _judges_file(name: str) -> bool:
    return name == SCENARIO_FILE or name.startswith(HARNESS_DIR + os.sep)


def _filled(cell) -> bool:
    try:
        cell.cell_contents  # noqa: B018 - an empty cell raises
    except ValueError:
        return False
    return True


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
    return {"type": shown_type(type(exc)), "message": text,
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
