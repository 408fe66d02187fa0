"""The course site's costs (a benchmark, not a test: no threshold here). Issue 26's numbers:

1. service overhead: from the student's POST to the report in hand, minus the grading itself
   (the worker's own measure), over SEQUENTIAL submissions one at a time (target: median < 0.3 s);
2. how soon a change of state is seen: the browser polls every 0.5 s, so at most 0.5 s after the
   row changes plus one request (measured here as a poller's lag behind `finished_at`);
3. a burst: STUDENTS students x 4 exercises submitted at once through the API, drained by the
   site's workers, against `grader batch` grading the same 4 x STUDENTS files with as many workers
   (target: the site at 90 % of batch's throughput or better).

Both sides use the same sandbox (SANDBOX, default local) and JUDGES gradings at once. Results go
to bench/results/site.json with the machine and commit.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from samples import ROOT

from grader.host import packs
from grader.host.batch.run import grade_class
from tests.site.live import LiveSite, seed

STUDENTS = int(os.environ.get("STUDENTS", "50"))
SEQUENTIAL = int(os.environ.get("SEQUENTIAL", "20"))
JUDGES = int(os.environ.get("JUDGES", "2"))
SANDBOX = os.environ.get("SANDBOX", "local")
EXERCISES = ["race-counter", "queue-drain", "word-tally", "reentrant-lock"]


def files_of(i: int) -> list[tuple[str, str, bytes]]:
    """Student i's four files: reference solutions and starters, alternating."""
    found = {e.slug: e for e in packs.load_all(ROOT / "exercises")}
    out = []
    for k, slug in enumerate(EXERCISES):
        folder = ROOT / ("solutions" if (i + k) % 2 == 0 else "exercises") / slug
        name = found[slug].student_file
        out.append((slug, name, (folder / name).read_bytes()))
    return out


def overhead(site: LiveSite, token: str) -> dict:
    lags, totals = [], []
    for i in range(SEQUENTIAL):
        slug, name, content = files_of(i)[0]
        started = time.monotonic()
        sid = site.submit(token, slug, [(name, content)]).json()["id"]
        while (body := site.status(token, sid))["state"] not in ("graded", "not_graded"):
            time.sleep(0.01)
        site.api(token).get(f"{site.url}/api/v1/submissions/{sid}/report", timeout=30).raise_for_status()
        total = time.monotonic() - started
        totals.append(total)
        lags.append(total - body["grading_seconds"])
    return {"submissions": SEQUENTIAL, "median_total_s": round(statistics.median(totals), 3),
            "median_overhead_s": round(statistics.median(lags), 3), "max_overhead_s": round(max(lags), 3)}


def burst(site: LiveSite, tokens: dict[str, str]) -> dict:
    jobs = [(name, slug, fname, content) for i, name in enumerate(sorted(tokens))
            for slug, fname, content in files_of(i)]
    started = time.monotonic()
    with ThreadPoolExecutor(8) as pool:
        responses = list(pool.map(lambda j: site.submit(tokens[j[0]], j[1], [(j[2], j[3])]), jobs))
    submitted = time.monotonic() - started
    assert all(r.status_code == 201 for r in responses), [r.text for r in responses if r.status_code != 201][:3]
    ids = [(job[0], r.json()["id"]) for job, r in zip(jobs, responses)]
    for name, sid in ids:
        while site.status(tokens[name], sid)["state"] not in ("graded", "not_graded"):
            time.sleep(0.2)
    drained = time.monotonic() - started
    return {"submissions": len(jobs), "submit_s": round(submitted, 2), "drain_s": round(drained, 2),
            "per_minute": round(len(jobs) / drained * 60, 1)}


def batch(folder: Path) -> dict:
    for i in range(STUDENTS):
        student = folder / "class" / f"student-{i:03d}"
        student.mkdir(parents=True)
        for _slug, name, content in files_of(i):
            (student / name).write_bytes(content)
    started = time.monotonic()
    grade_class(submissions=folder / "class", out_dir=folder / "out", sandbox=SANDBOX, workers=JUDGES,
                exercises=EXERCISES)
    seconds = time.monotonic() - started
    return {"gradings": STUDENTS * len(EXERCISES), "seconds": round(seconds, 2),
            "per_minute": round(STUDENTS * len(EXERCISES) / seconds * 60, 1)}


def main() -> None:
    results: dict = {"machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
                     "commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                              text=True).stdout.strip(),
                     "sandbox": SANDBOX, "judges": JUDGES, "students": STUDENTS,
                     "load_before": [round(x, 2) for x in os.getloadavg()]}
    with tempfile.TemporaryDirectory(prefix="bench-site-") as tmp:
        data = Path(tmp) / "site"
        names = [f"s{i:03d}" for i in range(STUDENTS)]
        tokens = seed(data, exercises=EXERCISES, students=["solo", *names],
                      course={"rate_burst": 1000, "rate_refill_minutes": 1})
        site = LiveSite(data, "--workers", "1", "--judges", str(JUDGES), "--sandbox", SANDBOX)
        try:
            results["overhead"] = overhead(site, tokens.pop("solo"))
            print("overhead", results["overhead"], flush=True)
            results["burst"] = burst(site, tokens)
            print("burst", results["burst"], flush=True)
        finally:
            site.stop()
        results["batch"] = batch(Path(tmp))
        print("batch", results["batch"], flush=True)
    results["site_vs_batch"] = round(results["burst"]["per_minute"] / results["batch"]["per_minute"], 3)
    print(json.dumps(results, indent=2))
    out = ROOT / "bench" / "results" / "site.json"
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
