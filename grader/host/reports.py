"""Write a student's report.json and report.html (atomically), and the terminal's compact table."""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from . import trace_text
from .i18n import environment
from .messages import text
from .results import StudentResult

STATUS_STYLE = {"passed": "green", "failed": "red", "error": "magenta", "missing": "yellow",
                "timeout": "magenta", "deadlock": "magenta", "crash": "magenta", "infrastructure_error": "red"}


def safe_dirname(student: str) -> str:
    name = re.sub(r"[^\w.@+-]", "_", student, flags=re.UNICODE).strip("._") or "student"
    return name[:100]


def atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; reports are meant to be shared
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def render_html(result: StudentResult, lang: str = "en") -> str:
    template = environment(lang).get_template("report.html.j2")
    return template.render(r=result.to_dict(), msg=lambda mid, **kw: text(mid, lang, **kw),
                           trace_heading=lambda i: trace_text.heading(i, lang),
                           trace_step=lambda s: trace_text.step_text(s, lang))


def write(result: StudentResult, folder: Path, lang: str = "en") -> None:
    atomic_write(folder / "report.json", json.dumps(result.to_dict(), indent=2, ensure_ascii=False).encode("utf-8"))
    atomic_write(folder / "report.html", render_html(result, lang).encode("utf-8"))


def _points(score: float | None, max_score: float) -> str:
    return f"{score:g}/{max_score:g}" if score is not None else f"not graded/{max_score:g}"


def print_summary(result: StudentResult, console: Console | None = None, details: bool = False) -> None:
    console = console or Console()
    table = Table(title=f"{result.student}: {_points(result.score, result.max_score)} ({result.sandbox} sandbox)")
    table.add_column("exercise")
    table.add_column("status")
    table.add_column("points", justify="right")
    table.add_column("checks passed", justify="right")
    for ex in result.exercises:
        passed = sum(1 for c in ex.checks if c.status.value == "passed")
        style = STATUS_STYLE.get(ex.status.value, "")
        table.add_row(ex.exercise, f"[{style}]{ex.status.value}[/]", _points(ex.score, ex.max_score),
                      f"{passed}/{len(ex.checks)}")
    console.print(table)
    if result.sandbox_message:
        style = "red" if result.status.value == "infrastructure_error" else "yellow"
        console.print(f"[{style}]{escape(result.sandbox_message)}[/]", highlight=False)
    if result.sandbox_note:
        console.print(f"[yellow]{result.sandbox_note}[/]")
    if details:
        _print_details(result, console)


def _print_details(result: StudentResult, console: Console, lang: str = "en") -> None:
    """What a student needs to act on: each problem, and for stuck threads their lines."""
    def say(line: str) -> None:
        console.print(line, markup=False, highlight=False)

    def where(details: dict) -> None:
        for t in details.get("threads", []):
            lines = ", ".join(f"line {s['line']} ({s.get('code') or s['function']})" for s in t["stack"])
            say(f"      {t['name']}: {lines or 'outside your file'}")
        if details.get("stack"):
            say("      " + ", ".join(f"line {s['line']} ({s.get('code') or s['function']})" for s in details["stack"]))
        if details.get("interleaving"):
            for line in trace_text.lines(details["interleaving"], lang):
                say("      " + line)

    for ex in result.exercises:
        if ex.message:
            say(f"{ex.exercise}: {ex.message}")
            where(ex.details)
            continue
        for c in ex.checks:
            if c.status.value == "passed" or not c.message:
                continue
            say(f"  {ex.exercise} / {c.name} [{c.status.value}]: {c.message}")
            where(c.details)
