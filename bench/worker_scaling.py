"""Throughput from one grading worker to two, in cluster mode (a benchmark, not a test; issue 27).

Target (issue 27): two workers, each grading one submission at a time, at 1.8x one worker's
throughput or better: on 2 cores, the cores are the limit.

Set-up: a private PostgreSQL (durable: fsync on) and Redis, started here from Debian's binaries
(tests/site/servers.py); a course with EXERCISES, and students made by the site's own roster import
(people/roster.py, as `grader site add-students`). Each round starts N real `grader worker
--data HOST_DIR --db ... --broker ... --judges 1 --sandbox docker` processes (each its own data
folder, as separate hosts), waits until they are registered and have each graded a warm-up
submission or two, then submits K reference solutions (EXERCISES in turn, one per student) through
the site's own submit path (submissions/service.py: policy, intake, storage, queue) and times until
the last is graded. Rounds alternate 1, 2, 1, 2, ... workers (ORDER) so that a drift of the
machine's load falls on both.

The sandbox's settings are the defaults (grader/host/config.py): `grader worker` reads no config
file. A site submission holds one exercise, so one lane whatever judges_at_once says; the container
may use up to 2 CPUs (nano_cpus), a quota, not a pin. The CPU accounting (bench/cpustat.py) says
how many cores a grading actually used, and where the rest of the machine's time went.

K (default 18), ORDER (default 1,2,1,2,1,2). Results go to bench/results/worker_scaling.json with
the machine and commit.
"""

from __future__ import annotations

import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import cpustat
from durable_servers import durable_servers

from samples import ROOT

K = int(os.environ.get("K", "18"))
ORDER = [int(n) for n in os.environ.get("ORDER", "1,2,1,2,1,2").split(",")]
EXERCISES = ["race-counter", "queue-drain", "word-tally", "reentrant-lock", "bounded-desks", "producer-consumer"]
WORKER_ENV = {k: v for k, v in os.environ.items() if k not in ("GRADER_DATA", "GRADER_DB", "GRADER_BROKER")}


class Site:
    """The site's side, in this process: the course, the students, submitting, and reading rows."""

    def __init__(self, data: Path, db: str, broker: str):
        from grader.site import serve

        serve.setup(data, db, broker)
        serve.migrate()
        from grader.host import packs
        from grader.site.course.models import Course, CourseExercise

        self.course = Course.objects.create(title="bench", rate_burst=10_000)
        self.exercises = {slug: CourseExercise.objects.create(course=self.course, slug=slug, position=i)
                          for i, slug in enumerate(EXERCISES)}
        found = {ex.slug: ex for ex in packs.load_all(ROOT / "exercises")}
        self.files = {slug: (found[slug].student_file, found[slug].solution.read_bytes()) for slug in EXERCISES}
        self.made = 0

    def students(self, count: int) -> list:
        """`count` new students, through the roster import a teacher uses (a plain name,id CSV)."""
        from grader.site.people.roster import create_accounts, read_roster

        rows = [f"Student {self.made + i},b{self.made + i:05d}" for i in range(count)]
        self.made += count
        created = create_accounts(read_roster(("name,id\n" + "\n".join(rows) + "\n").encode()))
        return [c.person.user for c in created]

    def submit(self, count: int) -> list[int]:
        """`count` reference solutions, EXERCISES in turn, one per new student, as the API submits."""
        from grader.site.submissions import service

        ids = []
        for i, user in enumerate(self.students(count)):
            slug = EXERCISES[i % len(EXERCISES)]
            ids.append(service.submit(student=user, course_exercise=self.exercises[slug],
                                      files=[self.files[slug]]).pk)
        return ids

    def wait(self, ids: list[int], limit: float = 900) -> None:
        from grader.site.submissions.models import Submission

        done = [Submission.State.GRADED, Submission.State.NOT_GRADED]
        deadline = time.monotonic() + limit
        while Submission.objects.filter(pk__in=ids, state__in=done).count() < len(ids):
            if time.monotonic() > deadline:
                raise RuntimeError(f"not all of {len(ids)} submissions graded within {limit} s")
            time.sleep(0.05)

    def registered(self, names: list[str]) -> bool:
        from grader.site.submissions.models import Worker

        return Worker.objects.filter(name__in=names).count() == len(names)

    def rows(self, ids: list[int]) -> list[dict]:
        from grader.site.submissions.models import Submission

        return list(Submission.objects.filter(pk__in=ids).values(
            "pk", "state", "exercise__slug", "lease_owner", "started_at", "finished_at", "grading_seconds",
            "score", "max_score", "attempts"))


def start_workers(n: int, tag: str, folder: Path, db: str, broker: str) -> list[tuple[str, subprocess.Popen]]:
    out = []
    for i in range(n):
        name = f"bench-{tag}-{i}"
        host = folder / name
        log = (folder / f"{name}.log").open("w")
        proc = subprocess.Popen(
            [sys.executable, "-m", "grader.cli", "worker", "--data", str(host), "--db", db, "--broker", broker,
             "--judges", "1", "--sandbox", "docker", "--name", name],
            cwd=ROOT, env={**WORKER_ENV, "GRADER_LOG_LEVEL": "WARNING"}, stdout=log, stderr=subprocess.STDOUT)
        out.append((name, proc))
    return out


