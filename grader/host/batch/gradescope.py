"""A student's result in Gradescope's autograder format (results.json), a pure function.

Gradescope's `status` knows only passed/failed: every other status of ours is "failed", and the
check's message says which. Hidden checks stay as they are in our reports (name, outcome and the
author's hint), so they are "visible" there too; the teacher can change that per assignment.
"""

from __future__ import annotations

from ..results import StudentResult


def results_json(result: StudentResult, execution_time: float) -> dict:
    tests = []
    for ex in result.exercises:
        for c in ex.checks:
            tests.append({
                "name": f"{ex.exercise}: {c.name}",
                "score": c.score,
                "max_score": c.max_score,
                "status": "passed" if c.status.value == "passed" else "failed",
                "output": c.message if c.status.value != "passed" else "",
                "visibility": "visible",
            })
    lines = [f"{ex.exercise}: {ex.status.value}" + (f": {ex.message}" if ex.message else "") for ex in result.exercises]
    if result.sandbox_message:
        lines.insert(0, result.sandbox_message)
    return {
        "score": result.score if result.score is not None else 0.0,
        "execution_time": round(execution_time, 3),
        "output": "\n".join(lines),
        "tests": tests,
    }
