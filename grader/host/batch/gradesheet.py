"""Fill the LMS's own grade sheet with a batch's totals (pure functions; `grader gradesheet`).

An LMS imports grades only in its own layout, matched on its own numbers for the students. So the
teacher downloads the sheet from the LMS, and this writes a copy with one column filled:

- Moodle: the assignment's grading worksheet (offline grading worksheet). Its first column is
  "Participant 67890" (in any language); 67890 is also in every name of Moodle's "Download all
  submissions". The column filled is its grade column ("Grade", "成绩", or --column).
- Canvas: the gradebook export. Its "ID" column is the user id in Canvas's submission names. The
  column filled is the one --column names (Canvas heads it "<assignment> (<id>)"), added at the end
  if the sheet has none: Canvas then offers to create that assignment when the file is imported.

A student is matched by that number when the batch knows it, else by their name, when exactly one
row has it. Every other cell is written back as it was read; a student we could not grade (an
infrastructure error) keeps the cell as it was.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from ..messages import MessageError

MOODLE_ID = re.compile(r"\D+?\s*(\d+)")  # "Participant 67890", "参与者67890"
GRADE_HEADERS = ("grade", "成绩", "分数")  # Moodle's grade column, English and Chinese
MAXIMUM_HEADERS = ("maximum grade", "最高分数", "满分")
MAX_OUT_OF = 100_000.0  # no LMS grades out of more; a larger --out-of is a typo (1e308, say)


class SheetError(MessageError):
    """The sheet cannot be filled; the message says what to do, in the teacher's language (`say(lang)`)."""


@dataclass(frozen=True)
class Graded:
    """One student of the batch, as the sheet needs them."""

    student: str
    lms_id: str
    score: float | None  # None: not graded (infrastructure error)
    max_score: float


@dataclass(frozen=True)
class Layout:
    lms: str  # "moodle" or "canvas"
    id_col: int
    name_col: int
    grade_col: int  # == the header's length when the column is to be added
    header: str  # the grade column's header


@dataclass
class Sheet:
    rows: list[list[str]]
    delimiter: str = ","
    newline: str = "\r\n"
    bom: bool = False


@dataclass
class Filled:
    sheet: Sheet
    layout: Layout
    matched: int = 0
    not_in_sheet: list[str] = field(default_factory=list)  # graded, but no row is theirs
    clashes: list[str] = field(default_factory=list)  # a row another student of the batch already took
    not_graded: list[str] = field(default_factory=list)  # infrastructure error: their cell left as it was
    rows_left: list[str] = field(default_factory=list)  # the sheet's students nobody in the batch matched
    sheet_maximum: float | None = None  # Moodle's maximum grade, when it is not the batch's (see --out-of)


def assignment_totals(journal: dict, assignment) -> list[Graded]:
    """Each student's total for `assignment` (assignment.Assignment) from a batch's journal: its
    exercises only, each scaled to its points (score * points / the points the batch graded it out
    of; an exercise without points keeps the batch's). The batch must have graded every one of them.
    The same assignment as the batch's gives the batch's own totals."""
    from ..assignment import unknown_params

    graded_out_of = {e["slug"]: float(e["max_score"]) for e in journal.get("exercises") or []}
    if not graded_out_of:
        raise SheetError("sheet_old_journal")
    missing = [item.slug for item in assignment.exercises if item.slug not in graded_out_of]
    if missing:
        raise SheetError("sheet_not_graded", missing=", ".join(missing),
                         problem={"id": "exercise_unknown", "params": unknown_params(missing, list(graded_out_of))})
    points = {item.slug: item.points or graded_out_of[item.slug] for item in assignment.exercises}
    out = []
    for s in journal["students"]:
        scores = s.get("exercises") or {}
        total: float | None = None
        if s["score"] is not None and all(scores.get(slug) is not None for slug in points):
            total = round(sum(scores[slug] * p / graded_out_of[slug] if graded_out_of[slug] else 0.0
                              for slug, p in points.items()), 2)
        out.append(Graded(s["student"], s.get("lms_id", ""), total, round(sum(points.values()), 2)))
    return out


def read(data: bytes) -> Sheet:
    bom = data.startswith(b"\xef\xbb\xbf")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SheetError("sheet_not_utf8") from exc
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count)
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    if not rows or not any(rows[0]):
        raise SheetError("sheet_empty")
    return Sheet(rows, delimiter, "\r\n" if "\r\n" in text else "\n", bom)


