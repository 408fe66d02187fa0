"""The course site in a real browser (Debian's Chromium, driven by Playwright) against `grader serve` run
as a real process (LiveSite: real workers, the local sandbox, real grading).

The teacher signs in with the first start's one-time link and sets the course up through its pages
(the `teacher` fixture); students sign in with the links of the sheet the roster page hands out. Then:
a student on a phone submits and watches the grade arrive without a reload while the teacher's board
follows; hostile names, file names and messages run nothing in the teacher's browser; every page fits a
phone's width and has no serious or critical axe violation; and no page breaks its own CSP.

Three gradings in all (the starter and the reference of one student, one hostile submission).
All `slow` (make test-all, CI): the module's site, its course set up through the pages and the
hostile grading cost ~35 s before any test runs; make test has the same pages through Django's test
client (test_student_pages, test_teacher_pages, test_access)."""

from __future__ import annotations

import csv
import io
import os
import re
import signal
import threading
import time
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import requests

from ..browser import PHONE, launched
from .conftest import EXERCISES, SOLUTIONS
from .live import ROOT, LiveSite

if TYPE_CHECKING:
    from playwright.sync_api import Page, Response

FIRST_LINK = re.compile(r"First start: the teacher's one-time sign-in link: (\S+)")
ROSTER = ROOT / "tests" / "site" / "rosters" / "moodle_participants_zh_gbk.csv"  # 张三, 李小明, 欧阳美丽
STARTER = EXERCISES / "race-counter" / "race_counter.py"
REFERENCE = SOLUTIONS / "race-counter" / "race_counter.py"
CJK = re.compile(r"[\u4e00-\u9fff]")
GRADING_LIMIT_MS = 120_000  # a bound on a wait (startup, a busy machine), not a verdict

# What a student may write that would run if a page put it in as markup. Each sets window.__pwned or
# opens a dialog; with the site's CSP an inline script would be refused rather than run, so the tests
# also look for the elements themselves and for the text shown as text.
PWN_IMG = "<img src=x onerror=window.__pwned=1>"
PWN_SCRIPT = "<script>window.__pwned=1</script>"
PWN_ALERT = "<script>alert(1)</script>"
HOSTILE_MODULE = f'raise RuntimeError("{PWN_ALERT} {PWN_IMG}")\n'
HOSTILE_FILE = f"{PWN_IMG}.py"  # an extra file: the report lists it, by name, as ignored
# Markup from students' text in a page or frame: no inline script, no <img src=x>, no inline handler.
INJECTED = "() => document.querySelectorAll('script:not([src]), img[src=\"x\"], [onerror]').length"


@pytest.fixture(scope="module")
def browser():
    yield from launched()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    live = LiveSite(tmp_path_factory.mktemp("site-browser") / "data")
    yield live
    live.stop()


