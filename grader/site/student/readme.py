"""An exercise's README as HTML: CommonMark with raw HTML off, so a README (or a pack a student
contributed) cannot put markup or script on the page; markdown-it also refuses javascript: links."""

from __future__ import annotations

from markdown_it import MarkdownIt

from grader.host import pack_i18n
from grader.host.packs import Exercise

_MARKDOWN = MarkdownIt("commonmark", {"html": False})


def render_markdown(text: str, *, shift: int = 0) -> str:
    """`text` as HTML; headings `shift` levels down (at most h6), to sit under the page's own."""
    tokens = _MARKDOWN.parse(text)
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(6, int(token.tag[1:]) + shift)}"
    return _MARKDOWN.renderer.render(tokens, _MARKDOWN.options, {})


def readme_html(exercise: Exercise, lang: str, *, shift: int = 0) -> str:
    """The pack's README in `lang` (README.zh.md), else the English one; empty if it has none."""
    path = pack_i18n.readme(exercise, lang)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return ""
    return render_markdown(text, shift=shift)
