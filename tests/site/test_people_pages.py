"""The people pages through the test client: sign-in links (one time, not spent by a preview),
passwords, throttling, one's own page (language, API token), and the Chinese catalogs."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from babel.messages.extract import extract_python
from babel.messages.pofile import read_po
from django.core.cache import cache
from django.utils import translation
from django.utils.translation.template import templatize

from grader.site.middleware import unavailable
from grader.site.people import throttle
from grader.site.people.models import Person

from .conftest import make_person

SITE = Path(__file__).resolve().parents[2] / "grader" / "site"
SITE_CATALOG = SITE / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
PEOPLE_CATALOG = SITE / "people" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


@pytest.fixture(autouse=True)
def fresh_throttle():
    cache.clear()  # the throttle counts per address in the process's cache, which every test shares
    yield
    cache.clear()


def link_of(person: Person) -> str:
    return f"/people/sign-in/{person.new_sign_in_token()}/"


def student_without_password(username="dora", lang="en") -> Person:
    person = make_person(username, lang=lang)
    person.user.set_unusable_password()
    person.user.save()
    return person


@pytest.mark.django_db
def test_opening_a_link_shows_a_button_and_does_not_spend_it(client):
    person = student_without_password()
    link = link_of(person)
    for _ in range(3):  # a chat app's preview, a mail scanner, the student
        page = client.get(link)
        assert page.status_code == 200
        assert "Sign in as Dora" in page.content.decode()
        assert '<button type="submit">Sign in</button>' in page.content.decode()
    assert "_auth_user_id" not in client.session
    signed_in = client.post(link)
    assert signed_in.status_code == 302 and signed_in.url == "/people/me/"  # no password yet: set one
    assert client.session["_auth_user_id"] == str(person.user.pk)
    me = client.get("/people/me/")
    assert "Signed in. Set a password on this page" in me.content.decode()


@pytest.mark.django_db
def test_a_link_signs_in_once(client):
    person = make_person("erin")  # has a password: the link leads to the exercises
    link = link_of(person)
    assert client.post(link).url == "/"
    client.post("/people/sign-out/")
    again = client.post(link)
    assert again.status_code == 404
    assert "This sign-in link is not valid" in again.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get(link).status_code == 404


@pytest.mark.django_db
def test_a_newer_link_replaces_the_older_and_an_expired_one_is_refused(client):
    person = make_person("finn")
    old = link_of(person)
    new = link_of(person)
    assert client.get(old).status_code == 404
    Person.objects.filter(pk=person.pk).update(sign_in_expires="2000-01-01T00:00:00Z")
    assert client.get(new).status_code == 404
    assert client.post(new).status_code == 404


@pytest.mark.django_db
def test_a_deactivated_students_link_does_not_sign_in(client):
    person = make_person("gwen")
    link = link_of(person)
    person.user.is_active = False
    person.user.save()
    assert client.post(link).status_code == 404
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_password_sign_in(client):
    person = make_person("hana")
    wrong = client.post("/people/sign-in/", {"username": "hana", "password": "not-it"})
    assert wrong.status_code == 200 and "_auth_user_id" not in client.session
    assert "Please enter a correct" in wrong.content.decode()
    right = client.post("/people/sign-in/", {"username": "hana", "password": "pw-hana"})
    assert right.status_code == 302 and right.url == "/"  # the exercises, not Django's /accounts/profile/
    assert client.session["_auth_user_id"] == str(person.user.pk)
    assert client.get(right.url).status_code == 200
    assert client.get("/people/sign-in/").url == "/"  # signed in already


@pytest.mark.django_db
def test_the_eleventh_attempt_in_five_minutes_is_refused(client):
    make_person("ivan")
    for _ in range(throttle.ATTEMPTS):
        assert client.post("/people/sign-in/", {"username": "ivan", "password": "guess"}).status_code == 200
    refused = client.post("/people/sign-in/", {"username": "ivan", "password": "pw-ivan"})  # even the right one
    assert refused.status_code == 429
    assert "Too many sign-in attempts" in refused.content.decode()
    assert "_auth_user_id" not in client.session
    other = client.__class__(REMOTE_ADDR="192.0.2.7")  # another address is not held up
    assert other.post("/people/sign-in/", {"username": "ivan", "password": "pw-ivan"}).status_code == 302


@pytest.mark.django_db
def test_one_students_wrong_passwords_do_not_lock_out_the_room(client):
    make_person("ivan")
    make_person("jade")
    for _ in range(throttle.ATTEMPTS):
        assert client.post("/people/sign-in/", {"username": "ivan", "password": "guess"}).status_code == 200
    assert client.post("/people/sign-in/", {"username": "ivan", "password": "guess"}).status_code == 429
    neighbour = client.__class__()  # the same address (a lab behind one NAT), another student
    signed_in = neighbour.post("/people/sign-in/", {"username": "jade", "password": "pw-jade"})
    assert signed_in.status_code == 302 and neighbour.session["_auth_user_id"]


@pytest.mark.django_db
def test_successful_sign_ins_do_not_count(client):
    make_person("kai")
    for _ in range(throttle.ATTEMPTS + 2):  # a class signing in from one address, one after another
        assert client.post("/people/sign-in/", {"username": "kai", "password": "pw-kai"}).status_code == 302
        client.post("/people/sign-out/")


@pytest.mark.django_db
def test_an_address_has_a_cap_for_all_user_names(client, monkeypatch):
    monkeypatch.setattr(throttle, "ADDRESS_ATTEMPTS", 3)
    for name in ("a", "b", "c"):
        assert client.post("/people/sign-in/", {"username": name, "password": "y"}).status_code == 200
    assert client.post("/people/sign-in/", {"username": "d", "password": "y"}).status_code == 429


@pytest.mark.django_db
def test_a_valid_link_works_after_many_wrong_passwords_and_guessed_links(client):
    person = make_person("jade")
    for _ in range(throttle.ATTEMPTS + 1):
        client.post("/people/sign-in/", {"username": "jade", "password": "guess"})
    for i in range(throttle.LINK_ATTEMPTS + 1):
        client.get(f"/people/sign-in/guess{i}/")
    link = link_of(person)
    assert client.get(link).status_code == 200
    assert client.post(link).status_code == 302
    assert client.session["_auth_user_id"] == str(person.user.pk)


@pytest.mark.django_db
def test_guessing_links_counts_as_attempts(client):
    for i in range(throttle.LINK_ATTEMPTS):
        assert client.post(f"/people/sign-in/guess{i}/").status_code == 404
    assert client.post("/people/sign-in/guess-again/").status_code == 429
    assert client.get("/people/sign-in/guess-more/").status_code == 429


@pytest.mark.django_db
def test_me_shows_the_user_name(client):
    person = make_person("quinn")
    client.force_login(person.user)
    assert "User name: quinn" in client.get("/people/me/").content.decode()
    person.lang = "zh"
    person.save()
    assert "用户名：quinn" in client.get("/people/me/").content.decode()


@pytest.mark.django_db
def test_me_sets_language_and_name(client):
    person = make_person("kim")
    client.force_login(person.user)
    saved = client.post("/people/me/", {"action": "preferences", "lang": "zh", "display_name": "金"})
    assert saved.status_code == 302
    person.refresh_from_db()
    assert (person.lang, person.display_name) == ("zh", "金")
    page = client.get("/people/me/").content.decode()
    assert "偏好设置" in page and '<html lang="zh-CN">' in page
    assert client.post("/people/me/", {"action": "preferences", "lang": "xx", "display_name": ""}).status_code == 200
    person.refresh_from_db()
    assert person.lang == "zh"  # an invalid choice changes nothing


@pytest.mark.django_db
def test_me_shows_a_new_api_token_once(client):
    person = make_person("lena")
    old = person.new_api_token()
    client.force_login(person.user)
    assert "gr_" not in client.get("/people/me/").content.decode()
    page = client.post("/people/me/", {"action": "token"}).content.decode()
    token = page.split('<code class="token" id="api-token">', 1)[1].split("</code>", 1)[0]
    assert token.startswith("gr_")
    assert Person.by_api_token(token) == person
    assert Person.by_api_token(old) is None
    assert token not in client.get("/people/me/").content.decode()  # shown on that response only


@pytest.mark.django_db
def test_me_sets_a_password(client):
    person = student_without_password("mia")
    client.force_login(person.user)
    done = client.post("/people/me/", {"action": "password", "new_password1": "long enough pass",
                                       "new_password2": "long enough pass"}, follow=True)
    assert "Password set." in done.content.decode()
    assert "_auth_user_id" in client.session  # still signed in after the password changed
    person.user.refresh_from_db()
    assert person.user.check_password("long enough pass")


@pytest.mark.django_db
def test_me_needs_signing_in(client):
    assert client.get("/people/me/").url.startswith("/people/sign-in/?next=")


@pytest.mark.django_db
def test_a_chinese_students_pages_are_in_chinese(client):
    person = student_without_password("nian", lang="zh")
    person.display_name = "念"
    person.save()
    link = link_of(person)
    offered = client.get(link).content.decode()  # not signed in yet, in an English browser: in theirs
    assert "以念的身份登录" in offered and '<html lang="zh-CN">' in offered and "Sign in as" not in offered
    client.post(link)
    page = client.get("/people/me/").content.decode()
    for text in ("偏好设置", "设置密码", "生成新令牌", "退出登录", "“grader submit”的令牌", "已登录。请在本页设置密码",
                 "显示的名字", "语言", "跳到正文"):
        assert text in page, text
    assert "Preferences" not in page


@pytest.mark.django_db
def test_a_chinese_browser_gets_chinese_pages_before_signing_in(client):
    zh = {"HTTP_ACCEPT_LANGUAGE": "zh-CN,zh;q=0.9,en;q=0.5"}
    page = client.get("/people/sign-in/", **zh).content.decode()
    assert "第一次请使用老师发给你的链接登录。" in page and "用户名" in page
    assert "此登录链接无效" in client.get("/people/sign-in/nothing/", **zh).content.decode()
    offered = client.get(link_of(make_person("olga", lang="zh")), **zh).content.decode()  # the link: in hers
    assert "以Olga的身份登录" in offered and "此链接只能用一次" in offered
    for _ in range(throttle.ATTEMPTS):
        client.post("/people/sign-in/", {"username": "x", "password": "y"}, **zh)
    assert "登录尝试次数过多" in client.post("/people/sign-in/", {"username": "x", "password": "y"}, **zh
                                            ).content.decode()


def test_the_503_page_is_in_the_readers_language():
    with translation.override("zh-hans"):
        assert unavailable().content.decode() == "网站的数据库没有响应，请过几秒再试。"
    with translation.override("en"):
        assert unavailable().content.decode().startswith("The site's database is not answering")


# ---- the catalogs ----------------------------------------------------------------------------------

KEYWORDS = {"_": None, "gettext": None, "gettext_lazy": None, "pgettext": (1, 2), "ngettext": (1, 2)}


def template_msgids(path: Path) -> set[str]:
    """What makemessages would extract: Django turns the template into gettext() calls."""
    code = templatize(path.read_text(encoding="utf-8"), origin=str(path)).encode()
    return python_msgids_of(code)


def python_msgids(path: Path) -> set[str]:
    return python_msgids_of(path.read_bytes())


def python_msgids_of(code: bytes) -> set[str]:
    found = set()
    for _line, _func, message, _comments in extract_python(io.BytesIO(code), KEYWORDS, [], {}):
        found.update(m for m in (message if isinstance(message, tuple) else (message,)) if m)
    return found


def catalog(path: Path) -> dict[str, str]:
    with path.open("rb") as f:
        cat = read_po(f)
    assert cat.charset.lower() == "utf-8"
    return {m.id: m.string for m in cat if m.id and isinstance(m.id, str)}


SOURCES = [
    (SITE_CATALOG, [SITE / "templates" / "base.html"], [SITE / "middleware.py"]),
    (PEOPLE_CATALOG, sorted((SITE / "templates" / "people").glob("*.html")),
     [SITE / "people" / name for name in ("views.py", "forms.py", "models.py", "throttle.py")]),
]


@pytest.mark.parametrize(("po", "templates", "modules"), SOURCES, ids=["site", "people"])
def test_every_string_has_a_chinese_translation(po, templates, modules):
    translated = catalog(po)
    wanted = {m for t in templates for m in template_msgids(t)} | {m for p in modules for m in python_msgids(p)}
    assert len(wanted) >= 5  # the extraction found the strings (a broken one would pass vacuously)
    missing = sorted(m for m in wanted if not translated.get(m))
    assert not missing, f"{po.relative_to(SITE)} lacks translations of {missing}"
    unused = sorted(set(translated) - wanted)
    assert not unused, f"{po.relative_to(SITE)} translates strings no source has any more: {unused}"


@pytest.mark.parametrize("po", [SITE_CATALOG, PEOPLE_CATALOG], ids=["site", "people"])
def test_chinese_punctuation(po):
    import re

    text = po.read_text(encoding="utf-8")
    assert '"Content-Type: text/plain; charset=UTF-8\\n"' in text
    cjk = r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef“”]"
    for msgid, msgstr in catalog(po).items():
        assert msgstr == msgstr.strip(), msgid
        assert not re.search(cjk + r"\s|\s" + cjk, msgstr), f"a space beside Chinese in {msgstr!r}"
        assert not re.search(cjk + r"[,:;()?!]|[,:;()?!]" + cjk, msgstr), f"ASCII punctuation in {msgstr!r}"
        assert msgstr.count("%(") == msgid.count("%("), msgid
