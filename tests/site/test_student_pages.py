"""The student's pages: the course's exercises, one exercise (README, upload), a submission, its report.

Uploads go through the page as a browser sends them (multipart); grading is not run here: a result
is stored on the row by hand (the contract's dataclasses), as a worker would record it.
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.contrib.staticfiles import finders
from django.core.files.uploadedfile import SimpleUploadedFile
from django.templatetags.static import static
from django.test import RequestFactory, override_settings
from django.urls import reverse

from grader.host import messages, packs
from grader.host.pack_i18n import pack_text
from grader.host.results import CheckResult, CheckStatus, ExerciseResult, ExerciseStatus, StudentResult
from grader.site.course.models import CourseExercise
from grader.site.student import views
from grader.site.student.readme import readme_html, render_markdown
from grader.site.submissions import accept, storage, uploads
from grader.site.submissions.models import Submission

from .conftest import EXERCISES, file_of

pytestmark = pytest.mark.django_db

STUDENT = Path(__file__).resolve().parents[2] / "grader" / "site" / "student"
CATALOG = STUDENT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
CJK = "\u3400-\u4dbf\u4e00-\u9fff"


def pack(slug: str) -> packs.Exercise:
    return next(e for e in packs.load_all(EXERCISES) if e.slug == slug)


def signed_in(client, person, lang: str | None = None):
    if lang is not None:
        person.lang = lang
        person.save(update_fields=["lang"])
    client.force_login(person.user)
    return client


def text_of(response) -> str:
    return html.unescape(response.content.decode())


def stored(person, slug="race-counter", files=None) -> Submission:
    exercise = CourseExercise.objects.get(slug=slug)
    return accept.store(student=person.user, course_exercise=exercise, files=files or [file_of(slug)])


def graded(submission: Submission, score: float = 7.0) -> Submission:
    """As a worker records it: a StudentResult's dict, the score and the state."""
    checks = [
        CheckResult(name="run_returns_start_minus_n", status=CheckStatus.PASSED, score=4, max_score=4, message="",
                    message_ref={"text": "run() returned start - n every time"}),
        CheckResult(name="decrement_is_thread_safe", status=CheckStatus.FAILED, score=0, max_score=3, message="",
                    message_ref={"text": "lost 3 updates <b>in one run</b>\nsecond line of details"}),
    ]
    result = StudentResult(student="Alice", score=score, max_score=10, sandbox="local", sandbox_note="", exercises=[
        ExerciseResult(exercise=submission.exercise.slug, title="", status=ExerciseStatus.FAILED, score=score,
                       max_score=10, checks=checks)])
    Submission.objects.filter(pk=submission.pk).update(state=Submission.State.GRADED, result=result.to_dict(),
                                                       score=score, max_score=10)
    submission.refresh_from_db()
    return submission


def blobs() -> set[Path]:
    return set(storage.root().rglob("*")) if storage.root().exists() else set()


def upload(client, *files: tuple[str, bytes], slug="race-counter"):
    data = {"files": [SimpleUploadedFile(name, content) for name, content in files]}
    return client.post(reverse("student:exercise", args=[slug]), data)


# --- home -------------------------------------------------------------------------------------------


def test_home_lists_the_courses_exercises_in_english(client, course, people):
    response = signed_in(client, people["alice"]).get("/")
    assert response.status_code == 200
    page = text_of(response)
    race, drain = pack("race-counter"), pack("queue-drain")
    assert race.spec.title in page and drain.spec.title in page
    assert page.index(race.spec.title) < page.index(drain.spec.title)  # the course's order
    assert reverse("student:exercise", args=["race-counter"]) in page
    assert "no graded submission yet" in page


def test_home_lists_the_exercises_in_chinese(client, course, people):
    page = text_of(signed_in(client, people["alice"], lang="zh").get("/"))
    title = pack_text(pack("race-counter"), pack("race-counter").spec.title, "zh")
    assert title != pack("race-counter").spec.title  # the pack has a Chinese title to show
    assert title in page
    assert "截止时间" in page and "还没有评分的提交" in page
    assert 'lang="zh-CN"' in page


def test_home_shows_the_deadline_the_late_policy_the_counted_score_and_the_latest_state(client, course, people):
    from datetime import UTC, datetime

    CourseExercise.objects.filter(slug="race-counter").update(
        deadline=datetime(2031, 5, 1, 12, 0, tzinfo=UTC), penalty_per_day=10, max_days_late=3)
    graded(stored(people["alice"]), score=7)
    stored(people["alice"])  # a newer one, waiting
    page = text_of(signed_in(client, people["alice"]).get("/"))
    assert "2031-05-01 12:00" in page
    assert "costs 10% of the points" in page and "up to 3 days late" in page
    assert "7 / 10" in page
    assert "Waiting in the queue" in page


