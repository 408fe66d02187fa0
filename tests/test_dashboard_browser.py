"""The class dashboard and the reports in a real browser: Debian's Chromium, driven by Playwright, over HTTP;
at desktop width, and on a phone (390 px wide), where nothing may be cut off or widen the page."""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from pathlib import Path

import pytest

from grader.host.batch.run import grade_class
from grader.host.grading import grade_submission
from grader.host.i18n import translations
from grader.host.pack_i18n import pack_text
from grader.host.packs import load_all

from .browser import PHONE, launched
from .conftest import ROOT

# Longer than a phone is wide, with no place to break a line: an extra file in bob's folder, which his
# report lists as ignored, and a line of code that an interleaving shows.
LONG_NAME = "race_counter_backup_copy_of_the_final_version_before_the_deadline.py"
HITS_WITH_A_LONG_LINE = """INCREMENT_FOR_EVERY_SINGLE_HIT_RECORDED_BY_THIS_COUNTER_IN_THE_WHOLE_CLASS = 1


class Hits:
    def __init__(self):
        self.count = 0

    def hit(self):
        self.count += INCREMENT_FOR_EVERY_SINGLE_HIT_RECORDED_BY_THIS_COUNTER_IN_THE_WHOLE_CLASS
"""


@pytest.fixture(scope="module")
def browser():
    yield from launched()


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("dashboard")
    cls = tmp / "class"
    starter = ROOT / "exercises" / "race-counter" / "race_counter.py"
    for name, source in (("alice", ROOT / "solutions" / "race-counter" / "race_counter.py"), ("bob", starter),
                         ("李雷", starter)):
        (cls / name).mkdir(parents=True)
        shutil.copy(source, cls / name / "race_counter.py")
    shutil.copy(starter, cls / "bob" / LONG_NAME)
    # Someone submitted handoff.py, so the dashboard shows that exercise, and who did not submit it.
    shutil.copy(ROOT / "exercises" / "semaphore-handoff" / "handoff.py", cls / "bob")
    out = tmp / "out"
    grade_class(submissions=cls, out_dir=out, sandbox="local", workers=2)
    return out


@pytest.fixture(scope="module")
def explored(tmp_path_factory):
    """A report with an interleaving (the hit-counter pack of tests/packs explores schedules) whose code
    line is longer than a phone is wide."""
    tmp = tmp_path_factory.mktemp("explored")
    (tmp / "submission").mkdir()
    (tmp / "submission" / "hits.py").write_text(HITS_WITH_A_LONG_LINE, encoding="utf-8")
    grade_submission(submission=tmp / "submission", student="s", out_dir=tmp / "out", sandbox="local",
                     exercises_root=Path(__file__).resolve().parent / "packs")
    return tmp / "out"


# A homework of six exercises, graded in Chinese: a student with the reference solutions, two with the
# starters (one named as Moodle names students), so every check has passes and failures to show.
SIX = ("race-counter", "semaphore-handoff", "queue-drain", "word-tally", "reentrant-lock", "daemon-writer")


