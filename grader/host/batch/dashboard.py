"""The class dashboard (DIR/index.html): numbers computed here, drawn by templates/dashboard.html.j2.

Self-contained: inline CSS, an inline SVG histogram and a few lines of inline script to sort the
table; no external assets, so it opens from a USB stick or an LMS attachment.

Its exercises are the assignment's, when the batch had one (assignment.py). Without one, every pack
was graded, and the exercises that no student of the class submitted are left out (one line says
which). Exercise and check titles come from the packs' catalogs, in the dashboard's language.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..i18n import environment
from ..pack_i18n import pack_text

BINS = 10  # histogram of score percentages: 0-10 %, ..., 90-100 %


def render(result, exercises, lang: str = "en") -> str:
    return environment(lang).get_template("dashboard.html.j2").render(**context(result, exercises, lang))


def context(result, exercises, lang: str = "en") -> dict:
    reports = read_reports(result)
    graded = [e for e in result.entries if e.status == "graded"]
    shown, left_out = shown_exercises(result, exercises, reports)
    slugs = {ex.slug for ex in shown}
    chosen = getattr(result, "plan", None)
    assignment = chosen.assignment if chosen is not None else None
    return {
        "entries": result.entries,
        "exercises": shown,
        "titles": {ex.slug: pack_text(ex, ex.spec.title, lang) for ex in exercises},
        "left_out": [ex.slug for ex in left_out],
        "assignment": chosen.title if chosen is not None else "",
        "deadline": assignment.deadline if assignment is not None else None,
        "histogram": histogram(graded),
        "exercise_rates": exercise_rates(graded, shown, reports, lang, _points(result)),
        "check_rates": check_rates(graded, shown, reports, lang),
        "problems": problems(result.entries, reports, slugs),
        "review": review(result.entries, reports, slugs),
        "missing": missing_files(result.entries, reports, slugs),
        "missing_by_student": {e.folder: _missing(reports.get(e.folder), slugs) for e in result.entries},
        "interrupted": result.interrupted,
        "ignored": result.ignored,
        "total": len(result.entries),
        "graded_count": len(graded),
    }


def shown_exercises(result, exercises, reports) -> tuple[list, list]:
    """(the exercises the dashboard shows, those it leaves out). With an assignment: all of its
    exercises. Without one: those at least one graded student submitted, or nearly (a file with a
    near name, which the dashboard asks about); every one, if nobody submitted anything."""
    chosen = getattr(result, "plan", None)
    if chosen is not None and chosen.assigned:
        return list(exercises), []
    submitted = {ex.get("exercise") for e in result.entries if e.status == "graded"
                 for ex in (reports.get(e.folder) or {}).get("exercises", [])
                 if ex.get("status") != "missing" or ex.get("near")}
    shown = [ex for ex in exercises if ex.slug in submitted]
    if not shown:
        return list(exercises), []
    return shown, [ex for ex in exercises if ex.slug not in submitted]


def _points(result) -> dict:
    chosen = getattr(result, "plan", None)
    return dict(chosen.points) if chosen is not None else {}


def histogram(graded) -> dict:
    """Bars of the share of the maximum each student reached, in tenths. Drawn about as wide as a phone
    (370 units), so its text stays at its own size there; each bar's range is its tooltip, and the axis
    is labelled at the bars' edges (0, 10, ... 100 %), which fit where "90–100%" under each bar did not."""
    counts = [0] * BINS
    for e in graded:
        share = (e.score or 0) / e.max_score if e.max_score else 0
        counts[min(int(share * BINS), BINS - 1)] += 1
    peak = max(counts) or 1
    left, width, height, gap = 14, 30, 120, 4
    bars = [{"x": left + i * (width + gap) + gap / 2, "y": 16 + height - round(height * c / peak),
             "h": round(height * c / peak), "w": width, "count": c,
             "label": f"{i * 100 // BINS}–{(i + 1) * 100 // BINS}%"}
            for i, c in enumerate(counts)]
    ticks = [{"x": left + i * (width + gap), "label": f"{i * 100 // BINS}" + ("%" if i == BINS else "")}
             for i in range(BINS + 1)]
    return {"bars": bars, "ticks": ticks, "left": left, "width": left * 2 + BINS * (width + gap),
            "height": height + 40, "base": 16 + height}


def exercise_rates(graded, exercises, reports, lang: str = "en", points: dict | None = None) -> list[dict]:
    """Each exercise: full marks, pass rate and mean score, out of the points it was graded out of
    (an assignment's weight, else its pack's)."""
    rows = []
    for ex in exercises:
        statuses = [s for e in graded if (s := _exercise(reports.get(e.folder), ex.slug)) is not None]
        full = sum(1 for s in statuses if s["status"] == "passed")
        mean = sum(s["score"] or 0 for s in statuses) / len(statuses) if statuses else 0
        rows.append({"slug": ex.slug, "title": pack_text(ex, ex.spec.title, lang), "passed": full,
                     "of": len(statuses), "rate": full / len(statuses) if statuses else 0, "mean": mean,
                     "max": (points or {}).get(ex.slug, ex.max_score)})
    return rows


