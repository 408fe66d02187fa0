"""Where a site grading's wall time goes around and inside its container, alone and two at once
(a benchmark, no threshold; issue 27's "one worker to two").

Grades the reference solutions of six thread exercises one exercise per container, as the course
site does (docker sandbox, default settings), ROUNDS times (default 3): first each alone, then in
pairs from two threads at once (as two workers on one host). For each grading it times Docker's calls
(create, attach_socket, start, wait, reload, remove: docker-py's own methods, wrapped; and send and
finish, the inputs going in on the container's stdin and the end of its outputs) and prints the
medians, alone and two at once: "wait" is the time inside the container, the rest is Docker's work
around it. (Before ec20deb the inputs and results went through put_archive and get_archive.)

    flock /tmp/bench.lock .venv/bin/python bench/container_phases.py

Results: bench/results/container_phases.json, with the machine and commit.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import threading
import time

import docker.models.containers as containers

from samples import ROOT

from grader.host import packs
from grader.host.sandboxes import container_streams
from grader.host.sandboxes.base import JudgeJob
from grader.host.sandboxes.container import DockerSandbox

ROUNDS = int(os.environ.get("ROUNDS", "3"))
EXERCISES = ["race-counter", "queue-drain", "word-tally", "reentrant-lock", "bounded-desks", "producer-consumer"]
CALLS = ("attach_socket", "start", "wait", "reload", "remove")

_seen = threading.local()  # the calls of the grading this thread runs: {call: seconds}


def _timed(name: str, call):
    def timed(*args, **kwargs):
        start = time.perf_counter()
        try:
            return call(*args, **kwargs)
        finally:
            _seen.calls[name] = _seen.calls.get(name, 0.0) + time.perf_counter() - start
    return timed


def grade(box: DockerSandbox, job: JudgeJob, into: list[dict]) -> None:
    _seen.calls = {}
    start = time.perf_counter()
    run = box.run([job])
    total = time.perf_counter() - start
    if run.outcome.value != "ok" or job.exercise.slug not in run.runs:
        raise SystemExit(f"{job.exercise.slug}: the sandbox ended {run.outcome.value}")
    into.append({**_seen.calls, "total": total, "outside": total - _seen.calls.get("wait", 0.0)})


def medians(rows: list[dict]) -> dict:
    return {key: round(statistics.median(row[key] for row in rows), 3) for key in rows[0]}


def main() -> None:
    for name in CALLS:
        setattr(containers.Container, name, _timed(name, getattr(containers.Container, name)))
    containers.ContainerCollection.create = _timed("create", containers.ContainerCollection.create)
    for name in ("send", "finish"):
        setattr(container_streams.ContainerStreams, name,
                _timed(name, getattr(container_streams.ContainerStreams, name)))
    by_slug = {ex.slug: ex for ex in packs.load_all(ROOT / "exercises")}
    jobs = [JudgeJob(by_slug[s], by_slug[s].solution.read_bytes()) for s in EXERCISES]
    box = DockerSandbox()
    box.image()
    for job in jobs[:2]:
        grade(box, job, [])  # warm-up
    rounds = []
    for number in range(ROUNDS):
        alone: list[dict] = []
        for job in jobs:
            grade(box, job, alone)
        pairs: list[dict] = []
        for i, job in enumerate(jobs):
            other = jobs[(i + len(jobs) // 2) % len(jobs)]
            threads = [threading.Thread(target=grade, args=(box, j, pairs)) for j in (job, other)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        rounds.append({"alone": medians(alone), "two_at_once": medians(pairs)})
        for name, row in rounds[-1].items():
            print(f"round {number + 1} {name:11s} " + ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in row.items()),
                  flush=True)
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip()
    out = ROOT / "bench" / "results" / "container_phases.json"
    out.write_text(json.dumps({
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "commit": commit, "exercises": EXERCISES, "rounds": rounds,
    }, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
