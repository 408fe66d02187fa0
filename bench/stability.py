"""Grade every reference solution, starter and sample answer ROUNDS times (default 200) while
another process keeps a core busy, and count how often each verdict matched its expected one.
Each round also explores every program of tests/explore_cases/: the same outcome as expected.yaml
says, and the same schedule and interleaving, step for step, as in the first round.

The bar is ROUNDS/ROUNDS for every case. Progress is saved after every round to
bench/results/stability.json (committed: a run can span sessions), so a long run can be watched or
resumed with RESUME=1, and `rounds_at` says how many rounds ran at each commit;
MARKDOWN=1 prints the saved results as a Markdown table (for docs/measurements.md) without grading.
SANDBOX=docker grades in the container sandbox instead (results in stability-docker.json).
PACKS=slug,slug grades only those packs' cases, without the exploration programs (results in
stability-<slugs>.json): a new pack's first stability run.
BURNERS=0 starts no core-burning process of its own: a second run beside one that already burns a
core (the machine then runs both runs' gradings and one burner).
TOGETHER=1 grades the cases side by side instead: submission j holds every pack's j-th case, so one
container judges them two at a time (with SANDBOX=docker; results in stability-docker-together.json).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from rich.console import Console
from rich.table import Table

from samples import cases, differences, grade_file, side_by_side

from grader.host.grading import grade_submission
from grader.host.pack_check import exercise_verdict
from grader.host.results import ExerciseResult
from tests.explore_cases.cases import CASES as EXPLORE_CASES
from tests.explore_cases.cases import explore_case, outcome

ROUNDS = int(os.environ.get("ROUNDS", "200"))
WORKERS = int(os.environ.get("WORKERS", "2"))
SANDBOX = os.environ.get("SANDBOX", "local")
PACKS = sorted(filter(None, os.environ.get("PACKS", "").split(",")))
TOGETHER = bool(os.environ.get("TOGETHER"))
BURNERS = int(os.environ.get("BURNERS", "1"))
OUT = Path(__file__).resolve().parent / "results" / (
    "stability" + "".join(f"-{name}" for name in ([SANDBOX] if SANDBOX != "local" else []) + PACKS
                          + (["together"] if TOGETHER else [])) + ".json")


def burn():
    while True:
        pass


def markdown(state: dict) -> str:
    done = state["rounds_done"]
    at = state.get("rounds_at") or {state.get("commit", "?"): done}
    commits = ", ".join(f"{n} at {commit}" for commit, n in at.items())
    lines = [(f"{done} runs of each case, {state.get('sandbox', 'local')} sandbox, rounds by commit: {commits}, "
              f"{state.get('machine', '?')}, "
              f"{state.get('seconds', 0) / 60:.0f} minutes in all."), "",
             "| case | identical verdicts |", "|---|---|"]
    lines += [f"| `{key}` | {same}/{done} |" for key, same in state["same"].items()]
    return "\n".join(lines)


def explore_verdict(name: str) -> list:
    """(outcome, schedules, interleaving steps) of one exploration case, JSON-comparable."""
    status, schedules, steps = outcome(explore_case(name))
    return [status, schedules, json.loads(json.dumps(steps))]


def graded_alone(exercise, path) -> ExerciseResult:
    return grade_file(exercise, path, sandbox=SANDBOX).exercises[0]


def verdicts_together(group: list) -> dict[str, ExerciseResult]:
    """Grade one submission holding every case of `group`; each exercise's result by slug."""
    with tempfile.TemporaryDirectory() as tmp:
        for ex, _, path, _ in group:
            shutil.copy(path, Path(tmp) / ex.student_file)
        result = grade_submission(submission=Path(tmp), student="together", sandbox=SANDBOX,
                                  exercises=[ex.slug for ex, _, _, _ in group])
    return {ex.exercise: ex for ex in result.exercises}


