"""A batch's progress: a live bar (counts, elapsed, ETA) on a terminal, a line per student elsewhere;
in the batch's language (`--lang`)."""

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

from ..i18n import translations
from ..messages import text


class BatchProgress:
    def __init__(self, console: Console, lang: str = "en"):
        self.console = console
        self.lang = lang
        self.live = console.is_terminal
        self.total = 0
        self.count = 0
        columns = (TextColumn(escape(text("batch_grading", lang))), BarColumn(), MofNCompleteColumn(),
                   TimeElapsedColumn(), TextColumn(escape(text("batch_eta", lang))), TimeRemainingColumn())
        self.bar = Progress(*columns, console=console) if self.live else None
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
            self.console.print(escape(text("batch_students", self.lang, total=total)), highlight=False)

    def again(self, count: int) -> None:
        """`count` students ran beside a fork bomb: they are graded once more, and counted again."""
        self.total += count
        line = escape(text("batch_fork_again", self.lang, count=count))
        if self.bar is not None and self.task is not None:
            self.bar.update(self.task, total=self.total)
            self.bar.console.print(line, highlight=False)
        else:
            self.console.print(line, highlight=False)

    def done(self, entry) -> None:
        self.count += 1
        lang = self.lang
        score = text("batch_not_graded", lang) if entry.score is None else f"{entry.score:g}/{entry.max_score:g}"
        note = (text("batch_skipped_note", lang) if entry.skipped
                else text("batch_seconds_note", lang, seconds=f"{entry.seconds:.1f}"))
        if entry.graded_again:
            note += text("batch_again_note", lang)
        status = translations(lang).pgettext("status", entry.status)
        line = escape(text("batch_progress", lang, count=self.count, total=self.total, student=entry.student,
                           points=score, status=status, note=note))
        if self.bar is not None and self.task is not None:
            self.bar.advance(self.task)
            if entry.status != "graded":
                self.bar.console.print(line, highlight=False)
        else:
            self.console.print(line, highlight=False)
