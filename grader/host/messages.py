"""Student-facing messages in the student's language.

A message is kept language-neutral (a *reference*) and rendered when a report is written, so a report
can be rendered again in another language without judging again (localize.py):
- `{"id": ..., "params": {...}}`: one of the grader's own messages (grader/locale);
- `{"msgid": ..., "params": {...}}`: a text an exercise pack wrote in English (a check's message,
  a hint), translated through the pack's own catalog (pack_i18n.py);
- `{"text": ...}`: a text as it is (no translation exists).
A param may itself be a reference; it is rendered first. A placeholder `{n:one|other}` chooses the
word that agrees with the count `n` (harness/judge/plural.py).
"""

from __future__ import annotations

from typing import Any

from ..harness.judge.plural import fill
from .i18n import translations


class MessageError(Exception):
    """An error whose `message` (an id with params) is shown to the user in their language: `say(lang)`;
    `str()` is the English text, for logs and for callers that have no language."""

    def __init__(self, message_id: str, **params):
        super().__init__(message_id)
        self.message: dict[str, Any] = {"id": message_id, "params": params}

    def say(self, lang: str = "en") -> str:
        return render(self.message, lang)

    def naming(self, old: str, new: str):
        """The same error, with `old` (a scratch file's path, say) shown as `new` wherever a param says it."""
        return type(self)(self.message["id"], **_replaced(self.message.get("params") or {}, old, new))

    def __str__(self) -> str:
        return self.say("en")


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
        return fill(template, _Missing(params))
    except (ValueError, TypeError, IndexError):
        return template


def is_ref(value) -> bool:
    return isinstance(value, dict) and bool({"id", "msgid", "text"} & value.keys())


def _replaced(value, old: str, new: str) -> Any:
    if isinstance(value, str):
        return value.replace(old, new)
    if isinstance(value, dict):
        return {k: _replaced(v, old, new) for k, v in value.items()}
    if isinstance(value, list):
        return [_replaced(v, old, new) for v in value]
    return value


def _param(value, lang: str, pack) -> Any:
    """A param as the message shows it: a reference rendered, a list of them joined as the language lists."""
    if is_ref(value):
        return render(value, lang, pack)
    if isinstance(value, list) and any(is_ref(v) for v in value):
        return text("list_separator", lang).join(render(v, lang, pack) if is_ref(v) else str(v) for v in value)
    return value


def render(message: dict | None, lang: str = "en", pack=None) -> str:
    """A message reference in `lang`; `pack` (an Exercise) translates the pack's own texts."""
    if not message:
        return ""
    params = {k: _param(v, lang, pack) for k, v in (message.get("params") or {}).items()}
    if "msgid" in message:
        from .pack_i18n import pack_text

        if lang == "en" and message.get("text"):
            return str(message["text"])  # exactly what the judge formatted
        template = pack_text(pack, str(message["msgid"]), lang) if pack is not None else str(message["msgid"])
        try:
            return fill(template, _Missing(params))
        except (ValueError, TypeError, IndexError):
            return str(message.get("text") or template)
    if "text" in message:
        return str(message["text"])
    return text(str(message.get("id", "judge_error")), lang, **params)
