"""Where the class stands: per student and course exercise, the submission that counts and the latest.

One computation for the board, its JSON, the student's page and the exports, so they never disagree.
The counting rule is the course's own (submissions.policy.counted); a cell whose latest submission
is still waiting, or was not graded (the grader's failure), with nothing counted yet, is "pending":
its student's total is then unknown, never a silent 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import F, OuterRef, Subquery

from grader.host.pack_i18n import pack_text
from grader.site.course import packs as course_packs
from grader.site.course.models import Course, CourseExercise
from grader.site.people.models import Person
from grader.site.submissions import policy
from grader.site.submissions.models import Submission

S = Submission.State
UNFINISHED = (S.QUEUED, S.RUNNING, S.NOT_GRADED)


@dataclass
class Column:
    exercise: CourseExercise
    title: str
    max_score: float | None  # the course's points, else the pack's; None: the pack is gone


@dataclass
class Cell:
    exercise: CourseExercise
    counted: Submission | None = None
    latest: Submission | None = None

    @property
    def score(self) -> float | None:
        return self.counted.score if self.counted is not None else None

    @property
    def pending(self) -> bool:
        return self.counted is None and self.latest is not None and self.latest.state in UNFINISHED


@dataclass
class Row:
    person: Person
    cells: list[Cell] = field(default_factory=list)

    @property
    def total(self) -> float | None:
        """The counted scores added up (an exercise never submitted adds 0); None while one is pending."""
        if any(cell.pending for cell in self.cells):
            return None
        return round(sum(cell.score or 0.0 for cell in self.cells), 2)


def columns(course: Course, lang: str) -> list[Column]:
    by_slug = course_packs.by_slug()
    out = []
    for exercise in CourseExercise.objects.filter(course=course):
        pack = by_slug.get(exercise.slug)
        title = pack_text(pack, pack.spec.title, lang) if pack else exercise.slug
        points = exercise.points if exercise.points is not None else (pack.max_score if pack else None)
        out.append(Column(exercise, title, points))
    return out


def max_total(cols: list[Column]) -> float:
    return round(sum(c.max_score or 0.0 for c in cols), 2)


def students() -> list[Person]:
    people = Person.objects.filter(role=Person.Role.STUDENT, user__is_active=True).select_related("user")
    return sorted(people, key=lambda p: (p.name.casefold(), p.user.get_username()))


def latest_submissions(course: Course, student_ids=None) -> dict[tuple[int, int], Submission]:
    """The newest submission of each (student, exercise) pair, in one query."""
    newest = (Submission.objects.filter(student=OuterRef("student"), exercise=OuterRef("exercise"))
              .order_by("-received_at", "-id").values("pk")[:1])
    rows = (Submission.objects.filter(exercise__course=course).annotate(newest=Subquery(newest))
            .filter(pk=F("newest")))
    if student_ids is not None:
        rows = rows.filter(student_id__in=student_ids)
    return {(s.student_id, s.exercise_id): s for s in rows}


def standings(course: Course, cols: list[Column], people: list[Person]) -> list[Row]:
    latest = latest_submissions(course, [p.user_id for p in people])
    out = []
    for person in people:
        row = Row(person)
        for col in cols:
            newest = latest.get((person.user_id, col.exercise.pk))
            # Never submitted: nothing can count, and no query is spent finding that out.
            counted = policy.counted(col.exercise, person.user, course) if newest is not None else None
            row.cells.append(Cell(col.exercise, counted, newest))
        out.append(row)
    return out
