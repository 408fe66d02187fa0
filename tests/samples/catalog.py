"""The graded cases: each exercise's reference solution, its starter, and the sample answers in
tests/samples/<slug>/, with the verdict expected.yaml gives each. Used by the e2e tests and bench/."""

from __future__ import annotations

from grader.host import pack_check, packs

ROOT = packs.project_root()


def cases():
    """(exercise, name, path, expected verdict) for every case."""
    for exercise in packs.load_all(ROOT / "exercises"):
        for case in pack_check.cases(exercise):
            yield exercise, case.name, case.path, case.want
