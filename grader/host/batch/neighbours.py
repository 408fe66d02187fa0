"""Which students to grade again because a fork bomb ran beside them (pure functions).

Containers share the machine's kernel. A container whose students fork against its process limit
spends both cores in the kernel, refusing forks, and a correct submission judged beside it can run
out of time merely starting its threads. Its own verdict is its own; everyone whose grading
overlapped it is graded again once the batch is done, when no such storm runs beside them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Span:
    """One student's grading: when it ran (monotonic seconds) and whether it was a fork storm."""

    key: str
    start: float
    end: float
    storm: bool


def beside_a_storm(spans: list[Span]) -> list[str]:
    """The keys of the spans that overlapped another's storm (and were not storms themselves)."""
    storms = [s for s in spans if s.storm]
    return [s.key for s in spans
            if not s.storm and any(o.start < s.end and s.start < o.end for o in storms)]
