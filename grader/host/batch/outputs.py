"""What a batch writes: each student's files, then the class's (journal, grades.csv, dashboard).

Every file goes through reports.atomic_write (temporary file, then rename). A student's
report.json is written last: the resume logic trusts a report only if it exists, complete.
"""

from __future__ import annotations

import json
from pathlib import Path

from .. import hidden
from ..localize import localize
from ..reports import atomic_write, render_html
from ..results import StudentResult
from . import dashboard, gradebook, gradescope


def write_student(folder: Path, result: StudentResult, seconds: float, *, exercises: dict,
                  hidden_details: str = hidden.DEFAULT) -> None:
    """The student's report.html and Gradescope results.json show of a hidden check what
    `hidden_details` allows; report.json is the teacher's record, whole (the dashboard reads it)."""
    result.hidden_details = hidden.check_level(hidden_details)
    student_view = hidden.for_student(result, hidden_details, exercises)
    atomic_write(folder / "report.html", render_html(student_view).encode("utf-8"))
    atomic_write(folder / "results.json", _json(gradescope.results_json(student_view, seconds)))
    atomic_write(folder / "report.json", _json(result.to_dict()))


def forget_key(folder: Path) -> None:
    """Take the submission key out of a finished report: the grade stays readable until a new one
    replaces it, but a rerun no longer takes it as finished, and grades the student again."""
    path = folder / "report.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return  # missing or damaged: a rerun grades this student anyway
    data["submission_key"] = ""
    atomic_write(path, _json(data))


def rerender_student(folder: Path, lang: str, exercises: dict, assignment: str | None = None,
                     hidden_details: str = hidden.DEFAULT) -> StudentResult:
    """A finished student's files again, in `lang` or with new templates (or the assignment's new
    title, when `assignment` is given, or another `hidden_details`), from report.json alone."""
    result = StudentResult.from_dict(json.loads((folder / "report.json").read_text(encoding="utf-8")))
    if assignment is not None:
        result.assignment = assignment
    try:
        seconds = float(json.loads((folder / "results.json").read_text(encoding="utf-8"))["execution_time"])
    except (OSError, ValueError, KeyError, TypeError):
        seconds = 0.0
    write_student(folder, localize(result, lang, exercises), seconds, exercises=exercises,
                  hidden_details=hidden_details)
    return result


def write_journal(result) -> None:
    """DIR/batch.json, rewritten after every student; `finished` is false until the run ends, so a
    journal left by kill -9 or Ctrl-C reads as what it is."""
    from .run import journal_data

    atomic_write(result.out_dir / "batch.json", _json(journal_data(result)))


def write_class(result, exercises, lang: str) -> None:
    out = result.out_dir
    write_journal(result)
    atomic_write(out / "grades.csv", gradebook.grades_csv(result.entries, exercises))
    atomic_write(out / "index.html", dashboard.render(result, exercises, lang).encode("utf-8"))


def _json(data) -> bytes:
    return json.dumps(data, indent=2, ensure_ascii=False).encode("utf-8")
