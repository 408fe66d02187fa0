"""What every sandbox takes (one student's judge jobs) and gives back (a SandboxRun)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from ..judge_report import JudgeRun
from ..messages import MessageError
from ..packs import Exercise


class SandboxOutcome(str, Enum):
    OK = "ok"
    TIMEOUT = "timeout"  # the sandbox's wall-clock limit for the whole submission ran out
    MEMORY_LIMIT = "memory_limit"  # the container's memory limit was hit (Docker's OOMKilled)
    OUTPUT_LIMIT = "output_limit"  # the results coming out were over their cap
    CRASHED = "crashed"  # the sandbox stopped without results for some exercises
    INFRASTRUCTURE_ERROR = "infrastructure_error"  # ours, not the student's: no engine, no image, ...


class InfrastructureError(MessageError):
    """The grader could not run the sandbox at all: no engine, no image, an engine error."""


@dataclass
class JudgeJob:
    exercise: Exercise
    content: bytes  # the student's file, already taken in and checked to be UTF-8 Python


@dataclass
class SandboxRun:
    """One JudgeRun per job that ran; jobs without one get the outcome's reason."""

    runs: dict[str, JudgeRun] = field(default_factory=dict)
    outcome: SandboxOutcome = SandboxOutcome.OK
    message: dict = field(default_factory=dict)  # id + params: what a non-ok outcome means for the submission
    missing_message: dict = field(default_factory=dict)  # id + params for each job without a JudgeRun
    isolation: str = ""  # the local sandbox's: what student code ran in ("bubblewrap" or "none")
