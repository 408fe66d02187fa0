"""The grader's own student-facing messages, by id, in the student's language (grader/locale)."""

from __future__ import annotations

from .i18n import translations


class MessageError(Exception):
    """An error whose `message` (an id with params) is shown to the user in their language."""

    def __init__(self, message_id: str, **params):
        super().__init__(f"{message_id}: {params}")
        self.message = {"id": message_id, "params": params}


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


def render(message: dict | None, lang: str = "en") -> str:
    """A verdict's message: either the exercise author's text or a catalog id with params."""
    if not message:
        return ""
    if "text" in message:
        return str(message["text"])
    return text(str(message.get("id", "judge_error")), lang, **(message.get("params") or {}))
