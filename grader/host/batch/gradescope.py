"""A student's result in Gradescope's autograder format (results.json), a pure function.

Gradescope's `status` knows only passed/failed: every other status of ours is "failed", and the
check's message says which. Hidden checks stay as they are in our reports (name, outcome and the
author's hint), so they are "visible" there too; the teacher can change that per assignment.
"""

from __future__ import annotations

from ..report_text import details_lines
from ..reports import exercise_notes
from ..results import StudentResult


def results_json(result: StudentResult, execution_time: float) -> dict:
    """Every detail the HTML report shows (stuck threads and their lines, the interleaving, the
    output) is in the text outputs, in the report's language."""
    lang = result.lang
    tests = []
    for ex in result.exercises:
        for c in ex.checks:
            output = ""
            if c.status.value != "passed":
                shared = ex.shared[c.shared] if c.shared is not None and c.shared < len(ex.shared) else None
                details = shared["details"] if shared else c.details
                output = "\n".join([c.message, *details_lines(details, lang)]).strip()
            tests.append({
                "name": f"{ex.exercise}: {c.name}",
                "score": c.score,
                "max_score": c.max_score,
                "status": "passed" if c.status.value == "passed" else "failed",
                "output": output,
                "visibility": "visible",
            })
    lines = []
    for ex in result.exercises:
        lines.append(f"{ex.exercise}: {ex.status.value}" + (f": {ex.message}" if ex.message else ""))
        lines.extend("  " + note for note in exercise_notes(ex, lang))
        if ex.message:
            lines.extend("  " + line for line in details_lines(ex.details, lang))
    if result.sandbox_message:
        lines.insert(0, result.sandbox_message)
    return {
        "score": result.score if result.score is not None else 0.0,
        "execution_time": round(execution_time, 3),
        "output": "\n".join(lines),
        "tests": tests,
    }
