"""The graded cases: each exercise's reference solution, its starter, and the sample answers in
tests/samples/<slug>/, with the verdict expected.yaml gives each. Used by the tests and bench/."""

from __future__ import annotations

from grader.host import pack_check, packs

ROOT = packs.project_root()


def cases():
    """(exercise, name, path, expected verdict) for every case."""
    for exercise in packs.load_all(ROOT / "exercises"):
        for case in pack_check.cases(exercise):
            yield exercise, case.name, case.path, case.want


def side_by_side(all_cases: list) -> list[list]:
    """Round j holds every pack's j-th case (packs with fewer cases drop out): one submission that a
    container judges side by side. Round 0 is every reference solution, round 1 every starter."""
    by_pack: dict[str, list] = {}
    for case in all_cases:
        by_pack.setdefault(case[0].slug, []).append(case)
    width = max(len(group) for group in by_pack.values())
    return [[group[j] for group in by_pack.values() if j < len(group)] for j in range(width)]