def test_home_without_a_course_says_the_teacher_has_not_set_it_up(client, people):
    page = text_of(signed_in(client, people["alice"]).get("/"))
    assert "The teacher has not set up the course yet" in page
    assert reverse("teacher:board") not in page
    teacher_page = text_of(signed_in(client, people["teacher"]).get("/"))
    assert f'<a href="{reverse("teacher:board")}">Set up the course' in teacher_page


def test_pages_need_a_signed_in_person(client, course, people):
    submission = stored(people["alice"])
    for url in ["/", reverse("student:exercise", args=["race-counter"]),
                reverse("student:submission", args=[submission.pk]), reverse("student:report", args=[submission.pk])]:
        response = client.get(url)
        assert response.status_code == 302 and reverse("people:sign_in") in response["Location"], url


# --- the exercise page and uploads --------------------------------------------------------------------


def test_exercise_page_shows_the_readme_file_rules_and_form_in_english(client, course, people):
    response = signed_in(client, people["alice"]).get(reverse("student:exercise", args=["race-counter"]))
    assert response.status_code == 200
    page = text_of(response)
    assert "race_counter.py" in page
    assert "From the tutorial" in page  # README.md, rendered
    assert "<h3>" in response.content.decode()  # its headings under the page's h1 and h2
    assert 'type="file"' in page and " multiple" in page
    assert re.search(r'<label for="id_files">', page)
    assert "Your last graded submission before the deadline counts" in page
    assert "You can submit now." in page
    assert "No attempts yet." in page


def test_exercise_page_reads_in_chinese(client, course, people):
    client = signed_in(client, people["alice"], lang="zh")
    page = text_of(client.get(reverse("student:exercise", args=["race-counter"])))
    zh_readme = (EXERCISES / "race-counter" / "README.zh.md").read_text(encoding="utf-8")
    first_heading = zh_readme.splitlines()[0].lstrip("# ").strip()
    assert first_heading in page
    assert "提交评分" in page and "你的提交记录" in page


def test_exercise_page_warns_before_a_late_submission_what_it_costs(client, course, people):
    from datetime import timedelta

    from django.utils import timezone

    from grader.site.course.models import Extension

    race = CourseExercise.objects.get(slug="race-counter")
    CourseExercise.objects.filter(pk=race.pk).update(
        deadline=timezone.now() - timedelta(days=1, hours=12), penalty_per_day=10, max_days_late=3, grace_minutes=5)
    url = reverse("student:exercise", args=["race-counter"])
    page = text_of(signed_in(client, people["alice"]).get(url))
    assert "A submission now would be 2 days late: it costs 20% of the points." in page
    assert page.index("would be 2 days late") < page.index('type="file"')
    zh = text_of(signed_in(client, people["bob"], lang="zh").get(url))
    assert "现在提交将迟交 2 天：扣除总分的 20%。" in zh
    CourseExercise.objects.filter(pk=race.pk).update(max_days_late=1)
    page = text_of(signed_in(client, people["alice"]).get(url))
    assert "A submission now would be 2 days late: it would not be accepted." in page
    Extension.objects.create(exercise=race, student=people["alice"].user, deadline=timezone.now() + timedelta(hours=1))
    page = text_of(signed_in(client, people["alice"]).get(url))
    assert "A submission now would be" not in page  # her own deadline is still ahead
    CourseExercise.objects.filter(pk=race.pk).update(deadline=timezone.now() - timedelta(minutes=3))
    assert "A submission now would be" not in text_of(signed_in(client, people["bob"]).get(url))  # the grace


def test_unknown_exercise_is_404(client, course, people):
    assert signed_in(client, people["alice"]).get(reverse("student:exercise", args=["nope"])).status_code == 404


def test_upload_of_the_right_file_is_stored_and_redirects_to_its_page(client, course, people):
    name, content = file_of("race-counter", solved=True)
    response = upload(signed_in(client, people["alice"]), (name, content))
    submission = Submission.objects.get(student=people["alice"].user)
    assert response.status_code == 302
    assert response["Location"] == reverse("student:submission", args=[submission.pk])
    assert submission.exercise.slug == "race-counter" and submission.state == Submission.State.QUEUED
    [stored_file] = submission.files.all()
    assert stored_file.name == name and storage.get(stored_file.sha256) == content


