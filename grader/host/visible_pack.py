"""A copy of an exercise pack with its visible checks only, for students (a handout's self-check).

Hidden checks must not leave the teacher's hands: not their names, tests, hints or messages, nor
the scenarios and helpers only they use. So the copy is rebuilt, not filtered by hand:
- exercise.yaml lists the visible checks only (and says how many checks and points it left out);
- each tests/test_*.py keeps the visible checks' test functions, and of the rest only what they use
  (fixtures by parameter name, helpers and constants by name), to a fixed point; the code is written
  back from its syntax tree, so no comment travels;
- tests/scenarios.py keeps the scenario functions those tests run (`student.run("name")` ...) and what
  those use;
- i18n/<lang>.po is written again from the copy's own texts, keeping their translations (and no
  obsolete entry: the hidden checks' messages would be among them);
- the author's solution/ and samples/ are never copied.
"""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import yaml

from . import pack_i18n
from .packs import AUTHOR_ONLY, Exercise, load_exercise

RUNNERS = ("run", "record", "explore", "outcome")  # student.<runner>("scenario", ...)


def write_visible_pack(exercise: Exercise, target: Path) -> Exercise:
    """Write the visible-only copy of `exercise` to `target` (a folder named after the slug)."""
    visible = {n for n, c in exercise.spec.checks.items() if c.visibility.value == "visible"}
    hidden = {n: c for n, c in exercise.spec.checks.items() if n not in visible}
    target.mkdir(parents=True)
    for item in exercise.root.iterdir():
        if item.name in (*AUTHOR_ONLY, "tests", "i18n", "exercise.yaml", "__pycache__"):
            continue
        if item.is_dir():
            shutil.copytree(item, target / item.name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(item, target / item.name)
    spec = yaml.safe_load((exercise.root / "exercise.yaml").read_text(encoding="utf-8"))
    spec["checks"] = {n: c for n, c in spec["checks"].items() if n in visible}
    spec["left_out"] = {"checks": len(hidden), "points": sum(c.points for c in hidden.values())}
    (target / "exercise.yaml").write_text(yaml.safe_dump(spec, sort_keys=False, allow_unicode=True, width=100),
                                          encoding="utf-8")
    tests = target / "tests"
    tests.mkdir()
    scenario_names: set[str] = set()
    for test_file in sorted(exercise.tests_dir.glob("test_*.py")):
        tree = ast.parse(test_file.read_text(encoding="utf-8"))
        keep_only(tree, roots={f"test_{n}" for n in visible}, prefix="test_")
        scenario_names |= scenarios_run(tree)
        (tests / test_file.name).write_text(ast.unparse(tree) + "\n", encoding="utf-8")
    scenarios = exercise.tests_dir / "scenarios.py"
    if scenarios.exists():
        tree = ast.parse(scenarios.read_text(encoding="utf-8"))
        keep_only(tree, roots=scenario_names, prefix=None)
        (tests / "scenarios.py").write_text(ast.unparse(tree) + "\n", encoding="utf-8")
    copy = load_exercise(target)
    for po in sorted((exercise.root / "i18n").glob("*.po")):
        (target / "i18n").mkdir(exist_ok=True)
        shutil.copy2(po, target / "i18n" / po.name)
        # the copy's texts only, with their translations: no obsolete entries (the hidden checks' messages)
        pack_i18n.update_catalog(copy, po.stem, keep_obsolete=False)
    return copy


def keep_only(tree: ast.Module, roots: set[str], prefix: str | None) -> None:
    """Drop the module's top-level definitions that `roots` do not reach. With `prefix`, the test
    functions (named prefix...) that are not roots go first; imports and other statements stay."""
    named = {_defined(node): node for node in tree.body if _defined(node)}
    wanted = {name for name in named if name in roots}
    if prefix is None:
        wanted |= roots & set(named)
    frontier = set(wanted)
    while frontier:
        reached = set()
        for name in frontier:
            reached |= _uses(named[name]) & set(named)
        frontier = reached - wanted
        wanted |= frontier
    # Statements that define nothing (imports, a module docstring) stay; so does what they use.
    for node in tree.body:
        if not _defined(node):
            wanted |= _uses(node) & set(named)
    tree.body = [node for node in tree.body if not _defined(node) or _defined(node) in wanted]
    if prefix is not None and tree.body and _is_docstring(tree.body[0]):
        del tree.body[0]  # a test module's docstring may describe every check, hidden ones too


def scenarios_run(tree: ast.Module) -> set[str]:
    """The scenario names the module's code may run: `student.run("name", ...)` and the like, and
    any other string that could be a scenario's name, since a helper may take it as an argument
    (`_run(student, "judge_tasks", server)`); a string that names no scenario keeps nothing."""
    names = set()
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in RUNNERS
                and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            names.add(node.args[0].value)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.isidentifier():
            names.add(node.value)
    return names


def _defined(node: ast.stmt) -> str | None:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return node.name
    if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
        return node.targets[0].id
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return node.target.id
    return None


def _uses(node: ast.AST) -> set[str]:
    """Names a definition refers to: loaded names, and parameters (pytest fixtures by name)."""
    used = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name):
            used.add(sub.id)
        elif isinstance(sub, ast.arg):
            used.add(sub.arg)
    return used


def _is_docstring(node: ast.stmt) -> bool:
    return isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
