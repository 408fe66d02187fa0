"""Grading one case of tests/samples/catalog.py the way the bench scripts need it."""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from grader.host import packs
from grader.host.grading import grade_submission

ROOT = packs.project_root()
sys.path.insert(0, str(ROOT))  # tests/samples/catalog.py lists the cases

from tests.samples.catalog import cases  # noqa: E402,F401 - re-exported for the bench scripts


def verdict(exercise, path, sandbox: str = "local") -> tuple:
    """Grade one file as a one-exercise submission; the verdict as a comparable tuple."""
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy(path, Path(tmp) / exercise.student_file)
        result = grade_submission(submission=Path(tmp), student="bench", exercises=[exercise.slug],
                                  sandbox=sandbox).exercises[0]
    return result.status.value, result.score, tuple((c.name, c.status.value) for c in result.checks)


def expected_verdict(want: dict) -> tuple:
    return want["status"], want["score"], tuple(want["checks"].items())