def test_several_files_and_a_zip_are_taken(client, course, people):
    name, content = file_of("race-counter", solved=True)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr(f"hw/{name}", content)
    response = upload(signed_in(client, people["alice"]), ("hw.zip", archive.getvalue()), ("notes.txt", b"hi"))
    assert response.status_code == 302
    names = sorted(Submission.objects.get(student=people["alice"].user).files.values_list("name", flat=True))
    assert names == ["hw.zip", "notes.txt"]


def _unsafe_zip() -> bytes:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("../escape.py", b"print('out')\n")
        z.writestr("race_counter.py", file_of("race-counter", solved=True)[1])
    return archive.getvalue()


REFUSALS = {
    "empty": ((), "upload_empty"),
    "near miss": ((("Race_Counter.py", b"x = 1\n# near miss\n"),), "missing_near"),
    "neither utf-8 nor gb18030": ((("race_counter.py", b'x = "\xff\xff"\n'),), "not_utf8_nor_gb18030"),
    "too big": ((("race_counter.py", b"#" * 3000),), "upload_too_big"),
    "unsafe zip": ((("hw.zip", _unsafe_zip()),), "nested_archive_refused"),
}


@pytest.mark.parametrize("case", sorted(REFUSALS))
@override_settings(MAX_UPLOAD_BYTES=2048)
def test_a_refused_upload_says_why_on_the_page_and_stores_nothing(client, course, people, case):
    files, message_id = REFUSALS[case]
    before = blobs()
    response = upload(signed_in(client, people["alice"]), *files)
    assert response.status_code == 400
    page = text_of(response)
    assert 'class="refusal" role="alert"' in page
    assert messages.template_for(message_id, "en").split("{")[0] in page
    if case == "near miss":
        assert "Race_Counter.py" in page
    if case == "too big":
        assert "2 KB" in page  # the limit, said
    assert not Submission.objects.exists()
    assert blobs() == before


def test_a_refusal_reads_in_chinese(client, course, people):
    response = upload(signed_in(client, people["alice"], lang="zh"))
    assert response.status_code == 400
    assert messages.template_for("upload_empty", "zh").split("{")[0] in text_of(response)


def test_a_rate_limited_upload_is_429_and_stores_nothing(client, course, people):
    course.rate_burst, course.rate_refill_minutes = 1, 60
    course.save()
    stored(people["alice"])
    before = blobs()
    response = upload(signed_in(client, people["alice"]), file_of("race-counter", solved=True))
    assert response.status_code == 429
    assert messages.template_for("upload_rate_limited", "en").split("{")[0] in text_of(response)
    assert Submission.objects.count() == 1 and blobs() == before
    page = text_of(client.get(reverse("student:exercise", args=["race-counter"])))
    assert "You can submit now." not in page  # the next attempt's time is shown instead


def test_the_rate_reads_with_its_counts_agreeing_in_both_languages(course):
    from django.utils import translation

    from grader.site.student import rules

    course.rate_burst, course.rate_refill_minutes = 1, 1
    with translation.override("en"):
        assert rules.rate(course) == "You may submit 1 time in a row, then once more every minute."
    with translation.override("zh-hans"):
        assert rules.rate(course) == "可以连续提交 1 次，之后每 1 分钟多一次机会。"
    course.rate_burst, course.rate_refill_minutes = 3, 30
    with translation.override("en"):
        assert rules.rate(course) == "You may submit 3 times in a row, then once more every 30 minutes."
    with translation.override("zh-hans"):
        assert rules.rate(course) == "可以连续提交 3 次，之后每 30 分钟多一次机会。"


class _Spooled:
    """An uploaded file whose size Django did not record, that counts what is read of it."""

    def __init__(self, content: bytes):
        self.name, self.size, self._content, self.asked = "race_counter.py", None, content, []

    def read(self, n: int = -1) -> bytes:
        self.asked.append(n)
        return self._content[:n] if n >= 0 else self._content