def stop_workers(workers: list[tuple[str, subprocess.Popen]]) -> None:
    for _, proc in workers:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
    for _, proc in workers:
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def one_round(site: Site, n: int, tag: str, folder: Path, servers: dict) -> dict:
    workers = start_workers(n, tag, folder, servers["db"], servers["broker"])
    try:
        deadline = time.monotonic() + 120
        while not site.registered([name for name, _ in workers]):
            if time.monotonic() > deadline or any(p.poll() is not None for _, p in workers):
                raise RuntimeError(f"workers did not start; see {folder}/bench-{tag}-*.log")
            time.sleep(0.1)
        site.wait(site.submit(2 * n))  # warm-up: Docker's client, the image looked up, Django's first queries
        groups = {"workers": [p.pid for _, p in workers], "bench": [os.getpid()],
                  **cpustat.server_groups(cpustat.postmaster_pid(servers["pgdata"]), servers["redis_pid"])}
        before = cpustat.snap(groups)
        t0 = time.time()
        ids = site.submit(K)
        submitted = time.time() - t0
        site.wait(ids)
        drain = time.time() - t0
        cpu = cpustat.used(before, cpustat.snap(groups))
    finally:
        stop_workers(workers)
    return summarize(site.rows(ids), n, t0, drain, submitted, cpu)


def summarize(rows: list[dict], n: int, t0: float, drain: float, submitted: float, cpu: dict) -> dict:
    graded = [r for r in rows if r["state"] == "graded"]
    full = [r for r in graded if r["score"] == r["max_score"]]
    seconds = [r["grading_seconds"] for r in graded]
    by_owner: dict[str, list[dict]] = {}
    for r in graded:
        by_owner.setdefault(r["lease_owner"], []).append(r)
    gaps = []  # a worker's idle time between recording one result and claiming the next
    for own in by_owner.values():
        own.sort(key=lambda r: r["started_at"])
        gaps += [(b["started_at"] - a["finished_at"]).total_seconds() for a, b in zip(own, own[1:])]
    per_exercise: dict[str, list[float]] = {}
    for r in graded:
        per_exercise.setdefault(r["exercise__slug"], []).append(r["grading_seconds"])
    grading_total = sum(seconds)
    return {
        "workers": n, "submissions": len(rows), "graded": len(graded), "full_marks": len(full),
        "retried": sum(1 for r in rows if r["attempts"] > 1),
        "submit_s": round(submitted, 2), "drain_s": round(drain, 2), "per_minute": round(len(rows) / drain * 60, 1),
        "first_claim_s": round(min(r["started_at"].timestamp() for r in rows) - t0, 2),
        "grading_s_median": round(statistics.median(seconds), 3),
        "grading_s_mean": round(grading_total / len(seconds), 3),
        "grading_s_by_exercise": {k: round(statistics.median(v), 3) for k, v in sorted(per_exercise.items())},
        "gap_between_gradings_s_median": round(statistics.median(gaps), 3) if gaps else None,
        "gap_between_gradings_s_max": round(max(gaps), 3) if gaps else None,
        # the share of the drain each worker spent grading (1.0: never idle)
        "workers_busy": [round(sum(r["grading_seconds"] for r in own) / drain, 2) for own in by_owner.values()],
        "cpu_seconds": cpu,
        "cores_busy": round(cpu["machine"] / cpu["wall"], 2),
        # CPU of the grading containers per second of grading: how many cores one grading used
        "cores_per_grading": round(cpu["containers"] / grading_total, 2) if "containers" in cpu else None,
        "machine_cpu_s_per_submission": round(cpu["machine"] / len(rows), 3),
    }


def main() -> None:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()
    results: dict = {"machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
                     "commit": commit, "k": K, "order": ORDER, "exercises": EXERCISES,
                     "sandbox": "docker, the default settings (grader worker reads no config file): one exercise "
                                "per submission, so one lane; a container may use up to 2 CPUs (a quota)",
                     "judges_per_worker": 1, "load_before": [round(x, 2) for x in os.getloadavg()], "rounds": []}
    with durable_servers("bench-scaling-") as (postgres, redis, folder):
        assert redis.proc is not None
        servers = {"db": postgres.url, "broker": redis.url, "pgdata": postgres.pgdata, "redis_pid": redis.proc.pid}
        site = Site(folder / "site", postgres.url, redis.url)
        for i, n in enumerate(ORDER):
            result = one_round(site, n, f"r{i}-n{n}", folder, servers)
            results["rounds"].append(result)
            print(f"round {i}: {n} worker(s): {result['per_minute']}/min, drain {result['drain_s']} s, "
                  f"grading median {result['grading_s_median']} s, cores busy {result['cores_busy']}, "
                  f"cores per grading {result['cores_per_grading']}, gap median "
                  f"{result['gap_between_gradings_s_median']} s, full marks {result['full_marks']}/{K}", flush=True)
    for n in sorted(set(ORDER)):
        mine = [r["per_minute"] for r in results["rounds"] if r["workers"] == n]
        results[f"per_minute_{n}"] = round(statistics.median(mine), 1)
    if 1 in ORDER and 2 in ORDER:
        results["ratio_2_over_1"] = round(results["per_minute_2"] / results["per_minute_1"], 3)
    results["load_after"] = [round(x, 2) for x in os.getloadavg()]
    out = ROOT / "bench" / "results" / "worker_scaling.json"
    out.write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in results.items() if k != "rounds"}, indent=2))


if __name__ == "__main__":
    main()
