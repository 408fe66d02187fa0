"""The message catalogs: every message and template string has its Chinese, and ids never leak."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from grader.host.i18n import LOCALE_DIR
from grader.host.messages import text

from .conftest import ROOT


def catalog(lang: str):
    with open(LOCALE_DIR / lang / "LC_MESSAGES" / "grader.po", "rb") as fh:
        return read_po(fh, locale=lang)


def template_strings() -> set[str]:
    found = extract_from_dir(ROOT / "grader" / "templates", method_map=[("**.j2", "jinja2.ext:babel_extract")],
                             options_map={"**.j2": {"extensions": "jinja2.ext.i18n"}})
    return {message for _, _, message, _, _ in found if isinstance(message, str)}


def test_every_message_id_has_english_and_chinese():
    en, zh = catalog("en"), catalog("zh")
    ids = {(m.id, m.context) for m in en if m.id}
    assert ids and all(en.get(i, context=c).string for i, c in ids)
    assert {i for i, c in ids if not (zh.get(i, context=c) and zh.get(i, context=c).string)} == set()


def test_every_template_string_has_chinese():
    zh = catalog("zh")
    assert {s for s in template_strings() if not (zh.get(s) and zh.get(s).string)} == set()


def test_every_message_id_used_in_code_is_in_the_catalog():
    en = {m.id for m in catalog("en") if m.id}
    used = set()
    for path in (ROOT / "grader").rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        used |= set(re.findall(r'"id": "([a-z_0-9]+)"', source))
        used |= set(re.findall(r'\btext\("([a-z_0-9]+)"', source))
        used |= set(re.findall(r'(?:Refused|InfrastructureError)\("([a-z_0-9]+)"', source))
    assert used and used - en == set()


def test_placeholders_match_between_languages():
    en, zh = catalog("en"), catalog("zh")
    for message in en:
        if message.id:
            fields = set(re.findall(r"\{(\w+)", message.string))
            translated = zh.get(message.id, context=message.context).string
            assert set(re.findall(r"\{(\w+)", translated)) == fields, message.id


def test_text_in_both_languages():
    assert text("missing", "en", file="a.py") == "Your submission has no a.py, so this exercise was not graded."
    assert text("missing", "zh", file="a.py") == "你的提交中没有 a.py，所以这道练习没有评分。"


# Chinese text takes full-width punctuation next to Chinese characters, and no space between two of them
# (issue 25: "返回了 一个"). Code in backticks is left as it is; msgid lines are English.
_CJK = "[\u3400-\u9fff\uf900-\ufaff]"
_HALF_WIDTH = re.compile(_CJK + r"\s*[,:;()]\s*" + _CJK + "|" + _CJK + r"\s+" + _CJK)


def _chinese_texts():
    root = Path(__file__).resolve().parents[1]
    yield from root.glob("grader/locale/zh/LC_MESSAGES/*.po")
    yield from root.glob("exercises/*/i18n/zh.po")
    yield from root.glob("exercises/*/README.zh.md")
    yield from root.glob("grader/templates/**/*zh*")


@pytest.mark.parametrize("path", list(_chinese_texts()), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_chinese_text_has_full_width_punctuation_between_chinese_characters(path):
    found = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith(("#", "msgid")):
            continue
        prose = re.sub(r"`[^`]*`", "`code`", line)
        found += [f"line {number}: {m.group(0)!r}" for m in _HALF_WIDTH.finditer(prose)]
    assert not found, "\n".join(found)
