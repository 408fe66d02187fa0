"""The graded cases: each exercise's reference solution, its starter, and the sample answers in
tests/samples/<slug>/, with the verdict expected.yaml gives each. Used by the e2e tests and bench/."""

from __future__ import annotations

from pathlib import Path

import yaml

from grader.host import packs

ROOT = packs.project_root()
SAMPLES = Path(__file__).resolve().parent


def expected(exercise: packs.Exercise) -> dict:
    return yaml.safe_load((SAMPLES / exercise.slug / "expected.yaml").read_text(encoding="utf-8"))


def cases():
    """(exercise, name, path, expected verdict) for every case."""
    for exercise in packs.load_all(ROOT / "exercises"):
        for name, want in expected(exercise).items():
            if name == "solution":
                path = ROOT / "solutions" / exercise.slug / exercise.student_file
            elif name == "starter":
                path = exercise.starter
            else:
                path = SAMPLES / exercise.slug / f"{name}.py"
            yield exercise, name, path, want