def grade_round(pool, keys: list, all_cases: list) -> list:
    """(key, expected verdict, future of the verdict) for every case, graded alone or side by side."""
    if not TOGETHER:
        return [(key, want, pool.submit(graded_alone, ex, path))
                for key, (ex, name, path, want) in zip(keys, all_cases)]
    graded = []
    for group in side_by_side(all_cases):
        together = pool.submit(verdicts_together, group)
        for ex, name, _, want in group:
            graded.append((f"{ex.slug}/{name}", want, _Pick(together, ex.slug)))
    return graded


class _Pick:
    """One exercise's verdict out of a submission's future, read like a future."""

    def __init__(self, future, slug: str):
        self.future, self.slug = future, slug

    def result(self) -> ExerciseResult:
        return self.future.result()[self.slug]


def main():
    if os.environ.get("MARKDOWN"):
        print(markdown(json.loads(OUT.read_text())))
        return 0
    all_cases = [case for case in cases() if not PACKS or case[0].slug in PACKS]
    keys = [f"{ex.slug}/{name}" for ex, name, _, _ in all_cases]
    explore_keys = ([f"explore/{name}" for name in EXPLORE_CASES]
                    if SANDBOX == "local" and not PACKS and not TOGETHER else [])
    state = {"rounds_done": 0, "same": {k: 0 for k in keys + explore_keys}, "odd": {}, "reference": {}}
    if os.environ.get("RESUME") and OUT.exists():
        state = json.loads(OUT.read_text())
        state.setdefault("reference", {})
        for key in keys + explore_keys:
            state["same"].setdefault(key, 0)
    busy = [multiprocessing.Process(target=burn, daemon=True) for _ in range(BURNERS)]
    for burner in busy:
        burner.start()  # the "loaded machine": one core is always taken
    started = time.time() - state.get("seconds", 0)  # a resumed run adds to the time already spent
    try:
        with ThreadPoolExecutor(WORKERS) as pool:
            while state["rounds_done"] < ROUNDS:
                futures = grade_round(pool, keys, all_cases)
                explored = [(key, pool.submit(explore_verdict, key.split("/", 1)[1])) for key in explore_keys]
                for key, want, future in futures:
                    got = future.result()
                    found = differences(want, got)  # the comparison the tests and `grader check` make
                    if not found:
                        state["same"][key] += 1
                    else:
                        state["odd"].setdefault(key, []).append(f"{exercise_verdict(got)!r}: {'; '.join(found)}")
                for key, future in explored:
                    got = future.result()
                    reference = state["reference"].setdefault(key, got)
                    if got == reference and got[0] == EXPLORE_CASES[key.split("/", 1)[1]]["found"]:
                        state["same"][key] += 1
                    else:
                        state["odd"].setdefault(key, []).append(repr(got)[:2000])
                state["rounds_done"] += 1
                state["commit"] = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                                                 text=True, cwd=OUT.parents[2]).stdout.strip()
                # A run resumed in a later session may be at a later commit: say how many rounds each had.
                at = state.setdefault("rounds_at", {})
                at[state["commit"]] = at.get(state["commit"], 0) + 1
                state["sandbox"] = SANDBOX
                state["load"] = f"{BURNERS} core(s) kept busy, {WORKERS} gradings at a time"
                state["machine"] = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
                state["seconds"] = round(time.time() - started, 1)
                OUT.parent.mkdir(exist_ok=True)
                OUT.write_text(json.dumps(state, indent=1))
                print(f"round {state['rounds_done']}/{ROUNDS} done after {state['seconds']} s", flush=True)
    finally:
        for burner in busy:
            burner.terminate()
    table = Table(title=f"Identical verdicts over {state['rounds_done']} runs ({SANDBOX} sandbox), "
                        f"{BURNERS} core(s) kept busy, {WORKERS} gradings at a time")
    table.add_column("case")
    table.add_column("identical", justify="right")
    for key in keys + explore_keys:
        table.add_row(key, f"{state['same'][key]}/{state['rounds_done']}")
    Console().print(table)
    if state["odd"]:
        print("Different verdicts:", json.dumps(state["odd"], indent=1)[:5000])
    return 0 if all(v == state["rounds_done"] for v in state["same"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