def check_rates(graded, exercises, reports, lang: str = "en") -> list[dict]:
    """Every check's pass rate across the class, the most failed first; its description in `lang`."""
    rows = []
    for ex in exercises:
        title = pack_text(ex, ex.spec.title, lang)
        for name, spec in ex.spec.checks.items():
            outcomes = []
            for e in graded:
                exercise = _exercise(reports.get(e.folder), ex.slug)
                check = next((c for c in (exercise or {}).get("checks", []) if c["name"] == name), None)
                if check is not None:
                    outcomes.append(check["status"])
            passed = outcomes.count("passed")
            rows.append({"exercise": ex.slug, "title": title, "check": name,
                         "description": pack_text(ex, spec.description, lang), "passed": passed, "of": len(outcomes),
                         "rate": passed / len(outcomes) if outcomes else 0,
                         "statuses": {s: outcomes.count(s) for s in sorted(set(outcomes)) if s != "passed"}})
    return sorted(rows, key=lambda r: (r["rate"], r["exercise"], r["check"]))


def read_reports(result) -> dict:
    return {e.folder: _report(result.out_dir / e.folder / "report.json") for e in result.entries}


def counts(result) -> dict:
    """What the terminal's last line and the dashboard both say, counted once, the same way."""
    reports = read_reports(result)
    chosen = getattr(result, "plan", None)
    slugs = None
    left_out: list = []
    if chosen is not None:
        shown, left_out = shown_exercises(result, chosen.exercises, reports)
        slugs = {ex.slug for ex in shown}
    return {"graded": result.graded, "skipped": result.skipped,
            "rerendered": sum(1 for e in result.entries if e.rerendered),
            "with_errors": len(problems(result.entries, reports, slugs)),
            "with_missing": len(missing_files(result.entries, reports, slugs)),
            "left_out": len(left_out), "left_out_slugs": [ex.slug for ex in left_out]}


def missing_files(entries, reports, slugs: set | None = None) -> list[dict]:
    """Students with an exercise's file missing (of `slugs`, when given): which, and the file they
    perhaps meant."""
    rows = []
    for e in entries:
        missing = _missing(reports.get(e.folder), slugs)
        if missing:
            rows.append({"student": e.student, "folder": e.folder, "missing": missing})
    return rows


def _missing(report: dict | None, slugs: set | None = None) -> list[dict]:
    return [{"exercise": ex["exercise"], "near": ex.get("near", ""), "message": ex.get("message", "")}
            for ex in (report or {}).get("exercises", [])
            if ex.get("status") == "missing" and (slugs is None or ex["exercise"] in slugs)]


def problems(entries, reports, slugs: set | None = None) -> list[dict]:
    """Students who ended in an error, a timeout, a crash or an infrastructure error (a missing file
    is not one of them: it has its own list); of the exercises `slugs`, when given."""
    rows = []
    for e in entries:
        report = reports.get(e.folder) or {}
        # {"exercise": slug or None, "statuses": [status words, translated in the template], "why": the
        # report's own first line of explanation, already in the report's language}
        reasons = []
        if e.status != "graded":
            first = next((x.get("message", "") for x in report.get("exercises", []) if x.get("message")), "")
            reasons.append({"exercise": None, "statuses": [e.status],
                            "why": _first_line(report.get("sandbox_message") or first)})
        if report.get("sandbox_outcome", "ok") not in ("ok", "infrastructure_error"):
            reasons.append({"exercise": None, "statuses": [report["sandbox_outcome"]]})
        for ex in report.get("exercises", []):
            if slugs is not None and ex.get("exercise") not in slugs:
                continue
            bad = sorted({c["status"] for c in ex.get("checks", []) if c["status"] in ("timeout", "crash", "error")})
            if ex.get("status") == "error" or bad:
                said = ex.get("message") or next((c.get("message", "") for c in ex.get("checks", [])
                                                  if c["status"] in ("timeout", "crash", "error")), "")
                reasons.append({"exercise": ex["exercise"], "statuses": bad or ["error"], "why": _first_line(said)})
        if reasons:
            rows.append({"student": e.student, "folder": e.folder, "reasons": reasons})
    return rows


def review(entries, reports, slugs: set | None = None) -> list[dict]:
    """Students to look at: an exercise ended on tampering with the grader (zero points), or the
    static screen found lines reaching for its internals (host/screen.py; no points lost by that)."""
    rows = []
    for e in entries:
        report = reports.get(e.folder) or {}
        items = []
        for ex in report.get("exercises", []):
            slug = ex.get("exercise")
            kind = e.flags.get(slug) if slug is not None else None
            if kind is None or (slugs is not None and slug not in slugs):
                continue
            said = ex.get("message", "") if kind == "tampered" else next(
                (w for w, ref in zip(ex.get("warning_texts", []), ex.get("warnings", []))
                 if ref.get("id") == "screen_finding"), "")
            items.append({"exercise": slug, "status": kind, "why": _first_line(said)})
        if items:
            rows.append({"student": e.student, "folder": e.folder, "flagged": items})
    return rows


def _first_line(message: str, limit: int = 160) -> str:
    line = message.strip().splitlines()[0] if message.strip() else ""
    return line if len(line) <= limit else line[:limit - 1] + "…"


def _report(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _exercise(report: dict | None, slug: str) -> dict | None:
    for ex in (report or {}).get("exercises", []):
        if ex.get("exercise") == slug:
            return ex
    return None
