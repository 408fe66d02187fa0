"""PostgreSQL and Redis at a steady rate of submissions, without grading (a benchmark; issue 27's sizing).

A private PostgreSQL (durable: fsync on) and Redis (tests/site/servers.py). One process submits
RATE submissions a second for DURATION seconds (default 50/s for 30 s), one per student, through the
site's own submit path (submissions/service.py: policy, intake, storage, enqueue); another takes
them as a worker does (the broker's message, then claim) and records a result at once, with no
grading. Measured: the rate reached, each step's latency at that rate, the servers' own CPU
(bench/cpustat.py), and the queries and Redis commands a second.

Then, one at a time and counted (Django's query log, Redis's INFO commandstats), what each step
costs in queries and commands: a submit, a claim, a record, a worker's sweep round (every 2 s, each
worker), a student's status poll (the page asks every 0.5 s while the submission waits).

Results: bench/results/queue_rate.json with the machine and commit; bench/sizing.py reads them.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import cpustat
from durable_servers import durable_servers

from samples import ROOT

from grader import procfs

RATE = float(os.environ.get("RATE", "50"))
SECONDS = float(os.environ.get("DURATION", "30"))
TOTAL = int(RATE * SECONDS)
SLUG = "race-counter"


def setup_site(data: str) -> None:
    from grader.site import serve

    serve.setup(Path(data), os.environ["GRADER_DB"], os.environ["GRADER_BROKER"])


def prepare(data: str) -> dict:
    """The course, its exercise, TOTAL + 10 students (made in bulk: not what is timed)."""
    setup_site(data)
    from grader.site import serve

    serve.migrate()
    from django.contrib.auth import get_user_model

    from grader.site.course.models import Course, CourseExercise
    from grader.site.people.models import Person

    course = Course.objects.create(title="bench", rate_burst=10_000)
    CourseExercise.objects.create(course=course, slug=SLUG)
    users = get_user_model().objects.bulk_create(get_user_model()(username=f"q{i}") for i in range(TOTAL + 10))
    Person.objects.bulk_create(Person(user=u, display_name=u.username) for u in users)
    return {"students": len(users)}


def _counting():
    """Count every query this process sends (a wrapper on Django's connection)."""
    from django.db import connection

    count = [0]

    def wrapper(execute, sql, params, many, context):
        count[0] += 1
        return execute(sql, params, many, context)

    connection.execute_wrappers.append(wrapper)
    return count


def _content(i: int) -> bytes:
    return (ROOT / "solutions" / SLUG / "race_counter.py").read_bytes() + f"\n# {i}\n".encode()


def producer(data: str, start_at: float) -> dict:
    setup_site(data)
    from django.contrib.auth import get_user_model

    from grader.site.course.models import CourseExercise
    from grader.site.submissions import service

    exercise = CourseExercise.objects.get(slug=SLUG)
    users = list(get_user_model().objects.filter(username__startswith="q").order_by("id")[:TOTAL])
    queries = _counting()
    latencies, late = [], 0.0
    while time.time() < start_at:
        time.sleep(0.001)
    t0 = time.monotonic()
    for i, user in enumerate(users):
        due = t0 + i / RATE
        wait = due - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        else:
            late = max(late, -wait)
        t = time.perf_counter()
        service.submit(student=user, course_exercise=exercise, files=[("race_counter.py", _content(i))])
        latencies.append(time.perf_counter() - t)
    elapsed = time.monotonic() - t0
    return {"submitted": len(users), "seconds": round(elapsed, 2), "rate": round(len(users) / elapsed, 1),
            "most_behind_schedule_s": round(late, 3), "queries": queries[0], **_ms("submit", latencies)}


def consumer(data: str, start_at: float) -> dict:
    setup_site(data)
    from huey.contrib.djhuey import HUEY

    from grader.site.submissions import queue, tasks  # noqa: F401 - tasks registers the message's task

    queries = _counting()
    claims: list[float] = []
    records: list[float] = []
    messages = 0
    while time.time() < start_at:
        time.sleep(0.001)
    t0 = time.monotonic()
    deadline = t0 + SECONDS * 3 + 60
    while len(records) < TOTAL and time.monotonic() < deadline:
        if HUEY.dequeue() is None:  # blocks up to 1 s, as a worker's consumer waits
            continue
        messages += 1
        t = time.perf_counter()
        submission = queue.claim("bench")
        claims.append(time.perf_counter() - t)
        if submission is None:
            continue
        t = time.perf_counter()
        queue.record(submission, result={"schema": 1}, score=10, max_score=10, seconds=1.0)
        records.append(time.perf_counter() - t)
    elapsed = time.monotonic() - t0
    return {"recorded": len(records), "messages": messages, "seconds": round(elapsed, 2), "queries": queries[0],
            **_ms("claim", claims), **_ms("record", records)}


def _ms(name: str, values: list[float]) -> dict:
    if not values:
        return {}
    ordered = sorted(values)
    return {f"{name}_median_ms": round(statistics.median(values) * 1000, 2),
            f"{name}_p95_ms": round(ordered[int(len(ordered) * 0.95)] * 1000, 2),
            f"{name}_max_ms": round(ordered[-1] * 1000, 2)}


def per_step(data: str) -> dict:
    """Queries and Redis commands of each step, one at a time."""
    setup_site(data)
    import redis
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from grader.site.course.models import CourseExercise
    from grader.site.submissions import queue, service, tasks
    from grader.site.submissions.models import Worker

    r = redis.Redis.from_url(os.environ["GRADER_BROKER"])

    def commands() -> int:
        return sum(v["calls"] for k, v in r.info("commandstats").items() if k != "cmdstat_info")

    def measure(step) -> dict:
        before = commands()
        with CaptureQueriesContext(connection) as captured:
            step()
        return {"queries": len(captured), "redis_commands": commands() - before}  # INFO itself left out

    exercise = CourseExercise.objects.get(slug=SLUG)
    user = get_user_model().objects.filter(username__startswith="q").order_by("-id").first()
    assert user is not None
    token = user.person.new_api_token()
    Worker.objects.create(name="bench", host="bench", judges=1, sandbox="docker")
    held: dict = {}
    out = {"submit": measure(lambda: held.update(s=service.submit(
        student=user, course_exercise=exercise, files=[("race_counter.py", _content(10**6))])))}
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    client.get(f"/api/v1/submissions/{held['s'].pk}")  # a first request loads the URL patterns

    def poll() -> None:
        assert client.get(f"/api/v1/submissions/{held['s'].pk}").status_code == 200

    out["status_poll"] = measure(poll)
    from huey.contrib.djhuey import HUEY

    out["claim"] = measure(lambda: (HUEY.dequeue(), held.update(c=queue.claim("bench"))))
    out["record"] = measure(lambda: queue.record(held["c"], result={"schema": 1}, score=10, max_score=10,
                                                 seconds=1.0))

    def sweep_round() -> None:  # what serve._sweep_forever does every SWEEP_SECONDS, each worker
        Worker.objects.filter(name="bench").update(seen_at=timezone.now())
        queue.sweep()
        tasks.top_up()

    out["sweep_round"] = measure(sweep_round)
    return out


def inner(kind: str, data: str, env: dict, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, __file__, f"--{kind}", data, *extra], env={**os.environ, **env},
                            cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def answer(proc: subprocess.Popen) -> dict:
    """The inner process's answer, its last line; it then waits for its standard input to close, so
    that it (and its database connection) is still there to be counted: finish(proc) ends it."""
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line:
        _, err = proc.communicate(timeout=60)
        raise RuntimeError(err)
    return json.loads(line)


def finish(proc: subprocess.Popen) -> None:
    proc.communicate(timeout=60)


def main() -> None:
    results: dict = {"machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
                     "commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                              text=True).stdout.strip(),
                     "target_rate": RATE, "seconds": SECONDS, "load_before": [round(x, 2) for x in os.getloadavg()]}
    with durable_servers("bench-rate-") as (postgres, redis, folder):
        env = {"GRADER_DB": postgres.url, "GRADER_BROKER": redis.url}
        data = str(folder / "site")
        prepared = inner("prepare", data, env)
        answer(prepared)
        finish(prepared)
        start_at = time.time() + 5  # both processes set up, then start together
        procs = {"producer": inner("producer", data, env, str(start_at)),
                 "consumer": inner("consumer", data, env, str(start_at))}
        while time.time() < start_at - 0.5:
            time.sleep(0.05)
        assert redis.proc is not None
        groups = {**cpustat.server_groups(cpustat.postmaster_pid(postgres.pgdata), redis.proc.pid),
                  "producer": [procs["producer"].pid], "consumer": [procs["consumer"].pid]}
        redis_before = redis.client().info("stats")["total_commands_processed"]
        time.sleep(max(0.0, start_at - time.time()))
        # the backends the two processes opened meanwhile
        groups["postgres"] = [cpustat.postmaster_pid(postgres.pgdata) or 0,
                              *procfs.children(cpustat.postmaster_pid(postgres.pgdata) or 0)]
        before = cpustat.snap(groups)
        results["producer"] = answer(procs["producer"])
        results["consumer"] = answer(procs["consumer"])
        cpu = cpustat.used(before, cpustat.snap(groups))
        for proc in procs.values():
            finish(proc)
        redis_commands = redis.client().info("stats")["total_commands_processed"] - redis_before
        results["cpu_seconds"] = cpu
        wall = cpu["wall"]
        n = results["consumer"]["recorded"]
        results["per_submission"] = {
            "postgres_cpu_ms": round(cpu["postgres"] / n * 1000, 2),
            "redis_cpu_ms": round(cpu["redis"] / n * 1000, 3),
            "queries": round((results["producer"]["queries"] + results["consumer"]["queries"]) / n, 1),
            "redis_commands": round(redis_commands / n, 1),
        }
        results["per_second"] = {
            "postgres_cores": round(cpu["postgres"] / wall, 3), "redis_cores": round(cpu["redis"] / wall, 4),
            "queries": round((results["producer"]["queries"] + results["consumer"]["queries"]) / wall, 1),
            "redis_commands": round(redis_commands / wall, 1),
        }
        steps = inner("steps", data, env)
        results["steps"] = answer(steps)
        finish(steps)
    results["load_after"] = [round(x, 2) for x in os.getloadavg()]
    out = ROOT / "bench" / "results" / "queue_rate.json"
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    kinds = {"--prepare": lambda: prepare(sys.argv[2]), "--steps": lambda: per_step(sys.argv[2]),
             "--producer": lambda: producer(sys.argv[2], float(sys.argv[3])),
             "--consumer": lambda: consumer(sys.argv[2], float(sys.argv[3]))}
    if sys.argv[1:2] and sys.argv[1] in kinds:
        print(json.dumps(kinds[sys.argv[1]]()), flush=True)
        sys.stdin.read()  # until main() has counted this process's CPU (finish)
    else:
        main()