@override_settings(MAX_UPLOAD_BYTES=100)
def test_uploads_are_read_at_most_one_byte_past_the_limit():
    big = _Spooled(b"x" * 10_000)
    [(name, content)] = uploads.read_bounded([big])
    assert big.asked == [101] and len(content) == 101 and name == "race_counter.py"
    known = _Spooled(b"x" * 500)
    known.size = 500
    with pytest.raises(accept.Refused) as refused:
        uploads.read_bounded([known])
    assert refused.value.message["id"] == "upload_too_big" and known.asked == []  # refused unread
    with pytest.raises(accept.Refused) as refused:
        uploads.read_bounded([], stopped_at=5000)  # the upload handler stopped reading the request
    assert refused.value.message["params"]["size"] == "5 KB"


# --- no inline script --------------------------------------------------------------------------------


def _inline_scripts_and_handlers(page: str) -> list[str]:
    scripts = [t for t in re.findall(r"<script\b[^>]*>", page, re.I) if not re.search(r"\ssrc=", t, re.I)]
    handlers = [t for t in re.findall(r"<[a-z][^>]*>", page, re.I) if re.search(r"\son[a-z]+\s*=", t, re.I)]
    return scripts + handlers + (["javascript:"] if "javascript:" in page.lower() else [])


def test_pages_load_their_scripts_from_files_and_have_no_inline_script(client, course, people):
    submission = graded(stored(people["alice"]))
    queued = stored(people["alice"], slug="queue-drain")
    signed_in(client, people["alice"])
    pages = {"/": None, reverse("student:exercise", args=["race-counter"]): "student/upload.js",
             reverse("student:submission", args=[submission.pk]): "student/status.js",
             reverse("student:submission", args=[queued.pk]): "student/status.js"}
    for url, script in pages.items():
        page = client.get(url).content.decode()
        assert _inline_scripts_and_handlers(page) == [], url
        if script:
            assert f'<script src="{static(script)}" defer></script>' in page, url


def test_the_drag_and_drop_script_is_served(client):
    from django.contrib.staticfiles.views import serve

    assert finders.find("student/upload.js")
    response = serve(RequestFactory().get("/static/student/upload.js"), "student/upload.js", insecure=True)
    body = b"".join(response.streaming_content).decode()
    assert response.status_code == 200 and "javascript" in response["Content-Type"]
    assert 'addEventListener("drop"' in body and "input.files = event.dataTransfer.files" in body


def test_the_status_script_polls_the_api_every_500_ms_while_waiting(client):
    body = Path(finders.find("student/status.js")).read_text(encoding="utf-8")
    assert 'getAttribute("data-status-url")' in body
    assert "setTimeout(poll, 500)" in body and "WAITING = { queued: true, running: true }" in body
    assert "innerHTML" not in body  # what the API returns goes in as text


# --- the submission page, the report, and who may see them --------------------------------------------


def test_a_waiting_submissions_page_shows_its_place_and_polls_the_api(client, course, people):
    stored(people["bob"])
    submission = stored(people["alice"])
    page = text_of(signed_in(client, people["alice"]).get(reverse("student:submission", args=[submission.pk])))
    assert f'data-status-url="/api/v1/submissions/{submission.pk}"' in page
    assert 'data-poll="1"' in page and 'role="status"' in page
    assert "Waiting in the queue" in page
    assert re.search(r'<dd id="position">2</dd>', page)  # bob's is first
    assert 'id="report-section" aria-labelledby="report-heading" hidden' in page


def test_a_graded_submissions_page_shows_the_grades_and_embeds_the_report(client, course, people):
    submission = graded(stored(people["alice"]), score=7)
    response = signed_in(client, people["alice"]).get(reverse("student:submission", args=[submission.pk]))
    raw = response.content.decode()
    page = html.unescape(raw)
    assert 'data-poll="0"' in page
    assert '<dd id="score">7 / 10</dd>' in page
    assert "decrement_is_thread_safe" in page and "run() returned start - n every time" in page
    assert "lost 3 updates &lt;b&gt;in one run&lt;/b&gt;" in raw  # a message is text, escaped
    assert "second line of details" not in page  # one line a check
    report = reverse("student:report", args=[submission.pk])
    assert re.search(rf'<iframe class="report" id="report" sandbox title="[^"]+" src="{report}">', page)
    assert "This is the submission whose score counts." in page


def test_another_students_submission_report_and_api_urls_are_404(client, course, people):
    submission = graded(stored(people["alice"]))
    urls = [reverse("student:submission", args=[submission.pk]), reverse("student:report", args=[submission.pk]),
            f"/api/v1/submissions/{submission.pk}", f"/api/v1/submissions/{submission.pk}/report"]
    signed_in(client, people["bob"])
    for url in urls:
        assert client.get(url).status_code == 404, url
    assert client.get(reverse("student:submission", args=[submission.pk + 1000])).status_code == 404
    bob_page = text_of(client.get(reverse("student:exercise", args=["race-counter"])))
    assert reverse("student:submission", args=[submission.pk]) not in bob_page
    for who in ("alice", "teacher"):
        signed_in(client, people[who])
        for url in urls:
            assert client.get(url).status_code == 200, (who, url)
    teacher_page = text_of(client.get(urls[0]))
    assert "(submitted by Alice)" in teacher_page


