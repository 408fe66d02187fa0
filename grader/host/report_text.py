"""A result's details as text in the student's language: the stuck threads, the lines, the
interleaving of a failing schedule (harness/judge/interleaving.py), the output. One wording for
report.html (pieces), the terminal and the exports such as Gradescope's results.json (lines), so
that every way a student reads a result carries the same details (pure functions).
"""

from __future__ import annotations

from .messages import text


def prim_label(prim: dict, lang: str) -> str:
    if prim.get("line") is not None and prim.get("of_line"):  # one of several made on that line
        return text("trace_prim_nth", lang, kind=prim.get("kind"), line=prim["line"], n=prim["of_line"])
    if prim.get("line") is not None:
        return text("trace_prim", lang, kind=prim.get("kind"), line=prim["line"])
    return text("trace_prim_judge", lang, kind=prim.get("kind"))


def wait_text(waiting: dict | None, lang: str = "en") -> str:
    """What a stuck thread waits for: 'waits for the Lock of line 4, held by Thread-1, which ...'."""
    if not waiting:
        return ""
    if "thread" in waiting:
        return text("wait_thread", lang, thread=waiting["thread"])
    if "queue" in waiting:
        return text(f"trace_waits_{waiting['queue']}", lang)
    prim = prim_label(waiting.get("prim") or {}, lang)
    if waiting.get("owner") and waiting.get("owner_finished"):
        return text("wait_prim_owner_gone", lang, prim=prim, owner=waiting["owner"])
    if waiting.get("owner"):
        return text("wait_prim_owned", lang, prim=prim, owner=waiting["owner"])
    return text("wait_prim", lang, prim=prim)


def thread_name(thread: dict, lang: str = "en") -> str:
    """A thread, or a run of threads stuck the same way: 'Thread-2 … Thread-100 (99 threads)'."""
    if thread.get("count", 1) > 1:
        return text("threads_collapsed", lang, first=thread.get("name"), last=thread.get("last"),
                    count=thread["count"])
    return str(thread.get("name", "?"))


def stack_text(stack: list[dict], lang: str = "en") -> str:
    return ", ".join(text("stack_entry", lang, line=s.get("line"), code=s.get("code") or s.get("function", ""))
                     for s in stack)


def details_lines(details: dict, lang: str = "en") -> list[str]:
    """Everything a check's or an exercise's details show, as plain lines."""
    out = []
    if details.get("call"):
        out.append(text("while_calling", lang, call=details["call"]))
    for t in details.get("threads") or []:
        where = stack_text(t.get("stack") or [], lang) or text("not_in_your_file", lang)
        waits = wait_text(t.get("waiting_on"), lang)
        out.append(text("thread_where", lang, thread=thread_name(t, lang), where=where)
                   + (text("thread_waits", lang, waits=waits) if waits else ""))
    if details.get("stack"):
        out.append(stack_text(details["stack"], lang))
    if details.get("interleaving"):
        out.extend(lines(details["interleaving"], lang))
    if details.get("output"):
        out.append(text("your_output", lang) + ("" if not details.get("output_truncated") else " (" + text(
            "output_truncated", lang, shown=len(details["output"]), total=details.get("output_bytes")) + ")"))
        out.extend("  " + line for line in details["output"].splitlines()[:40])
    return out


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
        params["prim"] = prim_label(prim, lang)
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
    if interleaving.get("race_note_here", interleaving.get("race_note")):  # once per report (localize)
        out.append(text("explore_race_note", lang))
    return out
