"""The class's grades for other systems (pure functions): grades.csv, the LMS's own sheet, Gradescope.

A cell is the score that counts (after any late penalty); empty when nothing counts. A total is
empty while one of the student's exercises waits for grading or could not be graded (the grader's
failure, never a 0); an exercise never submitted adds 0.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from grader.host.batch import gradescope, gradesheet
from grader.host.results import StudentResult

from .standings import Column, Row, max_total


@dataclass(frozen=True)
class GradeRow:
    student: str  # the account's user name
    name: str
    roster_id: str  # the LMS's id, when the roster gave one
    scores: dict[str, float | None]  # by exercise slug
    total: float | None
    max_total: float


def grade_rows(cols: list[Column], rows: list[Row]) -> list[GradeRow]:
    top = max_total(cols)
    return [GradeRow(row.person.user.get_username(), row.person.name, row.person.roster_id,
                     {col.exercise.slug: cell.score for col, cell in zip(cols, row.cells)}, row.total, top)
            for row in rows]


def grades_csv(rows: list[GradeRow], slugs: list[str]) -> bytes:
    """UTF-8 with a byte-order mark, as grader.host.batch.gradebook writes it: spreadsheet programs
    then read Chinese names correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["student", "name", "roster_id", *slugs, "total", "max_total"])
    for r in rows:
        writer.writerow([r.student, r.name, r.roster_id, *[_num(r.scores.get(slug)) for slug in slugs],
                         _num(r.total), _num(r.max_total)])
    return buffer.getvalue().encode("utf-8-sig")


def fill_sheet(data: bytes, rows: list[GradeRow], column: str | None, out_of: float | None) -> gradesheet.Filled:
    """The LMS's sheet with the totals filled in (gradesheet's rules: matched on the roster id, else
    on the name); SheetError says what is wrong with the sheet."""
    sheet = gradesheet.read(data)
    where = gradesheet.layout(sheet, column or None)
    graded = [gradesheet.Graded(r.name, r.roster_id, r.total, r.max_total) for r in rows]
    return gradesheet.fill(sheet, where, graded, out_of)


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
