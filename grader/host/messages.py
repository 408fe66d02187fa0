"""The grader's own student-facing text, from grader/messages/<lang>.yaml."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

MESSAGES_DIR = Path(__file__).resolve().parent.parent / "messages"


@lru_cache(maxsize=None)
def catalog(lang: str = "en") -> dict[str, str]:
    return yaml.safe_load((MESSAGES_DIR / f"{lang}.yaml").read_text(encoding="utf-8"))


class _Missing(dict):
    def __missing__(self, key):
        return "?"


def text(message_id: str, lang: str = "en", **params) -> str:
    template = catalog(lang).get(message_id)
    if template is None:
        template = catalog(lang)["judge_error"]
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
