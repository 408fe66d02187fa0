"""Classify how a container ended, from what the engine and the results say (pure functions)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .base import SandboxOutcome


@dataclass
class ContainerEnd:
    """What the host knows once the container has stopped."""

    timed_out: bool  # the host's wall clock stopped it
    wall_seconds: float
    exit_code: int | None
    oom_killed: bool  # Docker's State.OOMKilled
    results_over_cap: bool  # what came out of /io/judge/out was larger than the host reads
    memory: str = ""


def classify(end: ContainerEnd, expected: list[str], got: set[str]) -> tuple[SandboxOutcome, dict, dict]:
    """The outcome, what it means for the whole submission, and what exercises without results get.

    Messages are ids with params (grader/messages). The student-level one is empty when all is well.
    """
    missing = [slug for slug in expected if slug not in got]
    params: dict[str, Any]
    if end.results_over_cap:
        outcome, params = SandboxOutcome.OUTPUT_LIMIT, {}
    elif end.timed_out:
        outcome, params = SandboxOutcome.TIMEOUT, {"seconds": end.wall_seconds}
    elif end.oom_killed:
        outcome, params = SandboxOutcome.MEMORY_LIMIT, {"limit": end.memory}
    elif missing or end.exit_code != 0:
        outcome, params = SandboxOutcome.CRASHED, {"code": end.exit_code}
    else:
        return SandboxOutcome.OK, {}, {}
    return (outcome, {"id": f"sandbox_{outcome.value}", "params": params},
            {"id": f"judge_container_{outcome.value}", "params": params})