class Watched:
    """A browser context whose every page is watched: CSP refusals and other console errors, uncaught
    errors, and dialogs (alert(), confirm(): nothing on the site opens one)."""

    def __init__(self, browser, **options):
        self.context = browser.new_context(**options)
        self.csp: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.context.on("console", self._console)
        self.context.on("weberror", lambda e: self.errors.append(str(e.error)))
        self.context.on("dialog", self._dialog)

    def _console(self, message) -> None:
        where = f"{message.text} (at {message.location.get('url')})"
        if "Content Security Policy" in message.text or "Refused to" in message.text:
            self.csp.append(where)
        elif message.type == "error":
            self.errors.append(where)

    def _dialog(self, dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def page(self) -> Page:
        return self.context.new_page()

    def clean(self) -> None:
        assert self.dialogs == [], "a dialog opened"
        assert self.csp == [], "the browser refused something under the site's CSP"
        assert self.errors == [], "errors in the console"


@pytest.fixture(scope="module")
def teacher(browser, site):
    """The teacher, signed in with the first start's link, with a course of race-counter and
    queue-drain and the roster imported (the new accounts in Chinese); the sheet's rows by user name."""
    link = _first_link(site)
    who = Watched(browser)
    page = who.page()
    _goto(page, link)
    page.locator("main button[type=submit]").click()  # the GET only shows the button: a preview spends nothing
    page.wait_for_url("**/people/me/")

    _goto(page, f"{site.url}/teacher/course/")
    page.fill("#id_title", "并发编程 Concurrency")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url("**/teacher/course/")
    for slug in ("race-counter", "queue-drain"):
        page.locator("fieldset.exercise").filter(has=page.locator(f"legend:has-text('{slug}')")).first \
            .get_by_role("checkbox").check()
    page.locator("form:has(input[name=action][value=exercises]) button[type=submit]").click()
    page.wait_for_url("**/teacher/course/")
    assert page.locator("fieldset.exercise input[type=checkbox]:checked").count() == 2

    _goto(page, f"{site.url}/teacher/roster/")
    page.set_input_files("#id_file", ROSTER)
    page.select_option("#id_lang", "zh")
    page.locator("main form button[type=submit]").click()
    page.locator("a[download]").wait_for()
    # The sheet is inside the page (a data: URL): downloaded as the browser saves it.
    with page.expect_download() as download:
        page.locator("a[download]").click()
    sheet = Path(download.value.path()).read_bytes().decode("utf-8-sig")
    rows = {row["student"]: row for row in csv.DictReader(io.StringIO(sheet))}
    assert len(rows) == 3, sheet
    page.close()
    yield who, rows
    who.context.close()


def _goto(page: Page, url: str) -> Response:
    response = page.goto(url)
    assert response is not None and response.ok, url
    return response


def _first_link(site: LiveSite) -> str:
    """The link `grader serve` prints on its first start, a line after the site's address."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for line in site.lines:
            if found := FIRST_LINK.search(line):
                return found.group(1)
        time.sleep(0.1)
    raise AssertionError("no first sign-in link printed:\n" + "\n".join(site.lines))


def _student(browser, site, row: dict) -> tuple[Watched, Page]:
    """A student on a phone, signed in with their link (their account's language: Chinese)."""
    who = Watched(browser, viewport=PHONE)
    page = who.page()
    _goto(page, row["sign_in_link"])
    page.locator("main button[type=submit]").click()
    page.wait_for_url("**/people/me/")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    return who, page


def _submit(page, site, files) -> int:
    """Upload `files` on the race-counter exercise's page; the submission's id from the page it opens."""
    _goto(page, f"{site.url}/")
    page.locator("a[href='/exercises/race-counter/']").click()
    page.wait_for_url("**/exercises/race-counter/")
    page.set_input_files("input[type=file]", files)
    page.locator("form.upload button[type=submit]").click()
    page.wait_for_url(re.compile(r"/submissions/\d+/$"))
    found = re.search(r"/submissions/(\d+)/$", page.url)
    assert found
    return int(found.group(1))


def _number(text: str) -> float:
    """The points of a "7 / 10" text."""
    return float(text.split("/")[0].strip())


# One student's whole path on a phone, while the teacher's board follows: four pages, two gradings and
# a stopped worker: ~8 s, after ~5 s to start the site and set the course up.
@pytest.mark.slow
def test_a_student_on_a_phone_sees_the_grade_arrive_and_the_teacher_board_follows(browser, site, teacher):
    staff, rows = teacher
    row = next(r for r in rows.values() if r["name"] == "张三")
    token = row["api_token"]
    student, page = _student(browser, site, row)

    board = staff.page()
    _goto(board, f"{site.url}/teacher/")
    board.evaluate("window.__stayed = true")
    board_row = board.locator("tbody tr").filter(has=board.locator("th a", has_text="张三"))
    cell = _cell_id(board, board_row, "race-counter")
    assert board.locator(f"#{cell}-score").inner_text() == "–"  # nothing submitted yet

    # The worker is stopped while the student submits, so that the page is sure to load before the
    # grading starts: the change to "graded" must then come from the page's own polling.
    workers = _wait_for_workers(site)
    for pid in workers:
        os.kill(pid, signal.SIGSTOP)
    try:
        submission = _submit(page, site, STARTER)
        navigations: list[str] = []
        page.on("framenavigated", lambda f: navigations.append(f.url) if f == page.main_frame else None)
        page.evaluate(OBSERVE_STATE)
        state = page.locator("#state")
        assert "state-queued" in (state.get_attribute("class") or "")
        assert CJK.search(state.inner_text()), state.inner_text()  # "queued" in Chinese
    finally:
        for pid in workers:
            os.kill(pid, signal.SIGCONT)
    api_graded = _FirstGraded(site, token, submission)
    page.wait_for_function("() => window.__gradedAt !== undefined", timeout=GRADING_LIMIT_MS)
    api_at = api_graded.wait()
    shown_at = page.evaluate("window.__gradedAt")
    print(f"\nthe page showed 'graded' {shown_at - api_at:.0f} ms after the API first reported it")
    assert page.evaluate("window.__stayed") is True and navigations == [], "the page was loaded again"
    assert page.evaluate("window.__states")[0].endswith("state-queued")

    status = site.status(token, submission)
    assert status["state"] == "graded" and status["score"] < status["max_score"]  # the starter is wrong
    page.locator("#score-info").wait_for()
    assert _number(page.locator("#score").inner_text()) == pytest.approx(status["score"], abs=0.01)
    assert page.locator("#grade-tables table").count() >= 1
    # The frame shows about:blank until the page points it at the report: wait for the report's heading.
    report = page.frame_locator("#report")
    report.locator("body h1").wait_for()
    report_text = report.locator("body").inner_text()
    assert CJK.search(report_text) and "race" in report_text.lower(), report_text[:500]
    assert (report.locator("html").get_attribute("lang") or "").startswith("zh")

    # The board follows by itself.
    board.wait_for_function(SHOWS, arg=[cell + "-score", _shown(status["score"]) + " "], timeout=GRADING_LIMIT_MS)

    # The reference solution: full marks, on the page and on the board.
    submission = _submit(page, site, REFERENCE)
    page.locator("#state.state-graded").wait_for(timeout=GRADING_LIMIT_MS)
    status = site.status(token, submission)
    assert status["score"] == status["max_score"] > 0
    page.locator("#score-info").wait_for()
    assert _number(page.locator("#score").inner_text()) == status["max_score"]
    board.wait_for_function(SHOWS, arg=[cell + "-score", _shown(status["max_score"]) + " "], timeout=GRADING_LIMIT_MS)
    assert board.evaluate("window.__stayed") is True, "the board was loaded again"

    exports = staff.page()
    _goto(exports, f"{site.url}/teacher/exports/")
    with exports.expect_download() as download:
        exports.locator("a", has_text="grades.csv").click()
    grades = Path(download.value.path()).read_bytes().decode("utf-8-sig")
    by_student = {r["student"]: r for r in csv.DictReader(io.StringIO(grades))}
    assert float(by_student[row["student"]]["race-counter"]) == status["max_score"], grades
    for p in (board, exports):
        p.close()
    student.clean()
    staff.clean()
    student.context.close()


# A function, not an expression: the site's CSP (no 'unsafe-eval') refuses Playwright's eval of a string.
SHOWS = "([id, start]) => document.getElementById(id).textContent.startsWith(start)"
# Records each class #state takes and when it first shows "graded" (the browser's clock: this machine's).
OBSERVE_STATE = """() => {
  const state = document.getElementById('state');
  window.__states = [state.className];
  new MutationObserver(() => {
    window.__states.push(state.className);
    if (state.classList.contains('state-graded') && window.__gradedAt === undefined) window.__gradedAt = Date.now();
  }).observe(state, {attributes: true, childList: true, characterData: true, subtree: true});
  window.__stayed = true;
}"""


class _FirstGraded(threading.Thread):
    """Polls the API every 20 ms: when it first reports "graded" (ms since the epoch, as Date.now())."""

    def __init__(self, site: LiveSite, token: str, submission: int):
        super().__init__(daemon=True)
        self.site, self.token, self.submission = site, token, submission
        self.at: float | None = None
        self.start()

    def run(self) -> None:
        deadline = time.monotonic() + GRADING_LIMIT_MS / 1000
        while time.monotonic() < deadline:
            try:
                state = self.site.status(self.token, self.submission)["state"]
            except requests.RequestException:
                return  # the site stopped (the test failed meanwhile): wait() says so
            if state == "graded":
                self.at = time.time() * 1000
                return
            time.sleep(0.02)

    def wait(self) -> float:
        self.join()
        assert self.at is not None, "the API never reported the submission graded"
        return self.at


def _wait_for_workers(site: LiveSite) -> list[int]:
    deadline = time.monotonic() + 60
    while not (pids := site.workers()):
        assert time.monotonic() < deadline, "grader serve started no worker"
        time.sleep(0.2)
    return pids


def _cell_id(board, board_row, slug: str) -> str:
    """The id of `slug`'s cell in a board row (c-USER-EXERCISE): its column is found by its heading."""
    headings = board.locator("table.board thead th").all_inner_texts()
    column = next(i for i, h in enumerate(headings) if h.split()[-1] == slug)
    span = board_row.locator("td").nth(column - 1).locator("span[id$='-score']").get_attribute("id")
    assert span
    return span.removesuffix("-score")


def _shown(points: float) -> str:
    return f"{round(points, 2):g}"


@pytest.fixture(scope="module")
def hostile(browser, site, teacher):
    """A student named like a script, whose graded submission (a zip) raises markup at import and
    carries a file named like markup. Returns (their user id, the submission's id)."""
    _, rows = teacher
    row = next(r for r in rows.values() if r["name"] == "李小明")
    student, page = _student(browser, site, row)
    page.fill("#id_display_name", PWN_SCRIPT)
    page.locator("form:has(input[name=action][value=preferences]) button[type=submit]").click()
    page.wait_for_url("**/people/me/")
    assert page.locator("h1").inner_text() == PWN_SCRIPT
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("race_counter.py", HOSTILE_MODULE)
        z.writestr(HOSTILE_FILE, "x = 1\n")
    submission = _submit(page, site, [{"name": f"{PWN_IMG}.zip", "mimeType": "application/zip",
                                       "buffer": archive.getvalue()}])
    page.locator("#state.state-graded").wait_for(timeout=GRADING_LIMIT_MS)
    page.locator("#grade-tables table").first.wait_for()
    # Whether drawn by the server or by status.js once graded: text, not markup.
    assert PWN_ALERT in page.locator("#grade-tables").inner_text()
    assert page.evaluate(INJECTED) == 0 and page.evaluate("typeof window.__pwned") == "undefined"
    yield student, _user_id(teacher[0], site, PWN_SCRIPT), submission
    student.clean()
    student.context.close()


def _user_id(staff: Watched, site: LiveSite, name: str) -> int:
    """The student's user id, from the board's link to their page."""
    page = staff.page()
    _goto(page, f"{site.url}/teacher/")
    href = page.locator("tbody th a", has_text=name).get_attribute("href")
    page.close()
    found = re.fullmatch(r"/teacher/students/(\d+)/", href or "")
    assert found, href
    return int(found.group(1))


@pytest.mark.slow
def test_hostile_names_files_and_messages_run_nothing_in_the_teachers_browser(site, teacher, hostile):
    staff, _ = teacher
    _, user_id, submission = hostile
    page = staff.page()
    pages = [(f"{site.url}/teacher/", [PWN_SCRIPT]),
             (f"{site.url}/teacher/students/{user_id}/", [PWN_SCRIPT]),
             (f"{site.url}/submissions/{submission}/", [PWN_SCRIPT, PWN_IMG]),
             (f"{site.url}/submissions/{submission}/report", [PWN_IMG, PWN_ALERT, HOSTILE_FILE])]
    for url, shown in pages:
        _goto(page, url)
        page.wait_for_load_state("load")
        if url.endswith(f"/submissions/{submission}/"):
            page.frame_locator("#report").locator("body h1").wait_for()
        for frame in page.frames:  # what a report folds (the ignored files) is opened, as a reader would
            frame.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        text = page.locator("body").inner_text()
        for hostile_text in shown:
            assert hostile_text in text, f"{url} does not show {hostile_text!r} as text"
        for frame in page.frames:
            assert frame.evaluate(INJECTED) == 0, f"markup from a student's text in {frame.url}"
            assert frame.evaluate("typeof window.__pwned") == "undefined", frame.url
        if url.endswith(f"/submissions/{submission}/"):
            framed = page.frame_locator("#report").locator("body").inner_text()
            assert PWN_IMG in framed and HOSTILE_FILE in framed, framed[:500]
    page.close()
    staff.clean()
    hostile[0].clean()


def _phone_pages(browser, site, teacher, hostile) -> list[tuple[Watched, str]]:
    """Every kind of page, each with the context of the one who reads it; those who read on a phone
    (the student, someone signed out) see it 390 px wide, and so does the teacher's here."""
    staff, _ = teacher
    student, user_id, submission = hostile
    anonymous = Watched(browser, viewport=PHONE)
    return [(student, f"{site.url}/"), (student, f"{site.url}/exercises/race-counter/"),
            (student, f"{site.url}/submissions/{submission}/"),
            (student, f"{site.url}/submissions/{submission}/report"),
            (student, f"{site.url}/people/me/"), (anonymous, f"{site.url}/people/sign-in/"),
            *[(staff, f"{site.url}/teacher/{where}") for where in (
                "", "course/", "roster/", "exports/", "queue/", f"students/{user_id}/")]]


def _open(who: Watched, url: str):
    page = who.page()
    page.set_viewport_size({"width": PHONE["width"], "height": PHONE["height"]})
    response = _goto(page, url)
    if re.search(r"/submissions/\d+/$", url):
        page.frame_locator("#report").locator("body h1").wait_for()  # the report is in: its frame is laid out
    page.wait_for_load_state("networkidle")
    return page, response


@pytest.mark.slow
def test_every_page_fits_a_phone_and_has_no_serious_accessibility_violation(browser, site, teacher, hostile):
    from axe_playwright_python.sync_playwright import Axe  # type: ignore[import-untyped]

    axe = Axe()
    wide, violations = [], []
    for who, url in _phone_pages(browser, site, teacher, hostile):
        page, _ = _open(who, url)
        width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        if width[0] > width[1]:
            wide.append(f"{url}: {width[0]} px wide in a {width[1]} px window")
        # a student's grade table reads on a phone without scrolling it sideways inside the page either
        squeezed = page.evaluate("() => [...document.querySelectorAll('#grades .table-wrap')]"
                                 ".filter(w => w.scrollWidth > w.clientWidth).length")
        if squeezed:
            wide.append(f"{url}: {squeezed} grade table(s) scroll sideways")
        for v in axe.run(page).response["violations"]:
            if v["impact"] in ("serious", "critical"):
                violations.append(f"{url}: {v['id']} ({v['impact']}): {v['help']}; "
                                  + ", ".join(str(n["target"]) for n in v["nodes"][:5]))
        page.close()
    assert wide == [], "pages that scroll sideways on a phone:\n" + "\n".join(wide)
    assert violations == [], "serious or critical axe violations:\n" + "\n".join(violations)


@pytest.mark.slow
def test_the_pages_keep_to_their_content_security_policy(browser, site, teacher, hostile):
    # The collector does hear a refusal: a script put in as markup, which the CSP must refuse to run.
    probe = Watched(browser)
    page = probe.page()
    _goto(page, f"{site.url}/people/sign-in/")
    page.evaluate("""() => { const s = document.createElement('script');
                             s.textContent = 'window.__ran = 1'; document.body.appendChild(s); }""")
    page.wait_for_timeout(200)
    assert page.evaluate("typeof window.__ran") == "undefined" and probe.csp, "the CSP let an inline script run"
    probe.context.close()

    for who, url in _phone_pages(browser, site, teacher, hostile):
        who.csp.clear()
        page, response = _open(who, url)
        policy = response.headers.get("content-security-policy", "")
        if url.endswith("/report"):
            assert "default-src 'none'" in policy and "script-src" not in policy, (url, policy)
        else:
            assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
        # Every script a static file of the site's own.
        scripts = page.evaluate("() => Array.from(document.scripts, s => s.getAttribute('src'))")
        assert all(src and src.startswith("/static/") for src in scripts), (url, scripts)
        page.close()
        assert who.csp == [], f"{url}: the browser refused under the site's CSP:\n" + "\n".join(who.csp)
