"""A batch's progress: a live bar (counts, elapsed, ETA) on a terminal, a line per student elsewhere."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)


class BatchProgress:
    def __init__(self, console: Console):
        self.console = console
        self.live = console.is_terminal
        self.total = 0
        self.count = 0
        self.bar = Progress(TextColumn("grading"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                            TextColumn("ETA"), TimeRemainingColumn(), console=console) if self.live else None
        self.task: TaskID | None = None

    def __enter__(self):
        if self.bar is not None:
            self.bar.start()
        return self

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.stop()

    def start(self, total: int) -> None:
        self.total = total
        if self.bar is not None:
            self.task = self.bar.add_task("grading", total=total)
        else:
            self.console.print(f"{total} students", highlight=False)

    def again(self, count: int) -> None:
        """`count` students ran beside a fork bomb: they are graded once more, and counted again."""
        self.total += count
        line = f"{count} graded beside a fork bomb: grading them again"
        if self.bar is not None and self.task is not None:
            self.bar.update(self.task, total=self.total)
            self.bar.console.print(line, highlight=False)
        else:
            self.console.print(line, highlight=False)

    def done(self, entry) -> None:
        self.count += 1
        score = "not graded" if entry.score is None else f"{entry.score:g}/{entry.max_score:g}"
        note = " (unchanged, skipped)" if entry.skipped else f" ({entry.seconds:.1f} s)"
        if entry.graded_again:
            note += " (again)"
        line = f"[{self.count}/{self.total}] {escape(entry.student)}: {score} {entry.status}{note}"
        if self.bar is not None and self.task is not None:
            self.bar.advance(self.task)
            if entry.status != "graded":
                self.bar.console.print(line, highlight=False)
        else:
            self.console.print(line, highlight=False)
