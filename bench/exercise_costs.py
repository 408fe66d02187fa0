"""What one site submission of each exercise costs to grade (a benchmark, not a test; issue 27's sizing).

The course site grades one exercise per container (submissions/grade.py). This grades each pack's
reference solution and its starter that way, one at a time, in the docker sandbox with the default
settings, RUNS times (default 3), and records for each: the wall time, the grading container's CPU
and the whole machine's CPU (Docker's daemons and the grader's own process included; bench/cpustat.py).
Nothing else should run meanwhile: the machine's CPU is counted whole.

bench/sizing.py reads the result, bench/results/exercise_costs.json (with the machine and commit).
PACKS=slug,... only those.
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
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import cpustat

from samples import ROOT

from grader.host import packs
from grader.host.grading import grade_submission
from grader.host.sandboxes.container import DockerSandbox

RUNS = int(os.environ.get("RUNS", "3"))
PACKS = sorted(filter(None, os.environ.get("PACKS", "").split(",")))


def grade_once(box: DockerSandbox, ex: packs.Exercise, source: Path) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / ex.student_file).write_bytes(source.read_bytes())
        before = cpustat.snap({"grader": [os.getpid()]})
        result = grade_submission(submission=Path(tmp), student="bench", sandbox=box, exercises=[ex.slug])
        cpu = cpustat.used(before, cpustat.snap({"grader": [os.getpid()]}))
    return {"wall": cpu["wall"], "container": cpu.get("containers"), "machine": cpu["machine"],
            "score": result.score, "max_score": result.max_score}


def main() -> None:
    box = DockerSandbox()
    exercises = [ex for ex in packs.load_all(ROOT / "exercises") if not PACKS or ex.slug in PACKS]
    results: dict = {"machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
                     "commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                              text=True).stdout.strip(),
                     "runs": RUNS, "sandbox": "docker, default settings, one exercise per container",
                     "load_before": [round(x, 2) for x in os.getloadavg()], "exercises": {}}
    grade_once(box, exercises[0], exercises[0].solution)  # warm-up: the engine's client, the image
    started = time.monotonic()
    for ex in exercises:
        entry = {}
        for kind, source in (("solution", ex.solution), ("starter", ex.starter)):
            runs = [grade_once(box, ex, source) for _ in range(RUNS)]
            if kind == "solution":
                assert all(r["score"] == r["max_score"] for r in runs), (ex.slug, runs)
            entry[kind] = {what: round(statistics.median(r[what] for r in runs), 3)
                           for what in ("wall", "container", "machine")}
        results["exercises"][ex.slug] = entry
        print(f"{ex.slug:22} solution {entry['solution']}  starter {entry['starter']}", flush=True)
    results["seconds"] = round(time.monotonic() - started, 1)
    results["load_after"] = [round(x, 2) for x in os.getloadavg()]
    out = ROOT / "bench" / "results" / "exercise_costs.json"
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
