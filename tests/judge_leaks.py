"""Nothing of the judge in what a student reads (issue 23): a report's student-facing text names no
judge, no JudgeError, no file of the harness or of a pack's scenarios, and every function it shows
(a thread's target, a stack's lines) is the student's own.

`leaks(text)` finds the words; `foreign_functions(report, source)` the functions of a report.json
that the student's file does not define. Used over every sample's report (tests/test_samples.py).
"""

from __future__ import annotations

import ast
import html
import re
from pathlib import Path

# The judge by name, its files, and the Chinese words a report would blame it with.
WORDS = re.compile(r"judge|grader/harness|grader\.harness|scenarios\.py|评测|判题|裁判", re.IGNORECASE)
# A thread's name as Python makes it up, "Thread-3 (visit)": its target's name in brackets.
TARGET = re.compile(r"^(?:Thread|Dummy)-\d+ \((?P<target>[^()]+)\)$")


def page_text(page: str) -> str:
    """What a browser shows of a report.html: its text, without the tags, styles and attributes."""
    body = re.sub(r"<style>.*?</style>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


def leaks(text: str, allowed: tuple[str, ...] = ()) -> list[str]:
    """Each place `text` speaks of the judge, with a little context. `allowed`: words of the
    student's own file (a student may name a variable `judge`)."""
    found = []
    for match in WORDS.finditer(text):
        around = text[max(0, match.start() - 60):match.end() + 60].replace("\n", " ")
        if not any(word.lower() in around.lower() and match.group().lower() in word.lower() for word in allowed):
            found.append(around)
    return found


def student_names(source: str) -> set[str]:
    """Every function, class and lambda-holding name the student's file defines, and `<module>`."""
    names = {"<module>", "<lambda>"}
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return names
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
    return names


def _threads_and_stacks(node, out: list[tuple[str, str]]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("threads",) and isinstance(value, list):
                for t in value:
                    if isinstance(t, dict):
                        out.append(("thread", str(t.get("name", ""))))
                        out.append(("thread", str(t.get("last") or "")))
            elif key == "thread" and isinstance(value, str):
                out.append(("thread", value))
            elif key == "stack" and isinstance(value, list):
                out.extend(("function", str(s.get("function", ""))) for s in value if isinstance(s, dict))
            _threads_and_stacks(value, out)
    elif isinstance(node, list):
        for value in node:
            _threads_and_stacks(value, out)


def judge_functions(root: Path) -> set[str]:
    """The functions of the harness and of every pack's checks and scenarios."""
    names: set[str] = set()
    for path in [*(root / "grader" / "harness").rglob("*.py"), *(root / "exercises").glob("*/tests/*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names.add(node.name)
    return names


def foreign_functions(report: dict, source: str, judges: set[str]) -> list[str]:
    """Functions of the judge's (`judges`, judge_functions) a student's report shows that the
    student's file does not define: a thread named after a wrapper of the harness or of a pack's
    scenarios, or a line of theirs taken for the student's."""
    own = student_names(source)
    shown: list[tuple[str, str]] = []
    _threads_and_stacks(report, shown)
    out = []
    for kind, name in shown:
        if kind == "thread":
            match = TARGET.match(name)
            target = match.group("target") if match else None
            if target is not None and target in judges and target not in own:
                out.append(f"thread {name!r}")
        elif name and name in judges and name not in own:
            out.append(f"line in {name!r}")
    return sorted(set(out))
