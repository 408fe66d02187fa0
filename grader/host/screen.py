"""The static screen: lines of a submitted file that reach for the grader's internals (pure functions).

The second line behind the child's audit hook (harness/child/guard.py): a module's attributes can be
rebound without any audit event, so `sys.modules["grader.harness.child.install"].SCHED = ...` or an
`import grader.harness...` is found here, in the file's syntax tree, before grading. A finding costs
no points by itself: it marks the exercise for the teacher's review (report, dashboard, grades.csv).
No exercise needs any of these:

- the grader's own modules, imported or named in a string (`sys.modules[...]`, `importlib`);
- frames and code objects: `sys._getframe`, `sys._current_frames`, `inspect.currentframe`/`stack`,
  `traceback.walk_stack`, a frame's or a function's insides (`f_back`, `f_trace`, `f_locals`,
  `__code__`, `__closure__`...);
- the tracer: `sys.settrace`/`setprofile`, `threading.settrace`/`setprofile`, `_trace_hook`;
- the heap: `gc.get_objects`, `gc.get_referrers`, `gc.get_referents`;
- `ctypes`.
"""

from __future__ import annotations

import ast

_CALLS = {
    ("sys", "_getframe"), ("sys", "_current_frames"), ("sys", "settrace"), ("sys", "setprofile"),
    ("threading", "settrace"), ("threading", "setprofile"), ("inspect", "currentframe"), ("inspect", "stack"),
    ("traceback", "walk_stack"), ("gc", "get_objects"), ("gc", "get_referrers"), ("gc", "get_referents"),
}
_ATTRIBUTES = {"f_back", "f_trace", "f_trace_opcodes", "f_trace_lines", "f_locals", "f_globals", "f_lasti",
               "tb_frame", "gi_frame", "cr_frame", "ag_frame", "__code__", "__closure__", "co_code",
               "_trace_hook", "_profile_hook"}
_MODULES = ("grader", "ctypes", "_ctypes")


def findings(content: bytes) -> list[dict]:
    """{line, code, what} for each line that reaches for the grader's internals, in line order."""
    try:
        tree = ast.parse(content)
    except (SyntaxError, ValueError):
        return []  # a syntax error is reported on its own
    lines = content.decode("utf-8", "replace").splitlines()
    found: dict[int, str] = {}
    for node in ast.walk(tree):
        what = _what(node)
        line = getattr(node, "lineno", None)
        if what is not None and line:
            found.setdefault(line, what)
    return [{"line": line, "code": _line(lines, line), "what": what} for line, what in sorted(found.items())]


def _what(node: ast.AST) -> str | None:
    if isinstance(node, ast.Import):
        names = [a.name for a in node.names if _forbidden_module(a.name)]
        return f"import {names[0]}" if names else None
    if isinstance(node, ast.ImportFrom):
        if node.module and _forbidden_module(node.module):
            return f"from {node.module} import"
        if node.module in {module for module, _ in _CALLS}:
            names = [a.name for a in node.names if (node.module, a.name) in _CALLS]
            return f"{node.module}.{names[0]}" if names else None
        return None
    if isinstance(node, ast.Attribute):
        if isinstance(node.value, ast.Name) and (node.value.id, node.attr) in _CALLS:
            return f"{node.value.id}.{node.attr}"
        if node.attr in _ATTRIBUTES:
            return f".{node.attr}"
        return None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = node.value.strip()
        if _forbidden_module(text) or text in _ATTRIBUTES or text in {name for _, name in _CALLS}:
            return repr(text[:60])  # getattr(sys, "_getframe"), sys.modules["grader..."], import_module
    return None


def _forbidden_module(name: str) -> bool:
    return any(name == m or name.startswith(m + ".") for m in _MODULES)


def _line(lines: list[str], number: int) -> str:
    return lines[number - 1].strip()[:120] if 0 < number <= len(lines) else ""


def warnings(found: list[dict]) -> list[dict]:
    """The findings as message references for the report (advice that costs no points)."""
    return [{"id": "screen_finding", "params": f} for f in found]
