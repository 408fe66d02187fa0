"""An assignment: the exercises one homework has, in order, and what each is worth.

    # assignment.yaml
    title: "Homework 3: locks and queues"
    exercises:
      - race-counter                      # worth its pack's own points
      - slug: producer-consumer
        points: 20                        # worth 20: its score is scaled, score * 20 / the pack's max
    opens: 2026-11-23T08:00:00+08:00      # optional; for the course site, not enforced by the grader
    deadline: 2026-11-30T23:59:00+08:00   # optional; likewise
    late_policy:                          # optional; needs a deadline
      penalty_per_day: 10                 # percent of the points, per day or part of a day late
      max_days: 3                         # later than that it is not accepted (none: no limit)
      grace_minutes: 15                   # lateness forgiven (upload delays)

`load_assignment(path)` reads and validates one (AssignmentError names the file and the key);
`Assignment.of(slugs)` is the same thing from the command line's `--exercise SLUG ...`; `plan()`
resolves either (or neither: every pack) against the packs into what grading needs: the exercises
in order and the points each is worth. Weights are applied in one place, scoring.weigh(), when a
submission is graded; reports, grades.csv, Gradescope's results.json and the dashboard all read the
scaled scores from there. docs/batch.md ("Assignments") documents the file.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from . import packs
from .messages import MessageError, render


class AssignmentError(MessageError, packs.PackError):
    """The assignment cannot be used; the message names the file (or option) and the key, in the
    teacher's language (`say(lang)`).

    A PackError: the commands report both the same way (exit code 2), before anyone is graded."""


class AssignedExercise(BaseModel):
    model_config = ConfigDict(extra="forbid")
    slug: str = Field(min_length=1)
    points: float | None = Field(default=None, gt=0, description="what it is worth; none: its pack's own points")


class LatePolicy(BaseModel):
    """How lateness costs points. Kept for the course site; the grader itself does not apply it."""
    model_config = ConfigDict(extra="forbid")
    penalty_per_day: float = Field(ge=0, le=100, description="percent of the points, per day or part of one")
    max_days: int | None = Field(default=None, ge=0, description="after that many days late: not accepted")
    grace_minutes: int = Field(default=0, ge=0, description="lateness forgiven")


class Assignment(BaseModel):
    """The exercises of one homework, in order, and optionally what each is worth."""
    model_config = ConfigDict(extra="forbid")
    title: str = ""
    exercises: list[AssignedExercise] = Field(min_length=1)
    opens: AwareDatetime | None = None
    deadline: AwareDatetime | None = None
    late_policy: LatePolicy | None = None
    _source: str = PrivateAttr(default="")  # the file it was read from, for messages

    @field_validator("exercises", mode="before")
    @classmethod
    def _slugs_or_mappings(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [{"slug": item} if isinstance(item, str) else item for item in value]
        return value

    @field_validator("exercises")
    @classmethod
    def _each_once(cls, value: list[AssignedExercise]) -> list[AssignedExercise]:
        seen: dict[str, int] = {}
        for i, item in enumerate(value):
            if item.slug in seen:
                raise ValueError(f"{item.slug} is listed twice (items {seen[item.slug] + 1} and {i + 1}): "
                                 "list each exercise once")
            seen[item.slug] = i
        return value

    @model_validator(mode="after")
    def _times_in_order(self) -> Assignment:
        if self.opens is not None and self.deadline is not None and self.opens >= self.deadline:
            raise ValueError("opens must be before deadline")
        if self.late_policy is not None and self.deadline is None:
            raise ValueError("a late_policy needs a deadline")
        return self

    @classmethod
    def of(cls, slugs: list[str], title: str = "") -> Assignment:
        """The command line's `--exercise A --exercise B`: a slug given twice is taken once."""
        return cls(title=title, exercises=[AssignedExercise(slug=s) for s in dict.fromkeys(slugs)])

    @property
    def slugs(self) -> list[str]:
        return [item.slug for item in self.exercises]


class AssignmentFile(Assignment):
    """An assignment.yaml: as an Assignment, with its title required."""
    title: str = Field(min_length=1)


def load_assignment(path: Path) -> Assignment:
    path = Path(path)
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=packs.YAML_LOADER)
    except OSError as exc:
        raise AssignmentError("assignment_unreadable", path=str(path), reason=exc.strerror or str(exc)) from exc
    except UnicodeDecodeError as exc:
        raise AssignmentError("assignment_not_utf8", path=str(path)) from exc
    except yaml.YAMLError as exc:
        raise AssignmentError("assignment_not_yaml", path=str(path), detail=str(exc)) from exc
    if not isinstance(raw, dict):
        raise AssignmentError("assignment_not_mapping", path=str(path))
    try:
        assignment = AssignmentFile.model_validate(raw)
    except ValidationError as exc:
        raise AssignmentError("assignment_invalid", path=str(path), problems=_problems(exc)) from exc
    assignment._source = str(path)
    return assignment


