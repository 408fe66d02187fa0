"""A PEP 578 audit hook that ends the run, closed, when the student's code reaches for the harness.

Installed before the student's module is first compiled; an audit hook cannot be removed. What it
refuses is what only a cheat needs in these exercises: turning the tracer off or replacing it
(`sys.settrace`, `sys.setprofile`, `threading.settrace`), reaching frames (`sys._getframe`,
`sys._current_frames`, a traceback's or a generator's frame) and through them the harness's locals,
rummaging in the heap (`gc.get_objects`, `gc.get_referrers`, `gc.get_referents`), swapping a
function's `__code__` or making code objects, `ctypes`, and compiling code under a file name of
the harness or the standard library (its frames would then pass for theirs).

Whose call it is comes from the frames: the student's are those of the student's file and of any
code that is not the standard library's, site-packages', the grader's or the judge's scenario (so
code the student compiles or writes to /tmp is the student's too). An event is refused when the
nearest frame that is not a thin wrapper (inspect, traceback.walk_stack, ctypes) is the student's.
Not the whole chain: the harness turns its tracer off and on below the student's frames (each lock
operation, a forked worker's start), and `import asyncio` writes a `__code__` through the standard
library. What the student does through the harness's own functions (`install.tracer().stop()`),
integrity.py and the static screen (host/screen.py) find.

`sys.settrace` and `sys.setprofile` are replaced by functions that make the same check (see install()).
A refusal is not an exception the student could catch: `on_tampered` reports and leaves the process.
"""

from __future__ import annotations

import functools
import linecache
import os
import sys
import sysconfig
import threading
from collections.abc import Callable
from types import CodeType, FrameType
from typing import Any

# What a refusal says: the event, and the student's line that made it.
Tampering = dict

_FRAME_ATTRS = frozenset({"tb_frame", "gi_frame", "cr_frame", "ag_frame"})
_CALLER_EVENTS = frozenset({"sys._getframe", "sys._current_frames", "gc.get_objects", "gc.get_referrers",
                            "gc.get_referents", "code.__new__", "function.__new__"})
_WATCHED = _CALLER_EVENTS | {"object.__getattr__", "object.__setattr__", "compile", "exec"}
# Module files whose frames are looked through to their caller: they only pass a call on.
_THIN_WRAPPERS = ("/inspect.py", "/ctypes/__init__.py", "/ctypes/util.py", "/asyncio/base_tasks.py")
# traceback.walk_stack hands out frames too; but traceback.print_exc() reads tb_frame for an honest
# student, so traceback.py is looked through for sys._getframe only.
_FRAME_WRAPPERS = (*_THIN_WRAPPERS, "/traceback.py")
_GRADER_PACKAGE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # grader/


@functools.cache  # the fork server asks before forking: no child pays for sysconfig again
def trusted_roots() -> tuple[str, ...]:
    """Folders whose code is not the student's: the standard library, site-packages, the grader."""
    paths = sysconfig.get_paths()
    roots = {os.path.realpath(paths[k]) for k in ("stdlib", "platstdlib", "purelib", "platlib") if k in paths}
    roots.add(os.path.realpath(_GRADER_PACKAGE))
    return tuple(sorted(r.rstrip(os.sep) + os.sep for r in roots))


