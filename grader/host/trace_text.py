"""How an interleaving (a failing schedule's steps, see harness/judge/interleaving.py) reads in the
student's language. Used by report.html, the terminal's details and the exports (pure functions)."""

from __future__ import annotations

from .messages import text


def heading(interleaving: dict, lang: str = "en") -> str:
    strategy = interleaving.get("strategy") or {}
    kind = strategy.get("kind", "first")
    name = text(f"explore_strategy_{kind}", lang, depth=strategy.get("depth"))
    return text("explore_heading", lang, schedule=interleaving.get("schedule", "?"), strategy=name)


def step_text(step: dict, lang: str = "en") -> str:
    """What one step did: 'takes the Lock of line 4 ×3, then finished', without thread and line."""
    if "gap" in step:
        return text(f"trace_gap_{step.get('of', 'steps')}", lang, n=step["gap"])
    what = step.get("what") or {}
    params = dict(what.get("params") or {})
    prim = params.get("prim")
    if isinstance(prim, dict):
        params["prim"] = (text("trace_prim", lang, kind=prim.get("kind"), line=prim["line"])
                          if prim.get("line") is not None else text("trace_prim_judge", lang, kind=prim.get("kind")))
    parts = [text(str(what.get("id", "")), lang, **params)]
    if step.get("repeat"):
        parts[0] += " " + text("trace_repeat", lang, n=step["repeat"])
    for flag in ("forever", "finished"):
        if step.get(flag):
            parts.append(text(f"trace_{flag}", lang))
    return ("，" if lang == "zh" else ", ").join(parts)


def lines(interleaving: dict, lang: str = "en") -> list[str]:
    """The interleaving as plain text lines: the heading, one line per step, and the note (nothing
    when no step was recorded: a schedule that ran into the real-time backstop)."""
    if not interleaving.get("steps"):
        return []
    out = [heading(interleaving, lang)]
    for step in interleaving.get("steps") or []:
        if "gap" in step:
            out.append("   " + step_text(step, lang))
            continue
        where = text("trace_line", lang, line=step.get("line"))
        out.append(f"{step['n']:>3}. {step.get('thread')} · {where} `{step.get('code', '')}` · {step_text(step, lang)}")
    if interleaving.get("race_note"):
        out.append(text("explore_race_note", lang))
    return out
