"""How long the two test tiers take (a measurement, not a test: no threshold here).

Runs `make test` (before every commit: target under 5 minutes on 2 cores) and `make test-all` (CI's
full suite: target under 30 minutes), each as the Makefile runs it, with Docker, Chromium and
bubblewrap required as in CI, and records the wall time of each, the machine, the commit, and the
slowest tests (pytest's --durations) in bench/results/test_tiers.json. The README quotes it.

TIERS=test runs only the first tier. The venv must exist (`make test` once): set-up is not timed.
Run it on a quiet machine: the tiers run in parallel on every core.
"""

from __future__ import annotations

import json
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "results" / "test_tiers.json"
TIERS = os.environ.get("TIERS", "test,test-all").split(",")
REQUIRE = {"GRADER_REQUIRE_DOCKER": "1", "GRADER_REQUIRE_BROWSER": "1", "GRADER_REQUIRE_BWRAP": "1"}
SUMMARY = re.compile(r"^=+ (.*(passed|failed).*) in [\d.]+s", re.MULTILINE)
DURATION = re.compile(r"^([\d.]+)s (call|setup|teardown) +(\S+)", re.MULTILINE)


def run_tier(target: str) -> dict:
    env = {**os.environ, **REQUIRE, "PYTEST_ADDOPTS": "--durations=15 -p no:cacheprovider"}
    started = time.monotonic()
    proc = subprocess.run(["make", target], cwd=ROOT, env=env, capture_output=True, text=True)
    seconds = round(time.monotonic() - started, 1)
    print(proc.stdout[-3000:], proc.stderr[-2000:], sep="\n", flush=True)
    return {"seconds": seconds, "exit_code": proc.returncode,
            "pytest": SUMMARY.findall(proc.stdout) and [m[0] for m in SUMMARY.findall(proc.stdout)],
            "slowest": [f"{float(s):.1f}s {phase} {test}" for s, phase, test in DURATION.findall(proc.stdout)][:15]}


def main() -> int:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()
    dirty = bool(subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                                capture_output=True, text=True).stdout.strip())
    state = {"commit": commit + ("+uncommitted changes" if dirty else ""),
             "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
                        f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB, "
                        f"Python {platform.python_version()}",
             "load_before": os.getloadavg()[0], "tiers": {}}
    for tier in TIERS:
        state["tiers"][tier] = run_tier(tier)
        print(f"make {tier}: {state['tiers'][tier]['seconds']} s, exit {state['tiers'][tier]['exit_code']}",
              flush=True)
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps(state, indent=1) + "\n")
    return max(t["exit_code"] for t in state["tiers"].values())


if __name__ == "__main__":
    sys.exit(main())