def write(sheet: Sheet) -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=sheet.delimiter, lineterminator=sheet.newline).writerows(sheet.rows)
    return out.getvalue().encode("utf-8-sig" if sheet.bom else "utf-8")


def layout(sheet: Sheet, column: str | None) -> Layout:
    header = [h.strip() for h in sheet.rows[0]]
    if "Student" in header and "ID" in header:
        if not column:
            raise SheetError("sheet_canvas_column")
        at = next((i for i, h in enumerate(header) if h == column or h.startswith(column + " (")), len(header))
        return Layout("canvas", header.index("ID"), header.index("Student"), at,
                      header[at] if at < len(header) else column)
    data = [r for r in sheet.rows[1:] if r and r[0].strip()]
    if data and all(MOODLE_ID.fullmatch(r[0].strip()) for r in data):
        wanted = [column.casefold()] if column else list(GRADE_HEADERS)
        grade_col = next((i for i, h in enumerate(header) if h.casefold() in wanted), None)
        if grade_col is None:
            if column:
                raise SheetError("sheet_moodle_column_named", column=column, columns=", ".join(header))
            raise SheetError("sheet_moodle_column", columns=", ".join(header))
        return Layout("moodle", 0, 1, grade_col, header[grade_col])
    raise SheetError("sheet_unknown_layout")


def fill(sheet: Sheet, where: Layout, graded: list[Graded], out_of: float | None = None) -> Filled:
    rows = [list(r) for r in sheet.rows]
    width = max(len(r) for r in rows)
    adding = where.grade_col >= len(rows[0])  # a new Canvas assignment column
    width = max(width, where.grade_col + 1)
    for r in rows:
        r.extend([""] * (width - len(r)))
    if adding:
        rows[0][where.grade_col] = where.header
    students = [i for i in range(1, len(rows)) if _row_id(rows[i][where.id_col], where.lms)]
    if where.lms == "canvas" and out_of is not None:
        for r in rows[1:]:  # Canvas's "Points Possible" row, for an assignment it creates
            if r[where.name_col].strip() == "Points Possible" and not r[where.grade_col]:
                r[where.grade_col] = _num(out_of)
    by_id = {_row_id(rows[i][where.id_col], where.lms): i for i in students}
    by_name: dict[str, list[int]] = {}
    for i in students:
        by_name.setdefault(_name(rows[i][where.name_col]), []).append(i)
    result = Filled(Sheet(rows, sheet.delimiter, sheet.newline, sheet.bom), where)
    taken: set[int] = set()
    for g in graded:
        at = by_id.get(g.lms_id) if g.lms_id else None
        if at is None:
            same_name = by_name.get(_name(g.student), [])
            at = same_name[0] if len(same_name) == 1 else None
        if at is None:
            result.not_in_sheet.append(g.student)
        elif at in taken:
            result.clashes.append(g.student)
        elif g.score is None:
            taken.add(at)
            result.not_graded.append(g.student)
        else:
            taken.add(at)
            value = g.score if out_of is None or not g.max_score else g.score / g.max_score * out_of
            rows[at][where.grade_col] = _num(round(value, 2))
            result.matched += 1
    result.rows_left = [rows[i][where.name_col] for i in students if i not in taken]
    if where.lms == "moodle" and out_of is None and graded:
        result.sheet_maximum = _other_maximum(rows, students, graded[0].max_score)
    return result


def _other_maximum(rows: list[list[str]], students: list[int], ours: float) -> float | None:
    """The worksheet's maximum grade, if it says one and it is not the batch's."""
    header = [h.strip().casefold() for h in rows[0]]
    col = next((i for i, h in enumerate(header) if h in MAXIMUM_HEADERS), None)
    if col is None:
        return None
    for i in students:
        try:
            value = _number(rows[i][col])
        except ValueError:
            continue
        return value if value != ours else None
    return None


def _row_id(cell: str, lms: str) -> str:
    cell = cell.strip()
    if lms == "moodle":
        match = MOODLE_ID.fullmatch(cell)
        return match.group(1) if match else ""
    return cell if cell.isdigit() else ""


def _name(name: str) -> str:
    return " ".join(name.split()).casefold()


def _number(cell: str) -> float:
    """A number as a spreadsheet saved it: `100.00`, or `100,00` where the decimal mark is a comma
    (with semicolons between cells, as German or French Excel saves CSV)."""
    cell = cell.strip()
    if re.fullmatch(r"\d+,\d+", cell):
        cell = cell.replace(",", ".")
    return float(cell)


def _num(value: float) -> str:
    return f"{value:g}"
