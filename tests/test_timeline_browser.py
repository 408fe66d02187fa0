"""The interleaving's picture in a real browser (Debian's Chromium, driven by Playwright) on a phone, 390 px
wide, served under the course site's report Content-Security-Policy: drawn (not blank), inside the
viewport or its own scroll box, never widening the page, nothing refused by the policy; and in print,
within the page."""

from __future__ import annotations

import json
import struct
import zlib

import pytest

from grader.host import pack_check, packs, reports
from grader.host.results import StudentResult

from .browser import PHONE, launched
from .conftest import ROOT

# The course site's header for reports (grader/site/student/views.py REPORT_CSP), read from there below
REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'"


@pytest.fixture(scope="module")
def browser():
    yield from launched()


@pytest.fixture(scope="module")
def deadlock_report(tmp_path_factory) -> dict:
    exercise = packs.load_exercise(ROOT / "exercises" / "lock-ordering")
    out = tmp_path_factory.mktemp("deadlock")
    pack_check.grade_file(exercise, ROOT / "tests" / "samples" / "lock-ordering" / "same_order_without_sleep.py",
                          out_dir=out)
    return json.loads((out / "check" / "report.json").read_text(encoding="utf-8"))


def _many_lanes(report: dict) -> dict:
    """The same report, its interleaving's threads renamed so that it has six lanes: wider than a phone."""
    report = json.loads(json.dumps(report))
    ex = report["exercises"][0]
    every = [c.get("details") or {} for c in ex["checks"]] + [s.get("details") or {} for s in ex.get("shared") or []]
    for details in every:
        for k, s in enumerate((details.get("interleaving") or {}).get("steps") or []):
            if "thread" in s:
                s["thread"] = f"worker-{k % 6}"
    return report


def _open(browser, report: dict, *, media: str = "screen"):
    """The report on a phone, served with the site's CSP: (the page, what the policy refused or the console said)."""
    html = reports.render_html(StudentResult.from_dict(report))
    page = browser.new_page(viewport=PHONE)
    page.set_default_timeout(5000)  # what is looked for is in the page as served, or not at all
    page.emulate_media(media=media)
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
    headers = {"Content-Type": "text/html; charset=utf-8", "Content-Security-Policy": REPORT_CSP}
    page.route("http://report.test/", lambda route: route.fulfill(status=200, body=html, headers=headers))
    page.add_init_script("document.addEventListener('securitypolicyviolation', e => console.error("
                         "'refused by the policy: ' + e.violatedDirective + ' ' + e.blockedURI))")
    assert page.goto("http://report.test/").ok
    return page, problems


def _pixels(png: bytes) -> set[bytes]:
    """The distinct pixels of a PNG as Chromium writes it (8 bits a channel, RGB or RGBA, not interlaced)."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, data, width = 8, b"", 0
    channels = 3
    while pos < len(png):
        (length,), kind = struct.unpack(">I", png[pos:pos + 4]), png[pos + 4:pos + 8]
        body = png[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, _, depth, color = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and color in (2, 6)
            channels = 4 if color == 6 else 3
        elif kind == b"IDAT":
            data += body
        pos += 12 + length
    raw, stride = zlib.decompress(data), width * channels
    rows, prev = [], bytearray(stride)
    for i in range(0, len(raw), stride + 1):
        kind, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
        for x in range(stride):
            a = line[x - channels] if x >= channels else 0
            b, c = prev[x], prev[x - channels] if x >= channels else 0
            if kind == 1:
                line[x] = (line[x] + a) & 255
            elif kind == 2:
                line[x] = (line[x] + b) & 255
            elif kind == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return {row[x:x + channels] for row in rows for x in range(0, stride, channels)}


def test_on_a_phone_the_picture_is_drawn_within_the_viewport_under_the_sites_policy(browser, deadlock_report):
    # the policy the site sends is the one served here
    assert f'REPORT_CSP = "{REPORT_CSP}"' in (ROOT / "grader" / "site" / "student" / "views.py").read_text()
    page, problems = _open(browser, deadlock_report)
    svg = page.locator(".timeline-svg").first
    svg.scroll_into_view_if_needed()
    box = svg.bounding_box()
    assert box is not None and box["height"] > 100 and box["width"] > 100
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]  # three lanes fit a phone
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    pixels = _pixels(svg.screenshot())
    assert len(pixels) > 20, "the picture is blank"  # white, greys, the bars' colours, text's antialiasing
    assert page.locator(".timeline .lane").count() == 3 and page.locator(".timeline .bar").count() == 2
    assert not problems, problems


def test_more_lanes_than_a_phone_holds_scroll_in_their_own_box_not_the_page(browser, deadlock_report):
    page, problems = _open(browser, _many_lanes(deadlock_report))
    assert page.locator(".timeline .lane").first.get_attribute("data-thread") == "worker-0"
    scroll = page.locator(".timeline-scroll").first
    box, svg_box = scroll.bounding_box(), page.locator(".timeline-svg").first.bounding_box()
    assert box is not None and svg_box is not None
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert svg_box["width"] > box["width"]  # wider than its box, which scrolls
    assert scroll.evaluate("e => e.scrollWidth > e.clientWidth && getComputedStyle(e).overflowX === 'auto'")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert not problems, problems


def test_in_print_the_picture_fits_the_page(browser, deadlock_report):
    page, problems = _open(browser, _many_lanes(deadlock_report), media="print")
    svg_box = page.locator(".timeline-svg").first.bounding_box()
    assert svg_box is not None and svg_box["height"] > 0
    assert svg_box["x"] >= 0 and svg_box["x"] + svg_box["width"] <= PHONE["width"]
    assert not problems, problems
