"""grades.csv: one row per student, each exercise's score and the total (pure functions).

UTF-8 with a byte-order mark, so spreadsheet programs read Chinese names correctly. A student who
was not graded because of the grader's infrastructure has empty score cells, never 0.
"""

from __future__ import annotations

import csv
import io


def grades_csv(entries, exercises) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["student", "status", *[ex.slug for ex in exercises], "total", "max_total", "report", "lms_id"])
    for e in entries:
        cells = ["" if e.exercises.get(ex.slug) is None else _num(e.exercises[ex.slug]) for ex in exercises]
        writer.writerow([e.student, e.status, *cells, "" if e.score is None else _num(e.score), _num(e.max_score),
                         f"{e.folder}/report.html", e.lms_id])
    return buffer.getvalue().encode("utf-8-sig")


def _num(value: float) -> str:
    return f"{value:g}"
