"""The results contract (schema 1): a few dataclasses and status enums. See docs/results-schema.md.

Every text a student reads has a language-neutral reference beside it (`message` and
`message_ref`...): results are built with references only, and localize.py fills the texts in the
report's language, when grading and again when only the language changes.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from enum import Enum

SCHEMA = 1


class CheckStatus(str, Enum):
    PASSED = "passed"
    FAILED = "failed"
    ERROR = "error"
    TIMEOUT = "timeout"
    DEADLOCK = "deadlock"
    CRASH = "crash"
    TAMPERED = "tampered"  # the student's code reached for the grader's internals: the run ended there


class ExerciseStatus(str, Enum):
    PASSED = "passed"  # full marks
    FAILED = "failed"
    ERROR = "error"  # the file could not be loaded, or the judge could not run
    MISSING = "missing"  # the student did not submit this exercise's file
    INFRASTRUCTURE_ERROR = "infrastructure_error"  # the grader could not run it: not the student's doing
    TAMPERED = "tampered"  # a check ended on tampering with the grader: zero points, flagged for the teacher


class StudentStatus(str, Enum):
    GRADED = "graded"
    ERROR = "error"  # the submission itself could not be taken (a refused archive): the student's to fix
    INFRASTRUCTURE_ERROR = "infrastructure_error"  # no grade: score is null, regrade when fixed


@dataclass
class CheckResult:
    name: str
    status: CheckStatus
    score: float
    max_score: float
    message: str
    description: str = ""
    visibility: str = "visible"
    details: dict = field(default_factory=dict)  # threads, stack, output (a student sees a hidden one's
    # at the `hidden_details` level only: hidden.py)
    message_ref: dict | None = None  # what `message` says, language-neutral (messages.py)
    shared: int | None = None  # index in the exercise's `shared` outcomes, when the cause is shared
    cause_said_in: str = ""  # an earlier check whose message is this one's, word for word (localize.py)

    @classmethod
    def from_dict(cls, data: dict) -> CheckResult:
        return cls(**{**_known(cls, data), "status": CheckStatus(data["status"])})


@dataclass
class ExerciseResult:
    exercise: str
    title: str
    status: ExerciseStatus
    score: float | None  # None only for infrastructure_error: not graded, not zero
    max_score: float
    message: str = ""
    checks: list[CheckResult] = field(default_factory=list)
    pack_version: str = ""
    details: dict = field(default_factory=dict)  # for an exercise-wide error: where it happened
    message_ref: dict | None = None
    source: str = ""  # where the graded file was found, when not the plain name at the top
    near: str = ""  # a missing exercise: the submitted file that was perhaps meant
    warnings: list[dict] = field(default_factory=list)  # message references: advice that costs no points
    shared: list[dict] = field(default_factory=list)  # one outcome several checks ended in (localize.py)
    warning_texts: list[str] = field(default_factory=list)  # `warnings` in the report's language
    scaled_from: float | None = None  # an assignment weighs it: its pack's own points (scoring.weigh)
    # The static screen's findings (host/screen.py): lines reaching for the grader's internals, for
    # the teacher to review; they cost no points by themselves. {line, code, what}
    review: list[dict] = field(default_factory=list)

    @classmethod
    def from_dict(cls, data: dict) -> ExerciseResult:
        return cls(**{**_known(cls, data), "status": ExerciseStatus(data["status"]),
                      "checks": [CheckResult.from_dict(c) for c in data.get("checks", [])]})


@dataclass
class StudentResult:
    student: str
    score: float | None  # None when status is infrastructure_error
    max_score: float
    sandbox: str
    sandbox_note: str
    exercises: list[ExerciseResult]
    status: StudentStatus = StudentStatus.GRADED
    sandbox_outcome: str = "ok"  # see grader.host.sandboxes.base.SandboxOutcome
    sandbox_message: str = ""  # what the outcome means, in words; empty when ok
    submission_key: str = ""  # batch grading: hash of the submitted files and the packs' versions
    forks_refused: int = 0  # new processes its container's pids limit refused: a fork storm (docker only)
    ignored_files: list[str] = field(default_factory=list)
    refused_files: list[dict] = field(default_factory=list)  # {file, exercise, message, message_ref}
    sandbox_note_ref: dict | None = None
    sandbox_message_ref: dict | None = None
    lang: str = "en"  # the language of every text in it
    rendered_with: str = ""  # a hash of the templates and catalogs that wrote its texts
    assignment: str = ""  # the title of the assignment it was graded for (assignment.py), if any
    not_assigned: list[str] = field(default_factory=list)  # of ignored_files: files of exercises not assigned
    self_check: bool = False  # a student's own check (`grader check DIR`, the kit's `make check`), not a grade
    hidden_details: str = ""  # what the student's report (report.html) showed of hidden checks (hidden.py)
    schema: int = SCHEMA

    @classmethod
    def from_dict(cls, data: dict) -> StudentResult:
        """Read a report.json back (for rendering it again); unknown keys are ignored."""
        return cls(**{**_known(cls, data), "status": StudentStatus(data.get("status", "graded")),
                      "exercises": [ExerciseResult.from_dict(e) for e in data.get("exercises", [])]})

    def to_dict(self) -> dict:
        def plain(value):
            if isinstance(value, Enum):
                return value.value
            if isinstance(value, dict):
                return {k: plain(v) for k, v in value.items()}
            if isinstance(value, list):
                return [plain(v) for v in value]
            return value

        data = plain(asdict(self))
        # schema first, as the contract documents it
        return {"schema": data.pop("schema"), **data}


def _known(cls, data: dict) -> dict:
    names = {f.name for f in fields(cls)}
    return {k: v for k, v in data.items() if k in names}
