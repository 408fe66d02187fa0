"""The interleaving's picture in real reports: samples graded in process, their report.html's inline SVG
read back as XML (lanes, steps in order, the pause, the lost write, held locks, the circle of waits), in
English and Chinese, with the numbered list still there for screen readers."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import pytest

from grader.host import pack_check, packs, reports
from grader.host.results import StudentResult

from .conftest import ROOT


def _graded(tmp_path_factory, slug: str, case: str) -> dict:
    exercise = packs.load_exercise(ROOT / "exercises" / slug)
    out = tmp_path_factory.mktemp(case)
    pack_check.grade_file(exercise, ROOT / "tests" / "samples" / slug / f"{case}.py", out_dir=out)
    return json.loads((out / "check" / "report.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def lost_update(tmp_path_factory):
    return _graded(tmp_path_factory, "race-counter", "no_sleep_unlocked_decrement")


@pytest.fixture(scope="module")
def deadlock(tmp_path_factory):
    return _graded(tmp_path_factory, "lock-ordering", "same_order_without_sleep")


def _details_with_interleaving(report: dict) -> list[dict]:
    ex = report["exercises"][0]
    every = [c.get("details") or {} for c in ex["checks"]] + [s.get("details") or {} for s in ex.get("shared") or []]
    return [d for d in every if d.get("interleaving")]


PICTURE = re.compile(r'<svg xmlns="http://www.w3.org/2000/svg" class="timeline-svg".*?</svg>', re.S)


def _pictures(html: str) -> list[ET.Element]:
    return [ET.fromstring(m) for m in PICTURE.findall(html)]


def _steps(svg: ET.Element) -> list[tuple[int, str]]:
    lanes = {str(i): g.get("data-thread") for i, g in enumerate(_classed(svg, "lane"))}
    return [(int(g.get("data-n", 0)), lanes[g.get("data-lane", "")]) for g in _classed(svg, "step")]


def _classed(svg: ET.Element, word: str) -> list[ET.Element]:
    return [e for e in svg.iter() if word in (e.get("class") or "").split()]


def _check_picture_matches(report: dict) -> tuple[ET.Element, dict]:
    html = reports.render_html(StudentResult.from_dict(report))
    details = _details_with_interleaving(report)
    pictures = _pictures(html)
    assert details and len(pictures) == len(details)
    svg, interleaving = pictures[0], details[0]["interleaving"]
    steps = [s for s in interleaving["steps"] if "n" in s]
    threads = list(dict.fromkeys(s["thread"] for s in steps))
    assert [g.get("data-thread") for g in _classed(svg, "lane")] == threads
    assert _steps(svg) == [(s["n"], s["thread"]) for s in steps]  # every step, in order, in its lane
    assert 'aria-hidden="true"' in html.split('<svg xmlns="http://www.w3.org/2000/svg" class="timeline-svg"')[0][-200:]
    # the numbered list stays, for screen readers and for the picture's words
    assert html.count('<ol class="trace">') == len(details)
    return svg, interleaving


def test_a_lost_update_is_drawn_with_its_pause_and_the_write_it_loses(lost_update):
    svg, interleaving = _check_picture_matches(lost_update)
    paused = [s["n"] for s in interleaving["steps"] if s.get("preempted")]
    assert [int(g.get("data-n", 0)) for g in _classed(svg, "paused")] == paused and _classed(svg, "pause")
    stale, overwritten = _classed(svg, "stale"), _classed(svg, "overwritten")
    assert len(stale) == 1 and len(overwritten) == 1
    by_n = {s["n"]: s for s in interleaving["steps"] if "n" in s}
    lost, stale_step = by_n[int(overwritten[0].get("data-n", 0))], by_n[int(stale[0].get("data-n", 0))]
    assert lost["thread"] != stale_step["thread"] and lost["n"] < stale_step["n"]
    assert stale_step["what"]["id"] == "trace_write_name"


def test_a_lock_order_deadlock_is_drawn_with_its_held_locks_and_its_circle(deadlock):
    svg, interleaving = _check_picture_matches(deadlock)
    lanes = {str(i): g.get("data-thread") for i, g in enumerate(_classed(svg, "lane"))}
    bars = _classed(svg, "bar")
    held = {(lanes[b.get("data-lane", "")], b.get("data-prim")) for b in bars}
    from_steps = {(s["thread"], str(p["id"])) for s in interleaving["steps"] for p in s.get("holds") or []}
    assert held == from_steps and len({p for _, p in held}) == 2  # two tellers, a lock each
    assert all("cycle" in (b.get("class") or "") for b in bars)
    assert len(_classed(svg, "cycle")) == 2 + 2  # each teller's last step, and the lock it waits for
    assert len(_classed(svg, "wait")) == 2


def test_the_picture_speaks_chinese_too(deadlock):
    html = reports.render_html(StudentResult.from_dict({**deadlock, "lang": "zh"}))
    assert _pictures(html)
    assert "等待形成了环" in html and "持有第 9 行创建的 Lock（第 1 个）（竖条）" in html
