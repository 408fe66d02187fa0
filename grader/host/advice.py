"""Advice about a submitted file that costs no points, found without running it (pure functions).

- A file that uses processes (it imports multiprocessing or concurrent.futures) and runs the
  exercise as soon as it is imported, outside `if __name__ == "__main__":`. Under the spawn start
  method (the default on macOS and Windows) every worker process imports the file again, so this
  starts pools inside pools; under fork, as here, it works, so no check fails for it.
"""

from __future__ import annotations

import ast

PROCESS_MODULES = ("multiprocessing", "concurrent.futures", "concurrent")
STARTERS = {"Pool", "Process", "ProcessPoolExecutor"}  # constructors that start processes


def warnings(content: bytes) -> list[dict]:
    """Message references for the report (an empty list when there is nothing to say)."""
    try:
        tree = ast.parse(content)
    except (SyntaxError, ValueError):
        return []  # a syntax error is reported on its own
    call = import_time_call(tree)
    return [{"id": "no_main_guard", "params": call}] if call else []


def import_time_call(tree: ast.Module) -> dict | None:
    """The first call made at import that runs the file's own functions or starts processes, in a
    file that uses processes; None otherwise."""
    if not _uses_processes(tree):
        return None
    defined = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    for statement in tree.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Import,
                                  ast.ImportFrom)) or _is_main_guard(statement):
            continue
        for node in ast.walk(statement):
            if isinstance(node, ast.Call) and _name(node.func) in defined | STARTERS:
                return {"line": node.lineno, "code": ast.unparse(node)[:80]}
    return None


def _uses_processes(tree: ast.Module) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import) and any(a.name.split(".")[0] in ("multiprocessing", "concurrent")
                                                for a in node.names):
            return True
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in ("multiprocessing",
                                                                                        "concurrent"):
            return True
    return False


def _is_main_guard(statement: ast.stmt) -> bool:
    test = statement.test if isinstance(statement, ast.If) else None
    return (isinstance(test, ast.Compare) and isinstance(test.left, ast.Name) and test.left.id == "__name__"
            and len(test.comparators) == 1 and isinstance(test.comparators[0], ast.Constant)
            and test.comparators[0].value == "__main__")


def _name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None
