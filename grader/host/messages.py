"""Student-facing messages in the student's language.

A message is kept language-neutral (a *reference*) and rendered when a report is written, so a report
can be rendered again in another language without judging again (localize.py):
- `{"id": ..., "params": {...}}`: one of the grader's own messages (grader/locale);
- `{"msgid": ..., "params": {...}}`: a text an exercise pack wrote in English (a check's message,
  a hint), translated through the pack's own catalog (pack_i18n.py);
- `{"text": ...}`: a text as it is (no translation exists).
A param may itself be a reference; it is rendered first.
"""

from __future__ import annotations

from typing import Any

from .i18n import translations


class MessageError(Exception):
    """An error whose `message` (an id with params) is shown to the user in their language."""

    def __init__(self, message_id: str, **params):
        super().__init__(f"{message_id}: {params}")
        self.message: dict[str, Any] = {"id": message_id, "params": params}


class _Missing(dict):
    def __missing__(self, key):
        return "?"


def template_for(message_id: str, lang: str = "en") -> str:
    for catalog in (lang, "en"):  # an id not translated yet reads in English
        found = translations(catalog).gettext(message_id)
        if found != message_id:
            return found
    return translations(lang).gettext("judge_error")


def text(message_id: str, lang: str = "en", **params) -> str:
    template = template_for(message_id, lang)
    try:
        return template.format_map(_Missing(params))
    except (ValueError, TypeError):
        return template


def is_ref(value) -> bool:
    return isinstance(value, dict) and bool({"id", "msgid", "text"} & value.keys())


def render(message: dict | None, lang: str = "en", pack=None) -> str:
    """A message reference in `lang`; `pack` (an Exercise) translates the pack's own texts."""
    if not message:
        return ""
    params = {k: render(v, lang, pack) if is_ref(v) else v for k, v in (message.get("params") or {}).items()}
    if "msgid" in message:
        from .pack_i18n import pack_text

        if lang == "en" and message.get("text"):
            return str(message["text"])  # exactly what the judge formatted
        template = pack_text(pack, str(message["msgid"]), lang) if pack is not None else str(message["msgid"])
        try:
            return template.format_map(_Missing(params))
        except (ValueError, TypeError, IndexError):
            return str(message.get("text") or template)
    if "text" in message:
        return str(message["text"])
    return text(str(message.get("id", "judge_error")), lang, **params)
