"""The queue's own cost per submission, without grading (a benchmark, not a test; issue 27):
store + enqueue (what a submit costs beyond reading the upload), claim, and recording a result,
each timed over N submissions (one per student), on each storage:

- sqlite: the default (DATA/site.sqlite3 in WAL mode, Huey's SQLite queue);
- postgres+redis: cluster mode, against a private PostgreSQL (durable: fsync on) and Redis started
  here from Debian's binaries (tests/site/servers.py).

Target (issue 27): under 20 ms for each step on PostgreSQL and Redis. Results go to
bench/results/queue_cost.json with the machine and commit.
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

from durable_servers import durable_servers

from samples import ROOT

N = int(os.environ.get("N", "300"))  # submissions, one per student (a student's second would supersede the first)


def measure_here(data: str) -> dict:
    """In a process of its own (Django's settings are per process): GRADER_DB/BROKER say where."""
    from grader.site import serve

    serve.setup(Path(data), os.environ.get("GRADER_DB"), os.environ.get("GRADER_BROKER"))
    serve.migrate()
    from django.contrib.auth import get_user_model

    from grader.site.course.models import Course, CourseExercise
    from grader.site.people.models import Person
    from grader.site.submissions import accept, queue, tasks

    course = Course.objects.create(title="bench", rate_burst=10_000)
    exercise = CourseExercise.objects.create(course=course, slug="race-counter")
    users = []
    for i in range(N):
        user = get_user_model().objects.create(username=f"b{i}")
        Person.objects.create(user=user)
        users.append(user)
    content = (ROOT / "solutions" / "race-counter" / "race_counter.py").read_bytes()
    enqueue, claim, record = [], [], []
    for i in range(N):
        # a distinct file each time: storing it is part of the cost
        files = [("race_counter.py", content + f"\n# {i}\n".encode())]
        t = time.perf_counter()
        accept.store(student=users[i], course_exercise=exercise, files=files)
        tasks.enqueue()
        enqueue.append(time.perf_counter() - t)
    for _ in range(N):
        t = time.perf_counter()
        submission = queue.claim("bench")
        claim.append(time.perf_counter() - t)
        assert submission is not None
        t = time.perf_counter()
        assert queue.record(submission, result={"schema": 1}, score=10, max_score=10, seconds=1.0)
        record.append(time.perf_counter() - t)

    def ms(values):
        return {"median_ms": round(statistics.median(values) * 1000, 2),
                "p95_ms": round(sorted(values)[int(len(values) * 0.95)] * 1000, 2)}

    return {"store_and_enqueue": ms(enqueue), "claim": ms(claim), "record": ms(record)}


def run(name: str, env: dict) -> dict:
    with tempfile.TemporaryDirectory(prefix=f"bench-queue-{name}-") as data:
        done = subprocess.run([sys.executable, __file__, "--inner", data], env={**os.environ, **env}, cwd=ROOT,
                              capture_output=True, text=True, timeout=1800)
        if done.returncode != 0:
            raise RuntimeError(done.stdout + done.stderr)
        return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    results: dict = {"machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
                     "commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                              text=True).stdout.strip(),
                     "n": N, "load_before": [round(x, 2) for x in os.getloadavg()]}
    results["sqlite"] = run("sqlite", {})
    print("sqlite", results["sqlite"], flush=True)
    with durable_servers("bench-servers-") as (postgres, redis, folder):
        results["postgres_redis"] = run("cluster", {"GRADER_DB": postgres.url, "GRADER_BROKER": redis.url})
        print("postgres+redis", results["postgres_redis"], flush=True)
    out = ROOT / "bench" / "results" / "queue_cost.json"
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--inner"]:
        print(json.dumps(measure_here(sys.argv[2])))
    else:
        main()
