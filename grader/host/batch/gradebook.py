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
    writer.writerow(["student", "status", *[ex.slug for ex in exercises], "total", "max_total", "report", "lms_id",
                     "flags"])
    for e in entries:
        cells = ["" if e.exercises.get(ex.slug) is None else _num(e.exercises[ex.slug]) for ex in exercises]
        writer.writerow([e.student, e.status, *cells, "" if e.score is None else _num(e.score), _num(e.max_score),
                         f"{e.folder}/report.html", e.lms_id,
                         " ".join(f"{slug}:{kind}" for slug, kind in sorted(e.flags.items()))])
    return buffer.getvalue().encode("utf-8-sig")


def flags(exercises: list[dict]) -> dict:
    """slug -> what the teacher should look at: "tampered" (the run ended on tampering with the
    grader: zero points) or "review" (the static screen found lines reaching for its internals)."""
    out = {}
    for ex in exercises:
        if ex.get("status") == "tampered":
            out[ex["exercise"]] = "tampered"
        elif ex.get("review"):
            out[ex["exercise"]] = "review"
    return out


def _num(value: float) -> str:
    return f"{value:g}"
