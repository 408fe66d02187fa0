"""Student-facing text in English and Simplified Chinese, from gettext catalogs (grader/locale).

Each catalog holds three kinds of msgid: message ids used from code (`missing`, `deadlock_cycle`...),
whose English is in the `en` catalog; English sentences in the jinja2 templates
(`{{ _("Class results") }}`), which are their own English; and status words under msgctxt
"status". The .po files are compiled in memory with Babel on first use: no build step, and no
binary file in the repository.
"""

from __future__ import annotations

import gettext
import io
import os
import re
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from jinja2 import Environment, PackageLoader, select_autoescape
from markdown_it import MarkdownIt
from markupsafe import Markup, escape

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
LANGS = ("en", "zh")
HTML_LANG = {"en": "en", "zh": "zh-CN"}


def terminal_lang() -> str:
    """The language of the person at this terminal, for commands that have no --lang: GRADER_LANG, else
    the locale's variables (zh_CN.UTF-8 -> zh), else English."""
    for name in ("GRADER_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "")
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


@cache
def translations(lang: str) -> gettext.GNUTranslations:
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; choose one of {', '.join(LANGS)}")
    with open(LOCALE_DIR / lang / "LC_MESSAGES" / "grader.po", "rb") as fh:
        catalog = read_po(fh, locale=lang)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


@cache
def environment(lang: str) -> Environment:
    env = Environment(loader=PackageLoader("grader", "templates"), autoescape=select_autoescape(["html", "j2"]),
                      extensions=["jinja2.ext.i18n"])
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]  # by jinja2.ext.i18n
    env.globals["lang"] = HTML_LANG[lang]
    env.filters["code_spans"] = code_spans
    env.filters["inline_markdown"] = inline_markdown
    return env


_CODE_SPAN = re.compile(r"`([^`\n]+)`")


def code_spans(text: str) -> Markup:
    """Escaped text in which `name` becomes <code>name</code>: messages mark code with backticks."""
    return Markup(_CODE_SPAN.sub(lambda m: f"<code>{m.group(1)}</code>", str(escape(text))))


# Raw HTML off: a pack's text (a contributed pack's too) cannot put markup or script on the page.
_MARKDOWN = MarkdownIt("commonmark", {"html": False})


def inline_markdown(text: str) -> Markup:
    """A pack's one-paragraph text (a check's description) as inline HTML: `code`, *emphasis*."""
    return Markup(_MARKDOWN.renderInline(str(text)))