def _problems(exc: ValidationError) -> str:
    out = []
    for error in exc.errors():
        # "exercises, item 2, points": items counted from 1, as a teacher reads the file
        where = ", ".join(f"item {p + 1}" if isinstance(p, int) else str(p) for p in error["loc"]) or "(top level)"
        if error["type"] == "extra_forbidden":
            what = "unknown key"
        elif error["type"] == "missing":
            what = "required key is missing"
        elif error["type"] in ("model_type", "dict_type"):
            what = "give an exercise's slug, or a mapping with slug and points"
        elif error["type"] == "too_short":
            what = "list at least one exercise"
        elif error["type"] == "timezone_aware":
            what = "give a time zone, e.g. 2026-11-30T23:59:00+08:00"
        else:
            what = error["msg"].removeprefix("Value error, ")
        out.append(f"{where}: {what}")
    return "; ".join(out)


@dataclass(frozen=True)
class Plan:
    """What is graded: the exercises in order, the points each is worth, and the assignment's title.

    `assigned` is False for every pack (no assignment, no --exercise); `others` are the packs not
    assigned: a student's file for one of them is listed as outside the assignment, not graded."""

    exercises: list[packs.Exercise]
    points: dict[str, float]
    title: str = ""
    assigned: bool = False
    others: list[packs.Exercise] = field(default_factory=list)
    assignment: Assignment | None = None

    @property
    def max_score(self) -> float:
        return sum(self.points[ex.slug] for ex in self.exercises)

    @property
    def slugs(self) -> list[str]:
        return [ex.slug for ex in self.exercises]

    def key(self) -> str:
        """What of the plan decides a grade (for a batch's resume key): each exercise and its points."""
        return "".join(f"assigned {slug}={self.points[slug]:g}\n" for slug in self.slugs) if self.assigned else ""

    def summary(self) -> dict | None:
        """The assignment as a batch's journal keeps it (None: every pack)."""
        if not self.assigned:
            return None
        data: dict[str, Any] = {"title": self.title,
                                "exercises": [{"slug": s, "points": self.points[s]} for s in self.slugs]}
        if self.assignment is not None:
            data.update(self.assignment.model_dump(mode="json", include={"opens", "deadline", "late_policy"}))
        return data

    def to_yaml(self) -> str:
        """The plan as an assignment.yaml (every exercise with its points): for an autograder's zip."""
        data: dict[str, Any] = {"title": self.title or "assignment",
                                "exercises": [{"slug": s, "points": self.points[s]} for s in self.slugs]}
        if self.assignment is not None:
            data.update(self.assignment.model_dump(mode="json", exclude_none=True,
                                                   include={"opens", "deadline", "late_policy"}))
        return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def plan(exercises_root: Path | None, assignment: Assignment | None = None,
         slugs: list[str] | None = None) -> Plan:
    """Resolve an assignment, or `--exercise` slugs, or neither (every pack) against the packs."""
    if assignment is not None and slugs:
        raise AssignmentError("assignment_and_exercises")
    available = packs.load_all(packs.default_root(exercises_root))
    if assignment is None and not slugs:
        return Plan(available, {ex.slug: ex.max_score for ex in available})
    chosen = assignment if assignment is not None else Assignment.of(list(slugs or []))
    try:
        exercises = select(available, chosen.slugs)
    except AssignmentError as exc:
        raise (AssignmentError("assignment_exercises", path=chosen._source, problem=exc.message) if chosen._source
               else exc) from exc
    weights = {item.slug: item.points for item in chosen.exercises}
    points = {ex.slug: weights[ex.slug] or ex.max_score for ex in exercises}
    return Plan(exercises, points, chosen.title, True, [ex for ex in available if ex.slug not in points], chosen)


def select(available: list[packs.Exercise], slugs: list[str]) -> list[packs.Exercise]:
    """The packs named, in the order named, each once; an unknown name's error offers the nearest."""
    by_slug = {ex.slug: ex for ex in available}
    unknown = [s for s in dict.fromkeys(slugs) if s not in by_slug]
    if unknown:
        raise AssignmentError("exercise_unknown", **unknown_params(unknown, list(by_slug)))
    return [by_slug[s] for s in dict.fromkeys(slugs)]


def unknown_params(unknown: list[str], known: list[str]) -> dict:
    """The params of `exercise_unknown`: each unknown name with the nearest known one, if any is close."""
    names = [{"id": "exercise_unknown_near", "params": {"slug": slug, "near": near}}
             if (near := nearest(slug, known)) else {"text": slug} for slug in unknown]
    return {"names": names, "known": ", ".join(known)}


def unknown_message(unknown: list[str], known: list[str], lang: str = "en") -> str:
    """`unknown exercise nope (did you mean race-counter?); known: ...`, in `lang`."""
    return render({"id": "exercise_unknown", "params": unknown_params(unknown, known)}, lang)


def nearest(slug: str, known: list[str]) -> str | None:
    """The known exercise a mistyped name most likely meant, if any is close."""
    near = difflib.get_close_matches(slug, known, n=1, cutoff=0.6)
    return near[0] if near else None
