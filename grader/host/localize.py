"""Write a result's texts in one language, from its language-neutral references (pure functions).

Grading builds a StudentResult with references only (messages.py); `localize` fills every text: the
grader's messages from its catalogs, and the pack's own texts (title, descriptions, hints, check
messages) from the pack's catalog. A report.json already written can be localized again, into
another language or with changed templates, without judging anything again (batch grading does
that when only `--lang` changed).

It also says each cause once: when several checks of an exercise ended with the same outcome (the
same deadlock, the same exception), the outcome is kept once in the exercise's `shared` list, with
the checks it affected, and those checks point to it instead of repeating it.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from . import pack_i18n
from .i18n import LOCALE_DIR
from .messages import render, text
from .packs import Exercise
from .results import CheckStatus, StudentResult

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
# What makes two checks' outcomes the same; not the call: one cause in three cases is said once.
SHARED_KEYS = ("threads", "stack", "interleaving")


def localize(result: StudentResult, lang: str, exercises: dict[str, Exercise]) -> StudentResult:
    """Fill `result`'s texts in `lang` (in place) and return it."""
    result.lang = lang
    result.rendered_with = render_key(lang)
    result.sandbox_note = render(result.sandbox_note_ref, lang)
    result.sandbox_message = render(result.sandbox_message_ref, lang)
    for refused in result.refused_files:
        refused["message"] = render(refused.get("message_ref"), lang, exercises.get(refused.get("exercise") or ""))
    for ex in result.exercises:
        pack = exercises.get(ex.exercise)
        if pack is not None:
            ex.title = pack_i18n.pack_text(pack, pack.spec.title, lang)
        ex.message = render(ex.message_ref, lang, pack)
        ex.warning_texts = [render(w, lang, pack) for w in ex.warnings]
        for check in ex.checks:
            spec = pack.spec.checks.get(check.name) if pack is not None else None
            if spec is not None:
                check.description = pack_i18n.pack_text(pack, spec.description, lang)
            check.message = render(check.message_ref, lang, pack)
        _share_outcomes(ex, lang, pack)
    _explain_races_once(result)
    _name_per_call_locks_once(result, lang)
    return result


def _outcomes_shown(ex, pointers: bool = False):
    """Each failing outcome as the report shows it, in order: (its message's owner, its details). An
    outcome shared by several checks comes once, as its shared entry; a check that points to an
    earlier one's message (cause_said_in) shows no message of its own, only its details: included
    with `pointers`."""
    seen: set[int] = set()
    for check in ex.checks:
        if check.shared is not None and check.shared < len(ex.shared):
            if check.shared not in seen:
                seen.add(check.shared)
                shared = ex.shared[check.shared]
                yield shared, shared.get("details") or {}
        elif check.status is not CheckStatus.PASSED and (pointers or not check.cause_said_in):
            yield check, check.details or {}


def _name_per_call_locks_once(result: StudentResult, lang: str) -> None:
    """A lock made anew on each call (judge/per_call.py) is said once per report, after the message of
    the first failing check whose run made it: every later check failed for the same reason."""
    said: set[tuple] = set()
    for ex in result.exercises:
        for owner, details in _outcomes_shown(ex):
            for site in details.get("per_call") or []:
                if not isinstance(site, dict):
                    continue
                key = (ex.exercise, site.get("kind"), site.get("line"), site.get("function"))
                if key in said:
                    continue
                said.add(key)
                note = text("per_call_lock", lang, function=site.get("function"), kind=site.get("kind"),
                            line=site.get("line"), instances=site.get("instances"))
                if isinstance(owner, dict):  # a shared outcome's entry
                    owner["message"] = "\n\n".join(m for m in (owner.get("message"), note) if m)
                else:
                    owner.message = "\n\n".join(m for m in (owner.message, note) if m)


def _explain_races_once(result: StudentResult) -> None:
    """Why a race seldom shows on the student's own computer is said once per report, under the first
    interleaving that needs it (`race_note_here`), not under every one."""
    said = False
    for ex in result.exercises:
        for _, details in _outcomes_shown(ex, pointers=True):
            trace = details.get("interleaving")
            if isinstance(trace, dict) and trace.get("race_note"):
                trace["race_note_here"] = not said
                said = True


def _share_outcomes(ex, lang: str, pack) -> None:
    """Checks that ended the same way (not a plain failed expectation) share one entry."""
    groups: dict[str, list] = {}
    for check in ex.checks:
        if check.shared is not None and check.shared < len(ex.shared):  # localized before: its details back
            check.details = dict(ex.shared[check.shared].get("details") or {})
        check.shared = None
        if check.status in (CheckStatus.PASSED, CheckStatus.FAILED) or not check.message_ref:
            continue
        key = repr((check.status.value, check.message_ref, [check.details.get(k) for k in SHARED_KEYS]))
        groups.setdefault(key, []).append(check)
    ex.shared = []
    for checks in groups.values():
        if len(checks) < 2:
            continue
        first = checks[0]
        ex.shared.append({"checks": [c.name for c in checks], "status": first.status.value,
                          "message": first.message, "message_ref": first.message_ref, "details": first.details})
        for check in checks:
            check.shared = len(ex.shared) - 1
            check.details = {}
    _say_each_cause_once(ex)


def _say_each_cause_once(ex) -> None:
    """A check whose message an earlier one already says (the same deadlock reached from another
    call, so its stacks differ and it is not shared) points there instead of repeating it."""
    said = {sh["message"]: sh["checks"][0] for sh in ex.shared if sh["message"]}
    for check in ex.checks:
        check.cause_said_in = ""
        if check.status is CheckStatus.PASSED or check.shared is not None or not check.message:
            continue
        if check.message in said:
            check.cause_said_in = said[check.message]
        else:
            said[check.message] = check.name


@lru_cache(maxsize=8)
def render_key(lang: str) -> str:
    """Changes whenever a report written now would read differently: the language, a template, or a
    catalog of the grader's. (A pack's catalog is part of the pack's version: a change there regrades.)"""
    digest = hashlib.sha256(lang.encode())
    for path in sorted([*TEMPLATES.glob("*.j2"), *LOCALE_DIR.rglob("*.po")]):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