def test_the_report_view_is_the_graders_report_under_a_strict_policy(client, course, people):
    submission = graded(stored(people["alice"]))
    response = signed_in(client, people["alice"]).get(reverse("student:report", args=[submission.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert response["Content-Security-Policy"] == views.REPORT_CSP == (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'")
    page = text_of(response)
    assert "decrement_is_thread_safe" in page and pack("race-counter").spec.title in page
    assert "<b>in one run</b>" not in response.content.decode()


def test_the_report_of_a_submission_not_graded_yet_says_so(client, course, people):
    submission = stored(people["alice"])
    response = signed_in(client, people["alice"], lang="zh").get(reverse("student:report", args=[submission.pk]))
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == views.REPORT_CSP
    assert "还没有评分" in text_of(response)


# --- the README ----------------------------------------------------------------------------------------


def test_markdown_is_rendered_without_raw_html():
    out = render_markdown("# Title\n\n<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n"
                          "[click](javascript:alert(1)) and **bold**")
    assert "<script" not in out and "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    assert "<img" not in out
    assert 'href="javascript:' not in out
    assert "<strong>bold</strong>" in out and "<h1>Title</h1>" in out
    assert "<h3>Title</h3>" in render_markdown("# Title", shift=2)
    assert "<h6>" in render_markdown("###### Deep", shift=2)


def test_the_readme_is_the_readers_language(tmp_path):
    race = pack("race-counter")
    assert "From the tutorial" in readme_html(race, "en")
    zh = readme_html(race, "zh")
    assert "From the tutorial" not in zh and re.search(f"[{CJK}]", zh)


# --- the catalog ---------------------------------------------------------------------------------------


def _catalog():
    with CATALOG.open("rb") as f:
        return read_po(f)


def _template_msgids() -> set[str]:
    found: set[str] = set()
    for path in (STUDENT / "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        found.update(m[1] for m in re.findall(r'{%\s*translate\s+(["\'])(.*?)\1', text))
        for options, body in re.findall(r"{%\s*blocktranslate\b([^%]*)%}(.*?){%\s*endblocktranslate\s*%}", text, re.S):
            singular = re.split(r"{%\s*plural\s*%}", body)[0]
            if "trimmed" in options:
                singular = " ".join(line.strip() for line in singular.strip().splitlines())
            found.add(re.sub(r"{{\s*(\w+)\s*}}", r"%(\1)s", singular))
    return found


def _python_msgids() -> set[str]:
    found: set[str] = set()
    for path in STUDENT.glob("*.py"):
        source = path.read_text(encoding="utf-8")
        for call in re.findall(r'\b(?:_|ngettext)\(((?:\s*"(?:[^"\\]|\\.)*"\s*)+)', source):
            found.add("".join(re.findall(r'"((?:[^"\\]|\\.)*)"', call)))
    return found


def test_every_msgid_the_pages_use_has_a_chinese_translation():
    catalog = _catalog()
    used = _template_msgids() | _python_msgids()
    assert "Deadline" in used and "Submission %(number)s" in used and "Files" in used  # the extraction works
    missing = []
    for msgid in sorted(used):
        message = catalog.get(msgid)
        strings = message.string if message is not None else ""
        if isinstance(strings, tuple):
            strings = "".join(strings) if all(strings) else ""
        if not strings:
            missing.append(msgid)
    assert missing == []


def test_the_chinese_catalog_uses_full_width_punctuation_and_keeps_placeholders():
    catalog = _catalog()
    assert catalog.charset.lower() == "utf-8"
    bad = []
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in strings:
            if re.search(f"[{CJK}][,:;()]|[,:;()][{CJK}]|[{CJK}] +[{CJK}]|[{CJK}][ ]?[(]|[)][ ]?[{CJK}]", text):
                bad.append(text)
            if set(re.findall(r"%\(\w+\)[sd]", text)) != set(re.findall(r"%\(\w+\)[sd]", ids[-1])):
                bad.append(f"placeholders differ: {text}")
    assert bad == []
