"""Write a student's report.json and report.html (atomically), and the terminal's compact table."""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path

from rich.cells import cell_len
from rich.console import Console, JustifyMethod
from rich.markup import escape
from rich.table import Table

from . import hidden, report_text, timeline
from .i18n import environment, translations
from .localize import localize
from .messages import text
from .results import StudentResult

STATUS_STYLE = {"passed": "green", "failed": "red", "error": "magenta", "missing": "yellow",
                "timeout": "magenta", "deadlock": "magenta", "crash": "magenta", "tampered": "red",
                "infrastructure_error": "red"}


def safe_dirname(student: str) -> str:
    name = re.sub(r"[^\w.@+-]", "_", student, flags=re.UNICODE).strip("._") or "student"
    # File systems count a name's bytes (255 at most): 100 Chinese characters are 300 in UTF-8.
    return name[:100].encode("utf-8")[:200].decode("utf-8", "ignore")


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


def render_html(result: StudentResult) -> str:
    lang = result.lang
    template = environment(lang).get_template("report.html.j2")
    return template.render(r=result.to_dict(), msg=lambda mid, **kw: text(mid, lang, **kw),
                           trace_heading=lambda i: report_text.heading(i, lang),
                           trace_step=lambda s: report_text.step_text(s, lang),
                           wait_text=lambda w: report_text.wait_text(w, lang),
                           thread_name=lambda t: report_text.thread_name(t, lang),
                           timeline=timeline.layout, fit=timeline.fit,
                           sandbox_name=sandbox_name(result.sandbox, lang),
                           heading=student_heading(result))


def write(result: StudentResult, folder: Path, *, exercises: dict | None = None,
          hidden_details: str = hidden.DEFAULT) -> None:
    """report.html first (the student's page: of a hidden check, what `hidden_details` allows),
    report.json last (the teacher's record, whole): a report.json on disk always has its page.
    `exercises`: the packs by slug (default: this checkout's), for the texts of a hidden check."""
    result.hidden_details = hidden.check_level(hidden_details)
    student_view = hidden.for_student(result, hidden_details, exercises)
    atomic_write(folder / "report.html", render_html(student_view).encode("utf-8"))
    atomic_write(folder / "report.json", json.dumps(result.to_dict(), indent=2, ensure_ascii=False).encode("utf-8"))


def rerender(folder: Path, lang: str, exercises: dict, hidden_details: str | None = None) -> StudentResult:
    """Write a finished report again in `lang` (or with new templates, or another `hidden_details`:
    the one it was written with when None) from its report.json alone: rendering is not grading, so
    nothing is judged again."""
    data = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    result = localize(StudentResult.from_dict(data), lang, exercises)
    write(result, folder, exercises=exercises, hidden_details=hidden_details or result.hidden_details or hidden.DEFAULT)
    return result


SANDBOX_NAMES = ("local", "docker")  # each has a `sandbox_name_<name>` message


def sandbox_name(name: str, lang: str) -> str:
    """A sandbox's name as a student reads it ("local" is 本地 in zh); another name as it is."""
    return text(f"sandbox_name_{name}", lang) if name in SANDBOX_NAMES else name


def student_heading(result: StudentResult) -> str:
    """Whose report: the student, or, for a self-check, the words "Self-check" in the report's language."""
    return text("self_check_title", result.lang) if result.self_check else result.student


def ignored_line(result: StudentResult) -> str:
    """The files not graded, in one line (the report has them folded away)."""
    return text("ignored_files_line", result.lang,
                files=", ".join(result.ignored_files))


def _points(score: float | None, max_score: float, lang: str) -> str:
    return f"{score:g}/{max_score:g}" if score is not None else text("not_graded_points", lang, max=f"{max_score:g}")