def install(student_file: str, on_tampered: Callable[[Tampering], None]) -> None:
    roots = trusted_roots()
    known: dict[str, bool] = {student_file: True}
    busy: set[int] = set()
    get_ident = threading.get_ident
    getframe = sys._getframe

    def students(code: CodeType) -> bool:
        name = code.co_filename
        mine = known.get(name)
        if mine is None:
            if name.startswith("<"):
                mine = not name.startswith(("<frozen ", "<judge scenario>"))
            else:
                mine = not os.path.realpath(name).startswith(roots)
            known[name] = mine
        return mine

    def culprit(frame: FrameType | None, wrappers: tuple[str, ...] = _THIN_WRAPPERS) -> FrameType | None:
        """The frame that made the call, looking through thin wrappers; None when it is not the student's."""
        while frame is not None and frame.f_code.co_filename.endswith(wrappers):
            frame = frame.f_back
        return frame if frame is not None and students(frame.f_code) else None

    def refused(event: str, args: tuple, caller: FrameType) -> FrameType | None:
        if event in ("sys._getframe", "sys._current_frames"):
            return culprit(caller, _FRAME_WRAPPERS)
        if event in _CALLER_EVENTS:
            return culprit(caller)
        if event == "object.__getattr__":
            return culprit(caller) if args[1] in _FRAME_ATTRS else None
        if event == "object.__setattr__":
            name = args[1]
            if name == "__code__":  # types.coroutine writes one for an honest `import asyncio`
                return culprit(caller)
            return None
        if event == "compile":  # a file name that is not the student's, to pass for the harness's code
            filename = args[1]
            if isinstance(filename, bytes):
                filename = os.fsdecode(filename)
            if isinstance(filename, str) and not filename.startswith("<") and filename != student_file \
                    and os.path.realpath(filename).startswith(roots):
                return culprit(caller)
            return None
        if event == "exec":
            code = args[0]
            if isinstance(code, CodeType) and not students(code):
                return culprit(caller)
            return None
        if event.startswith("ctypes."):
            return culprit(caller)
        return None

    def hook(event: str, args: tuple) -> None:
        if event not in _WATCHED and not event.startswith("ctypes."):
            return
        if event == "object.__getattr__" and args[1] not in _FRAME_ATTRS:
            return  # the tracer reads f_code all the time: the cheapest way out
        ident = get_ident()
        if ident in busy:
            return  # the hook's own sys._getframe
        busy.add(ident)
        try:
            caller = getframe(1)
            frame = refused(event, args, caller)
        finally:
            busy.discard(ident)
        if frame is not None:
            on_tampered(describe(event, args, frame))

    sys.addaudithook(hook)

    def checked(name: str, real: Callable[[Any], None]) -> Callable[[Any], None]:
        def set_hook(function: Any) -> None:
            frame = culprit(getframe(1))
            if frame is not None:
                on_tampered(describe(name, (), frame))
            real(function)
        return set_hook

    # Not through the audit hook: Python code in the hook of one thread's sys.settrace lets another
    # thread's sys.settrace in, and CPython refuses that one ("Cannot install a trace function while
    # another trace function is being installed"). The harness keeps the real ones (tracing.py).
    sys.settrace = checked("sys.settrace", sys.settrace)
    sys.setprofile = checked("sys.setprofile", sys.setprofile)
    for name in ("settrace", "setprofile", "settrace_all_threads", "setprofile_all_threads"):
        if hasattr(threading, name):  # they only set a variable that new threads read: no audit event
            setattr(threading, name, refuse(f"threading.{name}", on_tampered))


def describe(event: str, args: tuple, frame: FrameType) -> Tampering:
    """What was refused, where: the event as the student would write it, and their line."""
    what = event
    if event == "object.__getattr__":
        what = f".{args[1]}"
    elif event == "object.__setattr__":
        what = f"{getattr(args[0], '__qualname__', type(args[0]).__name__)}.{args[1]} = ..."
    elif event == "import":
        what = f"import {args[0]}"
    line = frame.f_lineno
    filename = frame.f_code.co_filename
    return {"what": what, "line": line, "code": linecache.getline(filename, line).strip()[:200],
            "in_file": os.path.basename(filename)}


def refuse(what: str, on_tampered: Callable[[Tampering], None]) -> Callable[..., None]:
    """A replacement for a function only a cheat calls (threading.settrace): it reports the caller."""
    def refused(*args, **kwargs) -> None:
        frame = sys._getframe(1)
        on_tampered({"what": what, "line": frame.f_lineno,
                     "code": linecache.getline(frame.f_code.co_filename, frame.f_lineno).strip()[:200],
                     "in_file": os.path.basename(frame.f_code.co_filename)})
    return refused