@pytest.fixture(scope="module")
def zh_class(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("zh-dashboard")
    cls = tmp / "class"
    chosen = [ex for ex in load_all(ROOT / "exercises") if ex.slug in SIX]
    for name, folder in (("王小明", ROOT / "solutions"), ("李雷", ROOT / "exercises"),
                         ("陈静_2481005_assignsubmission_file_", ROOT / "exercises")):
        (cls / name).mkdir(parents=True)
        for ex in chosen:
            shutil.copy(folder / ex.slug / ex.student_file, cls / name / ex.student_file)
    out = tmp / "out"
    grade_class(submissions=cls, out_dir=out, sandbox="local", workers=2, lang="zh", exercises=list(SIX))
    return out, chosen


@pytest.fixture(scope="module")
def zh_server(zh_class):
    yield from _serve(zh_class[0])


@pytest.fixture(scope="module")
def server(graded_class):
    yield from _serve(graded_class)


@pytest.fixture(scope="module")
def explored_server(explored):
    yield from _serve(explored)


def _serve(directory):
    handler = functools.partial(QuietHandler, directory=str(directory))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def test_dashboard_renders_links_work_and_the_console_is_clean(browser, server):
    page = browser.new_page()
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    response = page.goto(f"{server}/index.html")
    assert response.ok
    assert page.locator("#histogram rect").count() == 10
    # Without an assignment, the exercises nobody submitted are left out, and one line says so.
    submitted = [ex for ex in load_all(ROOT / "exercises") if ex.slug in ("race-counter", "semaphore-handoff")]
    assert page.locator("#exercises tbody tr").count() == len(submitted)
    assert page.locator("#checks tbody").count() == sum(len(ex.spec.checks) for ex in submitted)
    assert "15 exercises that no student submitted" in page.locator("#left-out").inner_text()
    assert page.locator("#students tbody tr").count() == 3

    names = page.locator("#students tbody tr td:first-child a")
    first_column = names.all_inner_texts()
    assert sorted(first_column) == sorted(["alice", "bob", "李雷"])
    headers = page.locator("#students thead th").all_inner_texts()
    total = next(i for i, h in enumerate(headers) if h.startswith("Total")) + 1
    page.locator("#students th", has_text="Total").click()  # sort by total, ascending
    totals = [t.split("/")[0] for t in page.locator(f"#students tbody tr td:nth-child({total})").all_inner_texts()]
    assert totals == sorted(totals, key=float)
    missing = page.locator("#students tbody tr td.missing").all_inner_texts()
    handoff = next(ex for ex in submitted if ex.slug == "semaphore-handoff")
    assert any(handoff.spec.title in m for m in missing)  # a student without handoff.py says so

    hrefs = [names.nth(i).get_attribute("href") for i in range(names.count())]
    for href in hrefs:
        report = browser.new_page()
        report.on("pageerror", lambda e: problems.append(str(e)))
        answer = report.goto(f"{server}/{href}")
        assert answer.ok, href
        assert report.locator("h1").inner_text() in ("alice", "bob", "李雷")
        report.close()
    page.close()
    assert problems == []


# What a phone shows of a page, measured in the page. A cell is reachable when it lies inside the
# scroll area of the nearest box that clips sideways (overflow-x not visible), that box scrolls or
# shows the cell anyway, and the box itself fits the viewport; with no such box, the cell must lie in
# the viewport (the page itself must not scroll sideways).
LAYOUT = """() => {
  const vw = window.innerWidth;
  const name = el => el.id ? '#' + el.id : el.tagName.toLowerCase() + (el.className ? '.' + el.className : '');
  const overflowX = el => getComputedStyle(el).overflowX;
  const scrolls = el => overflowX(el) === 'auto' || overflowX(el) === 'scroll';
  const outside = r => r.left < -0.5 || r.right > vw + 0.5;
  const clipper = el => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement)
      if (overflowX(p) !== 'visible') return p;
    return null;
  };
  const cells = [];
  for (const cell of document.querySelectorAll('th, td')) {
    const r = cell.getBoundingClientRect(), c = clipper(cell);
    const what = name(cell.closest('table')) + ' ' + cell.tagName.toLowerCase()
                 + ' "' + cell.textContent.trim() + '"';
    if (r.width === 0 || r.height === 0) cells.push(what + ' is hidden');
    else if (c === null) { if (outside(r)) cells.push(what + ' lies outside the viewport, at ' + r.right); }
    else {
      const b = c.getBoundingClientRect();
      const left = r.left - b.left - c.clientLeft + c.scrollLeft, right = left + r.width;
      if (left < -0.5 || right > c.scrollWidth + 0.5) cells.push(what + ' lies outside what ' + name(c) + ' scrolls');
      else if (right > c.clientWidth + 0.5 && !scrolls(c))
        cells.push(what + ' is cut off by ' + name(c) + ' (overflow-x ' + overflowX(c) + ')');
      if (outside(b)) cells.push(name(c) + ', around ' + what + ', is wider than the viewport');
    }
  }
  const boxes = [];
  for (const el of document.querySelectorAll('pre, ol.trace, ol.trace > li, section.exercise')) {
    const r = el.getBoundingClientRect();
    if (outside(r)) boxes.push(name(el) + ' lies outside the viewport: ' + r.left + '..' + r.right);
    if (el.scrollWidth > el.clientWidth + 1 && !scrolls(el))
      boxes.push(name(el) + ' spills over: ' + el.scrollWidth + ' > ' + el.clientWidth);
  }
  const svg = document.querySelector('#histogram'), h = svg && svg.getBoundingClientRect();
  return {
    scrollWidth: document.documentElement.scrollWidth, innerWidth: vw,
    histogram: svg && {left: h.left, right: h.right, width: h.width, height: h.height,
                       viewBox: [svg.viewBox.baseVal.width, svg.viewBox.baseVal.height]},
    cells: cells, boxes: boxes, tables: document.querySelectorAll('table').length,
    traces: document.querySelectorAll('ol.trace > li').length,
  };
}"""


def _on_a_phone(browser, url):
    """The page at `url` in a phone-sized viewport: (the page, its layout, the errors it logs)."""
    page = browser.new_page(viewport=PHONE)
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    assert page.goto(url).ok
    return page, page.evaluate(LAYOUT), problems


def _no_sideways_scroll(layout):
    assert layout["innerWidth"] == PHONE["width"]
    assert layout["scrollWidth"] <= layout["innerWidth"], f"the page scrolls sideways: {layout['scrollWidth']} px"


def test_the_dashboard_on_a_phone_shows_the_whole_histogram_and_every_column(browser, server):
    page, layout, problems = _on_a_phone(browser, f"{server}/index.html")
    _no_sideways_scroll(layout)
    # Whole: inside the viewport, scaled down at the drawing's own aspect (not squeezed, not letterboxed).
    h = layout["histogram"]
    assert h["left"] >= 0 and h["right"] <= PHONE["width"] and h["width"] > 0 and \
        h["height"] / h["width"] == pytest.approx(h["viewBox"][1] / h["viewBox"][0], rel=0.02), h
    assert layout["tables"] == 3
    assert layout["cells"] == []
    page.close()
    assert problems == []


def test_a_report_on_a_phone_does_not_scroll_sideways(browser, server):
    page, layout, problems = _on_a_phone(browser, f"{server}/bob/report.html")
    page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")  # ignored files too
    layout = page.evaluate(LAYOUT)
    assert LONG_NAME in page.locator("body").inner_text()
    _no_sideways_scroll(layout)
    assert layout["boxes"] == [] and layout["cells"] == []
    page.close()
    assert problems == []


def test_an_interleaving_with_a_long_line_stays_in_its_box_on_a_phone(browser, explored_server):
    page, layout, problems = _on_a_phone(browser, f"{explored_server}/s/report.html")
    assert layout["traces"] >= 3
    _no_sideways_scroll(layout)
    assert layout["boxes"] == []
    page.close()
    assert problems == []


# How squeezed each cell's text is, and the histogram's text as drawn. A cell is squeezed when its text,
# which would fit on one line in W px, gets less than min(W, 4 em): Chinese text may break after any
# character, so a column the table squeezes shows one character a line (a row 200 px tall, a heading
# read downwards).
SQUEEZE = """() => {
  const ctx = document.createElement('canvas').getContext('2d');
  const squeezed = [];
  for (const cell of document.querySelectorAll('th, td')) {
    const text = cell.textContent.replace(/\\s+/g, ' ').trim();
    if ([...text].length < 2) continue;
    const style = getComputedStyle(cell), em = parseFloat(style.fontSize);
    ctx.font = style.font;
    const oneLine = ctx.measureText(text).width;
    const inner = cell.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    if (inner + 1 < Math.min(oneLine, 4 * em))
      squeezed.push(cell.closest('table').id + ' "' + text.slice(0, 30) + '": ' + Math.round(inner) + ' px');
  }
  const labels = [...document.querySelectorAll('#histogram text')].map(t => t.getBoundingClientRect());
  const total = [...document.querySelectorAll('#students th')].find(th => th.textContent.includes('%s'));
  return {squeezed: squeezed, labelHeights: labels.map(r => r.height),
          labels: labels.map(r => [r.left, r.right, r.top]),
          total: total.getBoundingClientRect().right, vw: window.innerWidth};
}"""


def test_a_chinese_six_exercise_dashboard_reads_on_a_phone(browser, zh_server, zh_class):
    _, chosen = zh_class
    page, layout, problems = _on_a_phone(browser, f"{zh_server}/index.html")
    _no_sideways_scroll(layout)
    assert layout["cells"] == []
    # The assignment's six exercises, each under its Chinese title.
    rows = page.locator("#exercises tbody tr").all_inner_texts()
    assert len(rows) == len(SIX)
    for ex in chosen:
        title = pack_text(ex, ex.spec.title, "zh")
        assert title != ex.spec.title and any(title in row for row in rows), ex.slug
    seen = page.evaluate(SQUEEZE % translations("zh").gettext("Total"))
    assert seen["squeezed"] == []
    assert seen["total"] <= seen["vw"], "the students' totals are off-screen on a phone"
    # Histogram text as drawn: at least 10 px tall, and no two labels on one line overlap.
    assert min(seen["labelHeights"]) >= 10, seen["labelHeights"]
    by_line: dict[float, list] = {}
    for left, right, top in seen["labels"]:
        by_line.setdefault(round(top), []).append((left, right))
    for spans in by_line.values():
        spans.sort()
        assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:])), spans
    page.close()
    assert problems == []
