"""The cost of one grading, the old code beside the new (issue 27: halve it). A benchmark, no threshold here.

One student who submits all seventeen reference solutions, graded in one container (the docker
sandbox; SANDBOX=local for the local one), by the code of two trees in turn: a baseline checkout
(BASELINE, default /tmp/grading-cost-baseline: made with `git worktree add --detach BASELINE REF`
if it is not there, REF default main) and this tree. Each timed grading is the second in a fresh
interpreter of its tree: the first, untimed, warms it as a worker or a batch is warm (the image
looked up, and built if missing; the judge times of the exercises seen). One warm-up round more goes
first; rounds alternate which tree goes first (A B, B A, ...), so a drift in the machine's load hits
both alike. Every grading must give full marks, and the new tree's every check (status, points,
message) must be the old tree's.

The machine is shared: for each timed grading, the CPU the rest of the machine used meanwhile
(/proc/stat's busy time less the grading's own: its interpreter's, its judges' and its container's)
is printed in cores, so a reader sees how loaded it was. In the docker sandbox, the container's own
CPU seconds (its cgroup's counter) are printed too: what a grading costs a host, and much less at
the mercy of the other work than its wall time. (Until 92720ff each grading was the first of its
interpreter and own_cpu_seconds counted the interpreter's start as well.)

    RUNS=5 flock /tmp/bench.lock .venv/bin/python bench/grading_cost.py

ONLY=slug,... grades those exercises only (ONLY=race-counter: one exercise, as the course site
grades a submission). RUNS rounds (default 5): medians, spread, ratio and every time in bench/results/grading_cost.json
(RESULTS= another file).
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
BASELINE = Path(os.environ.get("BASELINE", "/tmp/grading-cost-baseline"))
REF = os.environ.get("REF", "main")
# The new tree: this one, or NEW (made at NEW_REF like BASELINE if missing), so that editing this
# tree while the bench runs changes nothing it measures.
NEW = Path(os.environ.get("NEW", HERE))
NEW_REF = os.environ.get("NEW_REF", "HEAD")
RUNS = int(os.environ.get("RUNS", "5"))
SANDBOX = os.environ.get("SANDBOX", "docker")
ONLY = sorted(filter(None, os.environ.get("ONLY", "").split(",")))  # these exercises only (ONLY=race-counter: a site's)
RESULTS = Path(os.environ.get("RESULTS", HERE / "bench" / "results" / "grading_cost.json"))

# Run in a fresh interpreter with the tree's grader first on sys.path: prints the seconds and the
# verdicts. The image is looked up (and built if missing) before the clock starts.
ONE_GRADING = """
import json, os, shutil, sys, tempfile, threading, time
from pathlib import Path
import grader
from grader.host import packs
from grader.host.grading import grade_submission
from grader.host.sandboxes import container as container_mod
from grader.host.sandboxes.container import DockerSandbox
tree, sandbox = Path(sys.argv[1]), sys.argv[2]
# The container's own CPU time: its cgroup's counter, read every 20 ms while it runs (the cgroup goes
# with the container), so other work on the machine is not counted in it.
cpu_ns = [0]
waiting = container_mod._wait
def _wait(container, wall):
    counter = Path(f"/sys/fs/cgroup/cpuacct/docker/{container.id}/cpuacct.usage")
    stop = threading.Event()
    def poll():
        while not stop.is_set():
            try:
                cpu_ns[0] = max(cpu_ns[0], int(counter.read_text()))
            except (OSError, ValueError):
                pass
            stop.wait(0.02)
    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    try:
        return waiting(container, wall)
    finally:
        stop.set()
        poller.join()
container_mod._wait = _wait
assert Path(grader.__file__).resolve().is_relative_to(tree.resolve()), grader.__file__
box = DockerSandbox() if sandbox == "docker" else sandbox
if sandbox == "docker":
    box.image()
only = sys.argv[3].split(",") if sys.argv[3] else None
exercises = [ex for ex in packs.load_all(tree / "exercises") if only is None or ex.slug in only]
def grade():
    with tempfile.TemporaryDirectory() as tmp:
        for ex in exercises:
            shutil.copy(tree / "solutions" / ex.slug / ex.student_file, Path(tmp) / ex.student_file)
        return grade_submission(submission=Path(tmp), student="bench", sandbox=box, exercises=only)