def print_summary(result: StudentResult, console: Console | None = None, details: bool = False,
                  brief: bool = False) -> None:
    """The compact table on a terminal, in the result's language; with `details`, every problem. `brief`
    (a student's self-check): a column with each exercise's first failing check and its cause in one
    line, and details only for the exercises that failed."""
    console = console or Console()
    lang = result.lang
    status_word = translations(lang).pgettext
    table = Table(title=text("term_title", lang, student=student_heading(result),
                             points=_points(result.score, result.max_score, lang),
                             sandbox=sandbox_name(result.sandbox, lang)))
    columns: tuple[tuple[str, JustifyMethod], ...] = (
        ("term_exercise", "left"), ("term_status", "left"), ("term_points", "right"), ("term_checks_passed", "right"))
    rows = []
    for ex in result.exercises:
        passed = sum(1 for c in ex.checks if c.status.value == "passed")
        status = status_word("status", ex.status.value)
        rows.append((ex, [ex.exercise, status, _points(ex.score, ex.max_score, lang), f"{passed}/{len(ex.checks)}"]))
    # brief: every column on one line, the cause cut to what the terminal has left
    widths = [max([cell_len(text(c, lang)), *(cell_len(r[i]) for _, r in rows)]) for i, (c, _) in enumerate(columns)]
    for (column, justify), width in zip(columns, widths):
        table.add_column(text(column, lang), justify=justify, no_wrap=brief, min_width=width if brief else None)
    if brief:
        left = max(24, console.width - sum(widths) - 3 * len(widths) - 4)
        table.add_column(text("term_first_problem", lang), no_wrap=True, overflow="ellipsis", max_width=left)
    for ex, row in rows:
        style = STATUS_STYLE.get(ex.status.value, "")
        cells = [escape(row[0]), f"[{style}]{escape(row[1])}[/]", row[2], row[3]]
        if brief:
            cells.append(escape(first_problem(ex)))
        table.add_row(*cells)
    console.print(table)
    if result.sandbox_message:
        style = "red" if result.status.value == "infrastructure_error" else "yellow"
        console.print(f"[{style}]{escape(result.sandbox_message)}[/]", highlight=False)
    if result.self_check:  # a student needs what the check is worth, not how far the teacher may trust it
        console.print(escape(text("self_check_note", lang)), highlight=False)
    elif result.sandbox_note:
        console.print(f"[yellow]{escape(result.sandbox_note)}[/]")
    if details:
        for line in detail_lines(result, failed_only=brief):
            console.print(line, markup=False, highlight=False)


def failed(ex) -> bool:
    return bool(ex.message) or any(c.status.value != "passed" for c in ex.checks)


def first_problem(ex, width: int = 90) -> str:
    """The cause of an exercise's first failing check, in one line ("" when nothing failed); the details
    below the table name the check."""
    if ex.message:
        cause, name = ex.message, ""
    else:
        bad = next((c for c in ex.checks if c.status.value != "passed"), None)
        if bad is None:
            return ""
        cause, name = bad.message, bad.name
        if bad.shared is not None and bad.shared < len(ex.shared):
            cause = ex.shared[bad.shared]["message"]
    line = " ".join((cause or "").split()) or name
    return line if len(line) <= width else line[:width - 1] + "…"


def detail_lines(result: StudentResult, failed_only: bool = False) -> list[str]:
    """What a student needs to act on, as text: each problem once, with its lines (the terminal,
    and the exports that have no HTML). `failed_only`: nothing about an exercise that passed."""
    lang = result.lang
    status_word = translations(lang).pgettext
    colon = "：" if lang == "zh" else ": "  # full-width before Chinese text
    out: list[str] = []
    for ex in result.exercises:
        if failed_only and not failed(ex):
            continue
        for note in exercise_notes(ex, lang):
            out.append(f"{ex.exercise}{colon}{note}")
        if ex.message:
            out.append(f"{ex.exercise}{colon}{ex.message}")
            out.extend("      " + line for line in report_text.details_lines(ex.details, lang))
            continue
        for shared in ex.shared:
            word = status_word("status", shared["status"])
            out.append(f"  {ex.exercise} / {', '.join(shared['checks'])} [{word}]{colon}{shared['message']}")
            out.extend("      " + line for line in report_text.details_lines(shared["details"], lang))
        for c in ex.checks:
            if c.status.value == "passed" or not c.message or c.shared is not None:
                continue
            said = text("same_cause_as", lang, check=c.cause_said_in) if c.cause_said_in else c.message
            out.append(f"  {ex.exercise} / {c.name} [{status_word('status', c.status.value)}]{colon}{said}")
            if failed_only and c.cause_said_in:  # a student's terminal: the cause's details, above, once
                continue
            out.extend("      " + line for line in report_text.details_lines(c.details, lang))
    return out


def exercise_notes(ex, lang: str) -> list[str]:
    """Notes about how an exercise's file was taken: from a folder, a resubmission, a near miss."""
    notes = []
    if ex.source:
        notes.append(text("taken_from", lang, path=ex.source))
    notes.extend(ex.warning_texts)
    return notes
