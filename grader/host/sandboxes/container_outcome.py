"""Classify how a container ended, from what the engine and the results say (pure functions)."""

from __future__ import annotations

from dataclasses import dataclass

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


def classify(end: ContainerEnd, expected: list[str], got: set[str]) -> tuple[SandboxOutcome, dict]:
    """The outcome and its message (id + params). Exercises without results get this message."""
    missing = [slug for slug in expected if slug not in got]
    if end.results_over_cap:
        return SandboxOutcome.OUTPUT_LIMIT, {"id": "judge_output_limit"}
    if end.timed_out:
        return SandboxOutcome.TIMEOUT, {"id": "judge_container_timeout", "params": {"seconds": end.wall_seconds}}
    if end.oom_killed:
        return SandboxOutcome.MEMORY_LIMIT, {"id": "judge_container_memory", "params": {"limit": end.memory}}
    if missing or end.exit_code != 0:
        return SandboxOutcome.CRASHED, {"id": "judge_container_crashed", "params": {"code": end.exit_code}}
    return SandboxOutcome.OK, {}
