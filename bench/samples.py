"""The graded cases shared by the bench scripts: reference solutions, starters, sample answers."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import yaml

from grader.host import packs
from grader.host.grading import grade_submission

ROOT = packs.project_root()


def cases():
    """(exercise, name, path, expected) for every case in tests/samples/*/expected.yaml."""
    for exercise in packs.load_all(ROOT / "exercises"):
        folder = ROOT / "tests" / "samples" / exercise.slug
        expected = yaml.safe_load((folder / "expected.yaml").read_text(encoding="utf-8"))
        for name, want in expected.items():
            if name == "solution":
                path = ROOT / "solutions" / exercise.slug / exercise.student_file
            elif name == "starter":
                path = exercise.starter
            else:
                path = folder / f"{name}.py"
            yield exercise, name, path, want


def verdict(exercise, path) -> tuple:
    """Grade one file as a one-exercise submission; the verdict as a comparable tuple."""
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy(path, Path(tmp) / exercise.student_file)
        result = grade_submission(submission=Path(tmp), student="bench", exercises=[exercise.slug],
                                  sandbox="local").exercises[0]
    return result.status.value, result.score, tuple((c.name, c.status.value) for c in result.checks)


def expected_verdict(want: dict) -> tuple:
    return want["status"], want["score"], tuple(want["checks"].items())
