"""Scheduling points inside the student's own code, before the bytecodes that touch shared state.

A race with no sleep in its window (`counter += 1`, `d[k] = d.get(k, 0) + 1`, `if not started:
started = True`) happens between a load and a store of the same line. Only frames of the student's
file are traced, with `f_trace_opcodes`; the standard library, site-packages and the judge's
scenarios never are. Each code object's point offsets are computed once, with `dis`:

- writes: STORE_GLOBAL, STORE_ATTR, STORE_SUBSCR, a STORE_DEREF of a free variable (`nonlocal`),
  and the DELETE_ forms;
- reads: a subscript (BINARY_SUBSCR), `in` (CONTAINS_OP), and a load of a global, an attribute or
  a free variable that some code of the student's (or the scenario's) writes. Attributes written only
  in `__init__` are set before the object is shared and do not count;
- ticks: a backward jump (JUMP_BACKWARD, POP_JUMP_BACKWARD_IF_*), one turn of a loop, for spin
  detection (not a point).

The tracer costs about 0.1 µs per traced bytecode, and slows untraced code of a traced thread about
3× (CPython 3.11 routes every frame through its tracing path once a trace function is set).
"""

from __future__ import annotations

import dis
import sys
import types

READ, WRITE, TICK = "read", "write", "tick"
# The real one, taken before guard.py replaces sys.settrace with one that refuses the student's calls.
settrace = sys.settrace

_WRITES = {"STORE_GLOBAL", "DELETE_GLOBAL", "STORE_ATTR", "DELETE_ATTR", "STORE_SUBSCR", "DELETE_SUBSCR"}
_READS = {"BINARY_SUBSCR", "CONTAINS_OP"}


class SharedNames:
    """Names that some scanned code writes: loads of them are reads of shared state."""

    def __init__(self):
        self.globals: set[str] = set()
        self.attrs: set[str] = set()
        self.cells: set[str] = set()

    def scan(self, code: types.CodeType) -> None:
        for ins in dis.get_instructions(code):
            if ins.opname in ("STORE_GLOBAL", "DELETE_GLOBAL"):
                self.globals.add(ins.argval)
            elif ins.opname in ("STORE_ATTR", "DELETE_ATTR") and code.co_name != "__init__":
                self.attrs.add(ins.argval)
            elif ins.opname == "STORE_DEREF" and ins.argval in code.co_freevars:
                self.cells.add(ins.argval)
        for const in code.co_consts:
            if isinstance(const, types.CodeType):
                self.scan(const)


def point_offsets(code: types.CodeType, shared: SharedNames) -> dict[int, tuple[str, str]]:
    """offset -> (kind, name) for one code object."""
    out = {}
    for ins in dis.get_instructions(code):
        op, name = ins.opname, ins.argval if isinstance(ins.argval, str) else ""
        if op in _WRITES or (op == "STORE_DEREF" and name in code.co_freevars):
            out[ins.offset] = (WRITE, _shown(op, name))
        elif op in _READS:
            out[ins.offset] = (READ, "[]" if op == "BINARY_SUBSCR" else "in")
        elif ((op == "LOAD_GLOBAL" and name in shared.globals)
              or (op == "LOAD_ATTR" and name in shared.attrs)
              or (op in ("LOAD_DEREF", "LOAD_CLASSDEREF") and name in shared.cells)):
            out[ins.offset] = (READ, _shown(op, name))
        elif op == "JUMP_BACKWARD" or op.startswith("POP_JUMP_BACKWARD_IF_"):
            out[ins.offset] = (TICK, "")
    return out


def _shown(op: str, name: str) -> str:
    """How the student reads the target: `.value` for an attribute, `[]` for a subscript."""
    if op.endswith("_ATTR"):
        return "." + name
    if op.endswith("_SUBSCR"):
        return "[]"
    return name


class Tracer:
    """The trace functions, bound to one student file and one callback for every point."""

    def __init__(self, student_file: str, on_point, on_entry=None, entry_from: str = "<judge scenario>"):
        self.student_file = student_file
        self.on_point = on_point  # (frame, kind, name) -> None
        self.on_entry = on_entry  # (frame) -> None: a student function the scenario itself called
        self.entry_from = entry_from  # the scenario code's file name
        self.shared = SharedNames()
        self._local: dict[int, tuple] = {}  # id(code) -> (code, local trace function or None)
        self.enabled = True
        self.global_trace = self._global_trace()

    def scan(self, code: types.CodeType) -> None:
        """Learn the names a module (the student's, or the scenario's) writes, before it runs."""
        self.shared.scan(code)
        self._local.clear()

    def install(self) -> None:
        """Trace the calling thread from now on (each tracked thread, from its run(); the main
        thread, for each run of the scenario)."""
        if self.enabled:
            settrace(self.global_trace)

    def _global_trace(self):
        """The function CPython calls for every new frame of a traced thread: it must be cheap."""
        student_file, cache, make_local = self.student_file, self._local, self._make_local
        on_entry, entry_from = self.on_entry, self.entry_from

        def global_trace(frame, event, arg):
            code = frame.f_code
            if code.co_filename != student_file:
                return None
            if on_entry is not None:
                back = frame.f_back
                if back is not None and back.f_code.co_filename == entry_from:
                    on_entry(frame)
            entry = cache.get(id(code))
            if entry is None or entry[0] is not code:
                entry = cache[id(code)] = (code, make_local(code))
            local = entry[1]
            if local is not None:
                frame.f_trace_lines = False
                frame.f_trace_opcodes = True
            return local

        return global_trace

    def _make_local(self, code: types.CodeType):
        offsets = point_offsets(code, self.shared)
        get = offsets.get
        on_point = self.on_point

        def local(frame, event, arg):
            if event == "opcode":
                what = get(frame.f_lasti)
                if what is not None:
                    on_point(frame, what[0], what[1])
            return local

        return local if offsets else None

    def stop(self) -> None:
        """No more tracing in this process (a forked worker: its schedule is not explored)."""
        self.enabled = False
        settrace(None)
