"""The class dashboard (DIR/index.html): numbers computed here, drawn by templates/dashboard.html.j2.

Self-contained: inline CSS, an inline SVG histogram and a few lines of inline script to sort the
table; no external assets, so it opens from a USB stick or an LMS attachment.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..i18n import environment

BINS = 10  # histogram of score percentages: 0-10 %, ..., 90-100 %


def render(result, exercises, lang: str = "en") -> str:
    return environment(lang).get_template("dashboard.html.j2").render(**context(result, exercises))


def context(result, exercises) -> dict:
    reports = read_reports(result)
    graded = [e for e in result.entries if e.status == "graded"]
    return {
        "entries": result.entries,
        "exercises": exercises,
        "histogram": histogram(graded),
        "exercise_rates": exercise_rates(graded, exercises, reports),
        "check_rates": check_rates(graded, exercises, reports),
        "problems": problems(result.entries, reports),
        "missing": missing_files(result.entries, reports),
        "missing_by_student": {e.folder: _missing(reports.get(e.folder)) for e in result.entries},
        "interrupted": result.interrupted,
        "ignored": result.ignored,
        "total": len(result.entries),
        "graded_count": len(graded),
    }


def histogram(graded) -> dict:
    counts = [0] * BINS
    for e in graded:
        share = (e.score or 0) / e.max_score if e.max_score else 0
        counts[min(int(share * BINS), BINS - 1)] += 1
    peak = max(counts) or 1
    width, height, gap = 54, 160, 8
    bars = [{"x": 30 + i * (width + gap), "y": 10 + height - round(height * c / peak), "h": round(height * c / peak),
             "w": width, "count": c, "label": f"{i * 100 // BINS}–{(i + 1) * 100 // BINS}%"}
            for i, c in enumerate(counts)]
    return {"bars": bars, "width": 30 + BINS * (width + gap), "height": height + 50, "base": 10 + height}


def exercise_rates(graded, exercises, reports) -> list[dict]:
    rows = []
    for ex in exercises:
        statuses = [s for e in graded if (s := _exercise(reports.get(e.folder), ex.slug)) is not None]
        full = sum(1 for s in statuses if s["status"] == "passed")
        mean = sum(s["score"] for s in statuses) / len(statuses) if statuses else 0
        rows.append({"slug": ex.slug, "title": ex.spec.title, "passed": full, "of": len(statuses),
                     "rate": full / len(statuses) if statuses else 0, "mean": mean, "max": ex.max_score})
    return rows


def check_rates(graded, exercises, reports) -> list[dict]:
    """Every check's pass rate across the class, the most failed first."""
    rows = []
    for ex in exercises:
        for name in ex.spec.checks:
            outcomes = []
            for e in graded:
                exercise = _exercise(reports.get(e.folder), ex.slug)
                check = next((c for c in (exercise or {}).get("checks", []) if c["name"] == name), None)
                if check is not None:
                    outcomes.append(check["status"])
            passed = outcomes.count("passed")
            rows.append({"exercise": ex.slug, "check": name, "passed": passed, "of": len(outcomes),
                         "rate": passed / len(outcomes) if outcomes else 0,
                         "statuses": {s: outcomes.count(s) for s in sorted(set(outcomes)) if s != "passed"}})
    return sorted(rows, key=lambda r: (r["rate"], r["exercise"], r["check"]))


def read_reports(result) -> dict:
    return {e.folder: _report(result.out_dir / e.folder / "report.json") for e in result.entries}


def counts(result) -> dict:
    """What the terminal's last line and the dashboard both say, counted once, the same way."""
    reports = read_reports(result)
    return {"graded": result.graded, "skipped": result.skipped,
            "rerendered": sum(1 for e in result.entries if e.rerendered),
            "with_errors": len(problems(result.entries, reports)),
            "with_missing": len(missing_files(result.entries, reports))}


def missing_files(entries, reports) -> list[dict]:
    """Students with an exercise's file missing: which, and the file they perhaps meant."""
    rows = []
    for e in entries:
        missing = _missing(reports.get(e.folder))
        if missing:
            rows.append({"student": e.student, "folder": e.folder, "missing": missing})
    return rows


def _missing(report: dict | None) -> list[dict]:
    return [{"exercise": ex["exercise"], "near": ex.get("near", ""), "message": ex.get("message", "")}
            for ex in (report or {}).get("exercises", []) if ex.get("status") == "missing"]


def problems(entries, reports) -> list[dict]:
    """Students who ended in an error, a timeout, a crash or an infrastructure error (a missing file
    is not one of them: it has its own list)."""
    rows = []
    for e in entries:
        report = reports.get(e.folder) or {}
        reasons = []  # {"exercise": slug or None, "statuses": [status words, translated in the template]}
        if e.status != "graded":
            reasons.append({"exercise": None, "statuses": [e.status]})
        if report.get("sandbox_outcome", "ok") not in ("ok", "infrastructure_error"):
            reasons.append({"exercise": None, "statuses": [report["sandbox_outcome"]]})
        for ex in report.get("exercises", []):
            bad = sorted({c["status"] for c in ex.get("checks", []) if c["status"] in ("timeout", "crash", "error")})
            if ex.get("status") == "error" or bad:
                reasons.append({"exercise": ex["exercise"], "statuses": bad or ["error"]})
        if reasons:
            rows.append({"student": e.student, "folder": e.folder, "reasons": reasons})
    return rows


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
