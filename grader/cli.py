"""`grader` command line: a thin layer over grader.host.grading.grade_submission."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from rich.console import Console
from rich.table import Table

from .host import packs, reports
from .host.grading import grade_submission, select_exercises
from .host.sandboxes import NAMES as SANDBOXES

console = Console(soft_wrap=True)  # paths in messages must not be broken across lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="grader", description="Grade Python concurrency exercises.")
    sub = parser.add_subparsers(dest="command", required=True)

    g = sub.add_parser("grade", help="grade one student's submission folder")
    g.add_argument("submission", type=Path, help="folder with the student's files")
    g.add_argument("--student", required=True, help="the student's name, used for the report folder")
    g.add_argument("--out", type=Path, required=True, help="reports go to OUT/STUDENT/")
    g.add_argument("--sandbox", choices=SANDBOXES, default="auto")
    g.add_argument("--exercise", action="append", help="grade only this exercise (repeatable)")

    c = sub.add_parser("check", help="without DIR: check the packs' solutions and starters; "
                                     "with DIR: self-check your own folder")
    c.add_argument("dir", type=Path, nargs="?")
    c.add_argument("--sandbox", choices=SANDBOXES, default="auto")
    c.add_argument("--exercise", action="append")
    c.add_argument("--out", type=Path, default=None, help="where a self-check writes its report")

    sub.add_parser("list", help="list the exercises")
    args = parser.parse_args(argv)
    try:
        return {"grade": _grade, "check": _check, "list": _list}[args.command](args)
    except packs.PackError as exc:
        console.print(f"[red]Exercise pack problem:[/] {exc}", highlight=False)
        console.print("Fix the pack (see docs/exercise-packs.md), then run the command again.")
        return 2


def _grade(args) -> int:
    if not args.submission.is_dir():
        console.print(f"[red]{args.submission} is not a folder.[/] Give the folder that holds the student's files.")
        return 2
    result = grade_submission(submission=args.submission, student=args.student, out_dir=args.out,
                              sandbox=args.sandbox, exercises=args.exercise)
    reports.print_summary(result, console)
    console.print(f"Report: {args.out / reports.safe_dirname(args.student) / 'report.html'}", highlight=False)
    return 0


def _check(args) -> int:
    if args.dir is not None:
        return _self_check(args)
    exercises = select_exercises(None, args.exercise)
    table = Table(title="Reference solutions must get full marks; starters must not")
    for col in ("exercise", "solution", "starter", "verdict"):
        table.add_column(col)
    surprises = 0
    root = packs.project_root()
    for ex in exercises:
        solution = grade_submission(submission=root / "solutions" / ex.slug, student="solution",
                                    sandbox=args.sandbox, exercises=[ex.slug]).exercises[0]
        with tempfile.TemporaryDirectory() as tmp:
            (Path(tmp) / ex.student_file).write_bytes(ex.starter.read_bytes())
            starter = grade_submission(submission=Path(tmp), student="starter", sandbox=args.sandbox,
                                       exercises=[ex.slug]).exercises[0]
        ok = solution.score == solution.max_score and starter.score < starter.max_score
        surprises += not ok
        table.add_row(ex.slug, f"{solution.score:g}/{solution.max_score:g}", f"{starter.score:g}/{starter.max_score:g}",
                      "[green]as expected[/]" if ok else "[red]SURPRISE[/]")
        if not ok:
            for c in solution.checks:
                if c.status.value != "passed":
                    console.print(f"  solution {ex.slug}/{c.name}: {c.status.value}: {c.message}", markup=False)
    console.print(table)
    return 1 if surprises else 0


def _self_check(args) -> int:
    if not args.dir.is_dir():
        console.print(f"[red]{args.dir} is not a folder.[/] Give the folder with your exercise files.")
        return 2
    out = args.out or packs.project_root() / "reports"
    result = grade_submission(submission=args.dir, student="self-check", out_dir=out, sandbox=args.sandbox,
                              exercises=args.exercise)
    reports.print_summary(result, console, details=True)
    console.print(f"Full report: {out / 'self-check' / 'report.html'}", highlight=False)
    return 0


def _list(args) -> int:
    table = Table(title="Exercises")
    for col in ("exercise", "student file", "topic", "points", "checks"):
        table.add_column(col)
    for ex in packs.load_all(packs.project_root() / "exercises"):
        table.add_row(ex.slug, ex.student_file, ex.spec.topic, f"{ex.max_score:g}", str(len(ex.spec.checks)))
    console.print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
