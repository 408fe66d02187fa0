"""The packs the site grades with (settings.EXERCISES: --exercises, else this checkout's), the
course's exercises beside them, and their titles in the reader's language. Every page, the API and
the grading read the packs through by_slug()."""

from __future__ import annotations

from django.conf import settings

from grader.host import packs
from grader.host.pack_i18n import pack_text
from grader.site.course.models import Course, CourseExercise


def by_slug() -> dict[str, packs.Exercise]:
    return {ex.slug: ex for ex in packs.load_all(packs.default_root(settings.EXERCISES))}


def listed(course: Course) -> list[tuple[CourseExercise, packs.Exercise]]:
    """The course's exercises in order, each with its pack; one whose pack is gone is left out
    (as the API does): it cannot be read or submitted until the teacher restores it."""
    found = by_slug()
    return [(row, found[row.slug]) for row in CourseExercise.objects.filter(course=course) if row.slug in found]


def title(pack: packs.Exercise, lang: str) -> str:
    return pack_text(pack, pack.spec.title, lang)
