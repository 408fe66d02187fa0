"""The class's grades for other systems (pure functions): grades.csv, the LMS's own sheet, Gradescope.

A cell is the score that counts (after any late penalty); empty when nothing counts. A total is
empty while one of the student's exercises waits for grading or could not be graded (the grader's
failure, never a 0); an exercise never submitted adds 0.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from grader.host.batch import gradescope, gradesheet
from grader.host.results import StudentResult

from .display import flag
from .standings import Column, Row, max_total


@dataclass(frozen=True)
class GradeRow:
    student: str  # the account's user name
    name: str
    roster_id: str  # the LMS's id, when the roster gave one
    scores: dict[str, float | None]  # by exercise slug
    total: float | None
    max_total: float
    flags: dict[str, str] = field(default_factory=dict)  # by slug: "tampered" or "review" (display.flag)


def grade_rows(cols: list[Column], rows: list[Row]) -> list[GradeRow]:
    top = max_total(cols)
    out = []
    for row in rows:
        cells = list(zip(cols, row.cells))
        flags = {col.exercise.slug: kind for col, cell in cells if (kind := flag(cell.counted, cell.latest))}
        out.append(GradeRow(row.person.user.get_username(), row.person.name, row.person.roster_id,
                            {col.exercise.slug: cell.score for col, cell in cells}, row.total, top, flags))
    return out


def grades_csv(rows: list[GradeRow], slugs: list[str]) -> bytes:
    """UTF-8 with a byte-order mark, as grader.host.batch.gradebook writes it: spreadsheet programs
    then read Chinese names correctly. The last column, as in the batch's: what the teacher should
    look at, `slug:tampered` or `slug:review`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["student", "name", "roster_id", *slugs, "total", "max_total", "flags"])
    for r in rows:
        writer.writerow([r.student, r.name, r.roster_id, *[_num(r.scores.get(slug)) for slug in slugs],
                         _num(r.total), _num(r.max_total),
                         " ".join(f"{slug}:{kind}" for slug, kind in sorted(r.flags.items()))])
    return buffer.getvalue().encode("utf-8-sig")


@dataclass
class SheetFilled:
    filled: gradesheet.Filled
    scaled_from: float | None = None  # the course's (or the exercise's) points, when scaled to the sheet's
    scaled_to: float | None = None  # the sheet's own maximum


def exercise_rows(cols: list[Column], rows: list[Row], slug: str) -> list[GradeRow]:
    """Rows whose total is one exercise's counted score (empty while it waits; 0 never submitted), out
    of its points."""
    at = next(i for i, col in enumerate(cols) if col.exercise.slug == slug)
    top = cols[at].max_score or 0.0
    out = []
    for row in rows:
        cell = row.cells[at]
        score = None if cell.pending else round(cell.score or 0.0, 2)
        out.append(GradeRow(row.person.user.get_username(), row.person.name, row.person.roster_id,
                            {slug: cell.score}, score, top))
    return out


def fill_sheet(data: bytes, rows: list[GradeRow], column: str | None, out_of: float | None) -> SheetFilled:
    """The LMS's sheet with the totals filled in (gradesheet's rules: matched on the roster id, else
    on the name); SheetError says what is wrong with the sheet. Without out_of, a sheet that states its
    column's maximum (Canvas's "Points Possible" row, Moodle's maximum grade) is filled out of it:
    the scores are scaled to it, and the result says so."""
    sheet = gradesheet.read(data)
    where = gradesheet.layout(sheet, column or None)
    graded = [gradesheet.Graded(r.name, r.roster_id, r.total, r.max_total) for r in rows]
    ours = rows[0].max_total if rows else None
    if out_of is None and ours:
        stated = _points_possible(sheet, where) if where.lms == "canvas" else None
        if stated is None and where.lms == "moodle":
            stated = gradesheet.fill(sheet, where, graded).sheet_maximum
        if stated and round(stated, 2) != round(ours, 2):
            return SheetFilled(gradesheet.fill(sheet, where, graded, stated), ours, stated)
    return SheetFilled(gradesheet.fill(sheet, where, graded, out_of))


def _points_possible(sheet: gradesheet.Sheet, where: gradesheet.Layout) -> float | None:
    """The maximum Canvas's "Points Possible" row gives the column, if it has that column and a number."""
    for r in sheet.rows[1:]:
        if len(r) > max(where.name_col, where.grade_col) and r[where.name_col].strip() == "Points Possible":
            try:
                value = float(r[where.grade_col])
            except ValueError:
                return None
            return value if value > 0 else None
    return None


def gradescope_json(cols: list[Column], rows: list[Row]) -> dict:
    """Per student, per exercise, the counted submission's result in Gradescope's results.json format."""
    students = []
    for row in rows:
        exercises = {}
        for col, cell in zip(cols, row.cells):
            counted = cell.counted
            if counted is None or not counted.result:
                continue
            result = StudentResult.from_dict(counted.result)
            if counted.days_late and counted.score is not None:
                result.score = counted.score  # after the late penalty, as the student's report says
            exercises[col.exercise.slug] = gradescope.results_json(result, counted.grading_seconds or 0)
        students.append({"student": row.person.user.get_username(), "name": row.person.name,
                         "roster_id": row.person.roster_id, "total": row.total, "exercises": exercises})
    return {"max_total": max_total(cols), "students": students}


def _num(value: float | None) -> str:
    return "" if value is None else f"{round(value, 2):g}"