def busy():  # the machine's busy CPU seconds (/proc/stat: all but idle and iowait)
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return (sum(fields[:8]) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")
def cpu(t):
    return t.user + t.system + t.children_user + t.children_system
grade()  # as a worker or a batch is warm: this interpreter has graded once
cpu_ns[0] = 0
times_before, busy_before, start = os.times(), busy(), time.perf_counter()
result = grade()
seconds = time.perf_counter() - start
own = cpu(os.times()) - cpu(times_before) + cpu_ns[0] / 1e9  # this interpreter, its judges, its container
verdicts = {e.exercise: [e.status.value, e.score, e.max_score,
                         [[c.name, c.status.value, c.score, c.message] for c in e.checks]] for e in result.exercises}
print(json.dumps({"seconds": seconds, "exercises": len(exercises), "verdicts": verdicts,
                  "container_cpu": cpu_ns[0] / 1e9, "own_cpu": round(own, 2),
                  "others_cores": round(max(busy() - busy_before - own, 0.0) / seconds, 2),
                  "short": [(e.exercise, e.score, e.max_score) for e in result.exercises if e.score != e.max_score]}))
"""


def git(tree: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(tree), *args], check=True, capture_output=True, text=True).stdout.strip()


def describe(tree: Path) -> str:
    dirty = subprocess.run(["git", "-C", str(tree), "diff", "--quiet", "HEAD", "--", "grader"]).returncode != 0
    return git(tree, "rev-parse", "--short", "HEAD") + (" + uncommitted changes under grader/" if dirty else "")


def grade_once(tree: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    done = subprocess.run([sys.executable, "-c", ONE_GRADING, str(tree), SANDBOX, ",".join(ONLY)], env=env, cwd=tree,
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"grading with {tree} failed:\n{done.stderr[-3000:]}")
    data = json.loads(done.stdout.strip().splitlines()[-1])
    if data["short"]:
        raise SystemExit(f"{tree}: not full marks: {data['short']}")
    return data


def main() -> None:
    for tree, ref in ((BASELINE, REF), (NEW, NEW_REF)):
        if not tree.exists():
            git(HERE, "worktree", "add", "--detach", str(tree), ref)
    trees = {"old": BASELINE, "new": NEW}
    commits = {name: describe(tree) for name, tree in trees.items()}
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    print(f"machine: {machine}")
    print(f"old: {BASELINE} at {commits['old']}; new: {NEW} at {commits['new']}; sandbox {SANDBOX}", flush=True)
    warm = {name: grade_once(tree) for name, tree in trees.items()}  # images built, caches warm
    if warm["old"]["verdicts"] != warm["new"]["verdicts"]:
        raise SystemExit(f"verdicts differ:\nold {warm['old']['verdicts']}\nnew {warm['new']['verdicts']}")
    times: dict[str, list[float]] = {"old": [], "new": []}
    load: dict[str, list[float]] = {"old": [], "new": []}
    own: dict[str, list[float]] = {"old": [], "new": []}
    container_cpu: dict[str, list[float]] = {"old": [], "new": []}
    started = time.monotonic()
    for round_ in range(RUNS):
        order = ["old", "new"] if round_ % 2 == 0 else ["new", "old"]
        for name in order:
            data = grade_once(trees[name])
            if data["verdicts"] != warm["old"]["verdicts"]:
                raise SystemExit(f"{name}: verdicts differ from the old tree's: {data['verdicts']}")
            times[name].append(round(data["seconds"], 3))
            load[name].append(data["others_cores"])
            own[name].append(data["own_cpu"])
            container_cpu[name].append(round(data["container_cpu"], 2))
        print(f"round {round_ + 1}: old {times['old'][-1]:.2f} s (others {load['old'][-1]:.2f} cores, container "
              f"{container_cpu['old'][-1]:.2f} CPU s), new {times['new'][-1]:.2f} s (others {load['new'][-1]:.2f} "
              f"cores, container {container_cpu['new'][-1]:.2f} CPU s)", flush=True)
    median = {name: statistics.median(ts) for name, ts in times.items()}
    cpu_median = {name: statistics.median(ts) for name, ts in container_cpu.items()}
    count = warm["new"]["exercises"]
    solutions = "solution" if count == 1 else "solutions"
    print(f"{count} reference {solutions} in one submission, {SANDBOX} sandbox, median of {RUNS}: "
          f"old {median['old']:.2f} s ({min(times['old']):.2f} to {max(times['old']):.2f}), "
          f"new {median['new']:.2f} s ({min(times['new']):.2f} to {max(times['new']):.2f}): "
          f"{median['old'] / median['new']:.2f}x; the rest of the machine used "
          f"{statistics.median(load['old'] + load['new']):.2f} cores (median), every verdict the same")
    if SANDBOX == "docker":
        print(f"the container's CPU, median: old {cpu_median['old']:.2f} s, new {cpu_median['new']:.2f} s: "
              f"{cpu_median['old'] / cpu_median['new']:.2f}x")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({
        "when": datetime.now(UTC).isoformat(timespec="seconds"), "machine": machine, "sandbox": SANDBOX,
        "exercises": warm["new"]["exercises"], "only": ONLY, "commits": commits, "runs": RUNS,
        "seconds": times, "median": median, "ratio": round(median["old"] / median["new"], 3),
        "others_cores": load, "own_cpu_seconds": own, "container_cpu_seconds": container_cpu,
        "container_cpu_median": cpu_median, "bench_minutes": round((time.monotonic() - started) / 60, 1),
    }, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
