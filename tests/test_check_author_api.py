"""Packs use only the check author's public surface (docs/exercise-packs.md, "The check author's
API"): packs can live outside this repository, so anything else they touched would break a teacher's
pack on the grader's next refactor.

The rule, for each Python file of a pack (its starter and tests/; the solution and the samples are
students' code, graded as such):
- from the grader, a file imports only `grader.harness.judge.api` (the hidden tests) and
  `grader.harness.child.probe` (what a scenario receives as `probe`);
- it reads no private attribute (`x._name`, or `getattr(x, "_name")`; dunders are Python's own)
  of an object it did not define: the name must be one the file itself defines, in a class body or
  by assigning `something._name = ...`.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from grader.host import scaffold
from grader.host.packs import AUTHOR_ONLY, Exercise, load_all, load_exercise

from .conftest import ROOT

PUBLIC = {"grader.harness.judge.api", "grader.harness.child.probe"}

# No pack needs an exception to the rule today. One that would should get a public call instead.


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _grader_module(name: str) -> bool:
    return name == "grader" or name.startswith("grader.")


def _defined(tree: ast.AST) -> set[str]:
    """The private names a file defines itself: assigned as attributes, or in a class body."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            names.add(node.attr)
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    names.add(item.name)
                targets = item.targets if isinstance(item, ast.Assign) else (
                    [item.target] if isinstance(item, ast.AnnAssign) else [])
                names.update(t.id for t in targets if isinstance(t, ast.Name))
    return {n for n in names if _private(n)}


def violations(source: str) -> list[str]:
    """What a file of a pack does against the rule, one line each (`line: what`); empty if nothing."""
    tree = ast.parse(source)
    own = _defined(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [f"{node.lineno}: import {a.name}" for a in node.names
                      if _grader_module(a.name) and a.name not in PUBLIC]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and _grader_module(node.module or ""):
            module = node.module or ""
            found += [f"{node.lineno}: from {module} import {a.name}" for a in node.names
                      if module not in PUBLIC and f"{module}.{a.name}" not in PUBLIC]
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load):
            if _private(node.attr) and node.attr not in own:
                found.append(f"{node.lineno}: .{node.attr}")
        elif isinstance(node, ast.Call) and node.args:
            # getattr(x, "_name") as x._name; importlib.import_module("grader...") as an import
            callee = node.func.id if isinstance(node.func, ast.Name) else (
                node.func.attr if isinstance(node.func, ast.Attribute) else "")
            first = node.args[1] if callee in ("getattr", "hasattr") and len(node.args) > 1 else (
                node.args[0] if callee in ("import_module", "__import__") else None)
            text = first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else None
            if text is None:
                continue
            if callee in ("getattr", "hasattr") and _private(text) and text not in own:
                found.append(f"{node.lineno}: {callee}(..., {text!r})")
            elif callee in ("import_module", "__import__") and _grader_module(text) and text not in PUBLIC:
                found.append(f"{node.lineno}: {callee}({text!r})")
    return sorted(found, key=lambda v: int(v.split(":")[0]))


def _files(pack: Path) -> list[Path]:
    return sorted(p for p in pack.rglob("*.py")
                  if "__pycache__" not in p.parts and p.relative_to(pack).parts[0] not in AUTHOR_ONLY)


def _pack_violations(exercise: Exercise) -> list[str]:
    out = []
    for path in _files(exercise.root):
        relative = path.relative_to(exercise.root).as_posix()
        out += [f"{relative}:{found}" for found in violations(path.read_text(encoding="utf-8"))]
    return out


def _packs() -> list[Exercise]:
    return [*load_all(ROOT / "exercises"), *(load_exercise(p) for p in sorted((ROOT / "tests" / "packs").iterdir()))]


@pytest.mark.parametrize("exercise", _packs(), ids=lambda ex: ex.slug)
def test_a_pack_uses_only_the_public_surface(exercise):
    found = _pack_violations(exercise)
    assert not found, (f"{exercise.slug} reaches past grader.harness.judge.api and probe "
                       "(docs/exercise-packs.md, \"The check author's API\"):\n" + "\n".join(found))


def test_the_pack_grader_new_writes_uses_only_the_public_surface(tmp_path: Path):
    scaffold.new_pack("shared-total", tmp_path)
    assert _pack_violations(load_exercise(tmp_path / "shared-total")) == []


def test_the_rule_catches_the_harness_private_modules_and_state():
    assert violations("from grader.harness.judge.visits import most_inside\n") == [
        "1: from grader.harness.judge.visits import most_inside"]
    assert violations("from grader.harness.child import sites, probe\n") == [
        "1: from grader.harness.child import sites"]
    assert violations("import grader.harness.child.pool_watch as pw\n") == ["1: import grader.harness.child.pool_watch"]
    assert violations("import importlib\nimportlib.import_module('grader.harness.judge.held_http')\n") == [
        "2: import_module('grader.harness.judge.held_http')"]
    assert violations("import sys\nframes = sys._current_frames()\n") == ["2: ._current_frames"]
    assert violations("def f(lock):\n    return lock._count\n") == ["2: ._count"]
    assert violations("def f(t):\n    return getattr(t, '_target', None)\n") == ["2: getattr(..., '_target')"]


def test_the_rule_allows_the_public_surface_and_a_files_own_names():
    assert violations("from grader.harness.judge.api import HoldingServer, expect\n"
                      "from grader.harness.child import probe\nimport grader.harness.child.probe\n") == []
    own = ("class Watch:\n    def _spawned(self, g):\n        pass\n"
           "    def start(self):\n        self._seen = []\n        return self._spawned, self._seen\n")
    assert violations(own) == []
    assert violations("def f(x):\n    return x.__dict__, type(x).__name__\n") == []
    assert violations("import helpers\nfrom . import local\n") == []
