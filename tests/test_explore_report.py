"""A check that explores schedules, graded end to end: the interleaving reaches report.json and
report.html in the student's language, and a passing check says how many schedules it held under."""

from __future__ import annotations

import json
import re
from pathlib import Path

from grader.host.grading import grade_submission

PACKS = Path(__file__).resolve().parent / "packs"
LOCKED = """import threading


class Hits:
    def __init__(self):
        self.count = 0
        self.lock = threading.Lock()

    def hit(self):
        with self.lock:
            self.count += 1
"""


def _grade(tmp_path: Path, source: str, lang: str = "en"):
    submission = tmp_path / "submission"
    submission.mkdir()
    (submission / "hits.py").write_text(source, encoding="utf-8")
    result = grade_submission(submission=submission, student="s", out_dir=tmp_path / "out", sandbox="local",
                              exercises_root=PACKS, exercises=["hit-counter"], lang=lang)
    folder = tmp_path / "out" / "s"
    return result, json.loads((folder / "report.json").read_text(encoding="utf-8")), \
        (folder / "report.html").read_text(encoding="utf-8")


def test_a_racy_counter_fails_with_the_interleaving_that_shows_it(tmp_path):
    starter = (PACKS / "hit-counter" / "hits.py").read_text(encoding="utf-8")
    _, report, html = _grade(tmp_path, starter)
    checks = {c["name"]: c for c in report["exercises"][0]["checks"]}
    check = checks["counts_every_hit"]
    assert check["status"] == "failed" and re.search(r"\b(1 hit was|[2-6] hits were) lost", check["message"])
    trace = check["details"]["interleaving"]
    paused = [s for s in trace["steps"] if s.get("preempted")]
    assert paused and paused[0]["code"] == "self.count += 1" and trace["race_note"]
    assert "is paused here: the scheduler switches to another thread" in html
    assert "Why you may never see this on your own computer" in html
    assert checks["starts_at_zero"]["status"] == "passed"


def test_the_interleaving_reads_in_chinese(tmp_path):
    starter = (PACKS / "hit-counter" / "hits.py").read_text(encoding="utf-8")
    _, _, html = _grade(tmp_path, starter, lang="zh")
    assert "在这里被暂停：调度器切换到另一个线程" in html and "为什么在你自己的电脑上可能永远看不到这个问题" in html


def test_a_locked_counter_passes_and_says_how_many_schedules_it_held_under(tmp_path):
    result, report, html = _grade(tmp_path, LOCKED)
    assert result.score == result.max_score
    check = {c["name"]: c for c in report["exercises"][0]["checks"]}["counts_every_hit"]
    assert check["details"]["exploration"] == {"schedules": 300}
    assert "Held under all 300 schedules" in html


def test_why_a_race_seldom_shows_is_said_once_per_report(tmp_path):
    # Issue 23, item 9: the "why you may never see this on your computer" text came once per check.
    import copy

    from grader.host.localize import localize
    from grader.host.packs import load_all
    from grader.host.reports import render_html

    starter = (PACKS / "hit-counter" / "hits.py").read_text(encoding="utf-8")
    result, _, _ = _grade(tmp_path, starter)
    twice = copy.deepcopy(result)
    twice.exercises = [*result.exercises, copy.deepcopy(result.exercises[0])]  # two racy interleavings
    localize(twice, "en", {ex.slug: ex for ex in load_all(PACKS)})
    html = render_html(twice)
    assert html.count("Why you may never see this on your own computer") == 1
    assert html.count("is paused here: the scheduler switches to another thread") >= 2  # both traces stay
