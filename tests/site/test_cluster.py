"""Cluster mode with the real servers: PostgreSQL holds the rows (and the submitted files), Redis
carries the messages, and two `grader worker` processes grade, each with a data folder of its own
as on another host (nothing shared but --db and --broker). A worker killed mid-grading, Redis
restarted empty, PostgreSQL stopped a while, a stale lease, 1,000 submissions drained: each
submission graded, and recorded once. tests/site/servers.py starts the servers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
import requests
from psycopg.rows import dict_row

from .conftest import file_of, slow_answer
from .live import ROOT, LiveSite, LiveWorker, seed
from .servers import PostgresServer, RedisServer, postgres_server, redis_server  # noqa: F401 - fixtures

PACKS = Path(__file__).resolve().parents[1] / "packs"
TINY_RIGHT = ("adder.py", b"def add(a, b):\n    return a + b\n")


class Cluster:
    def __init__(self, root: Path, pg: PostgresServer, redis: RedisServer):
        self.root, self.pg, self.redis = root, pg, redis
        self.site_data = root / "site"
        self.where = ["--db", pg.url, "--broker", redis.url]
        self.started: list[LiveSite | LiveWorker] = []

    def seed(self, **spec) -> dict[str, str]:
        return seed(self.site_data, db=self.pg.url, broker=self.redis.url, **spec)

    def site(self, *args: str, env: dict | None = None) -> LiveSite:
        site = LiveSite(self.site_data, *self.where, "--workers", "0", *args, env=env)
        self.started.append(site)
        return site

    def worker(self, name: str, *args: str, env: dict | None = None) -> LiveWorker:
        """A worker on "another host": a data folder of its own, which holds no submitted file."""
        worker = LiveWorker(self.root / name, name, *self.where, *args, env=env)
        self.started.append(worker)
        return worker

    def rows(self) -> list[dict]:
        with psycopg.connect(self.pg.url, row_factory=dict_row) as conn:
            return conn.execute("SELECT id, state, attempts, lease_owner, score, error FROM submissions_submission "
                                "ORDER BY id").fetchall()

    def registered(self, *workers: LiveWorker) -> None:
        """Wait until each worker has said it is alive in the database (its start is done)."""
        def seen():
            with psycopg.connect(self.pg.url) as conn:
                names = {n for (n,) in conn.execute("SELECT name FROM submissions_worker")}
            return {w.name for w in workers} <= names
        wait_until(seen, 120, "the workers registered", [line for w in workers for line in w.lines])

    def stop(self) -> None:
        for started in reversed(self.started):
            started.stop()


@pytest.fixture
def cluster(tmp_path, postgres_server, redis_server):  # noqa: F811 - the fixtures imported above
    made = Cluster(tmp_path, postgres_server, redis_server)
    try:
        yield made
    finally:
        made.stop()


def wait_until(condition, limit: float, what: str, lines: list[str] | None = None):
    """Poll `condition` until it is true (a bound on a wait, not a verdict)."""
    deadline = time.monotonic() + limit
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not after {limit} s\n" + "\n".join((lines or [])[-40:]))
        time.sleep(0.2)


LEASE = {"GRADER_LEASE_SECONDS": "6"}  # short, so a lost claim comes back soon


def _site_and_two_workers(cluster):
    """The site and two grading hosts."""
    site = cluster.site(env=LEASE)
    workers = [cluster.worker("host-a", env=LEASE), cluster.worker("host-b", env=LEASE)]
    cluster.registered(*workers)
    return site, workers


@pytest.mark.slow  # ~25-35 s: a 13-s grading (the judge's backstop) killed with its worker, its lease, graded again
def test_a_worker_killed_mid_grading_is_replaced_by_the_other_and_the_result_recorded_once(cluster):
    tokens = cluster.seed(exercises=["process-queue"], students=["ann"])
    site, workers = _site_and_two_workers(cluster)
    slow = slow_answer()
    submitted = site.submit(tokens["ann"], "process-queue", [slow])
    assert submitted.status_code == 201, submitted.text
    sid = submitted.json()["id"]
    site.wait_for(tokens["ann"], sid, {"running"}, limit=120)
    (row,) = cluster.rows()
    owner_pid = int(row["lease_owner"].rsplit(":", 1)[1])
    (killed,) = [w for w in workers if w.proc.pid == owner_pid]
    (other,) = [w for w in workers if w is not killed]
    killed.kill()
    body = site.wait_for(tokens["ann"], sid, {"graded", "not_graded"}, limit=180)
    assert body["state"] == "graded", body
    assert body["attempts"] == 2 and body["score"] == 9.0  # the killed attempt, then the other's, recorded
    (row,) = cluster.rows()
    assert row["lease_owner"].endswith(f":{other.proc.pid}")  # graded by the worker still alive
    assert other.proc.poll() is None
    # The file came from the database: no host has a blobs/ folder, and none shares a folder.
    assert not [d for d in ("site", "host-a", "host-b") if (cluster.root / d / "blobs").exists()]
    with psycopg.connect(cluster.pg.url) as conn:
        assert conn.execute("SELECT content FROM submissions_blob").fetchall() == [(slow[1],)]


@pytest.mark.slow  # ~15 s: a 5-s wait while Redis is away, four gradings
def test_redis_restarted_empty_loses_no_submission(cluster):
    tokens = cluster.seed(exercises=["tiny-add"], students=["ann", "ben", "cat", "dan"])  # none supersedes another
    packs = ["--exercises", str(PACKS)]
    site = cluster.site(*packs)  # no worker yet: the messages wait in Redis
    ids = [(t, site.submit(tokens[t], "tiny-add", [TINY_RIGHT]).json()["id"]) for t in ("ann", "ben")]
    assert cluster.redis.client().dbsize() > 0  # the messages are there...
    cluster.redis.stop()  # ...and gone: SIGKILL, nothing saved
    during = [(t, site.submit(tokens[t], "tiny-add", [TINY_RIGHT])) for t in ("cat", "dan")]
    assert [r.status_code for _, r in during] == [201, 201], [r.text for _, r in during]  # stored; no message
    ids += [(t, r.json()["id"]) for t, r in during]
    workers = [cluster.worker("host-a", *packs), cluster.worker("host-b", *packs)]  # the broker is away
    time.sleep(5)  # two sweeps of each worker: none can take anything
    assert [r["state"] for r in cluster.rows()] == ["queued"] * 4
    assert all(w.proc.poll() is None for w in workers), workers[0].lines[-20:]
    cluster.redis.start()  # on the same port, empty
    done = [site.wait_for(tokens[t], i, {"graded", "not_graded"}, limit=120) for t, i in ids]
    assert [(d["state"], d["attempts"], d["score"]) for d in done] == [("graded", 1, 1.0)] * 4


@pytest.mark.slow  # ~50-60 s: a 13-s grading whose end falls in the outage, graded again after its lease, one more
def test_postgres_stopped_a_while_503_then_nothing_lost(cluster):
    tokens = cluster.seed(exercises=["process-queue"], students=["ann"])
    site, workers = _site_and_two_workers(cluster)
    slow = slow_answer()
    sid = site.submit(tokens["ann"], "process-queue", [slow]).json()["id"]
    site.wait_for(tokens["ann"], sid, {"running"}, limit=120)
    cluster.pg.stop()
    late = cluster.worker("host-c", env=LEASE)  # a host that boots while the database is away waits for it
    try:
        api = site.api(tokens["ann"]).get(f"{site.url}/api/v1/submissions/{sid}", timeout=30)
        page = requests.get(f"{site.url}/people/sign-in/no-such-link/", timeout=30)
        for response in (api, page):
            assert response.status_code == 503, (response.request.url, response.status_code, response.text[:500])
            assert response.headers["Retry-After"] == "5"
        # The grading ends while the database is away: its result cannot be recorded.
        wait_until(lambda: any("in record" in line for w in workers for line in w.lines), 90,
                   "a worker tried to record during the outage", workers[0].lines + workers[1].lines)
    finally:
        cluster.pg.start()
    cluster.registered(late)
    workers.append(late)
    body = site.wait_for(tokens["ann"], sid, {"graded", "not_graded"}, limit=120)
    assert body["state"] == "graded" and body["score"] == 9.0, body
    assert body["attempts"] == 2  # the attempt that could not record, then the one recorded
    assert all(any("sweep failed; trying again" in line for line in w.lines) for w in workers[:2])  # logged, retried
    assert all(w.proc.poll() is None for w in workers), "\n".join(
        f"{w.name}: exit {w.proc.poll()}\n" + "\n".join(w.lines) for w in workers)
    # The consumers survived: a new submission is graded as before.
    again = site.submit(tokens["ann"], "process-queue", [slow]).json()["id"]
    assert site.wait_for(tokens["ann"], again, {"graded", "not_graded"}, limit=120)["state"] == "graded"


PROBE = """
import json, os, sys
from datetime import timedelta
from pathlib import Path
from grader.site import serve
serve.setup(Path(sys.argv[1]), os.environ["GRADER_DB"], None)
from django.db import connection
from django.utils import timezone
from grader.site.submissions import queue
from grader.site.submissions.models import Submission
assert connection.vendor == "postgresql", connection.vendor
first = queue.claim("host-a:1")
Submission.objects.filter(pk=first.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
swept = queue.sweep()
second = queue.claim("host-b:2")
out = {"same": first.pk == second.pk, "swept": swept, "tokens_differ": first.lease_token != second.lease_token,
       "stale_heartbeat": queue.heartbeat(first),
       "stale_record": queue.record(first, result={"by": "a"}, score=0.0, max_score=1.0, seconds=1.0),
       "stale_retry": queue.retry(first, "late"),
       "record": queue.record(second, result={"by": "b"}, score=1.0, max_score=1.0, seconds=1.0),
       "late_record": queue.record(first, result={"by": "a"}, score=0.0, max_score=1.0, seconds=1.0)}
row = Submission.objects.get(pk=first.pk)
out.update(state=row.state, result=row.result, score=row.score, attempts=row.attempts)
print(json.dumps(out))
"""


@pytest.mark.slow  # ~5 s: a PostgreSQL cluster made (initdb) and started for it
def test_an_expired_lease_cannot_overwrite_the_attempt_that_replaced_it_on_postgres(tmp_path, postgres_server):  # noqa: F811
    data = tmp_path / "site"
    seed(data, db=postgres_server.url, exercises=["tiny-add"], students=["ann"],
         queued={"exercise": "tiny-add", "per_student": 1, "file": ["adder.py", TINY_RIGHT[1].decode()]})
    env = {**os.environ, "GRADER_DB": postgres_server.url, "GRADER_LEASE_SECONDS": "60"}
    env.pop("GRADER_DATA", None)
    done = subprocess.run([sys.executable, "-c", PROBE, str(data)], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out == {"same": True, "swept": 1, "tokens_differ": True, "stale_heartbeat": False, "stale_record": False,
                   "stale_retry": False, "record": True, "late_record": False, "state": "graded",
                   "result": {"by": "b"}, "score": 1.0, "attempts": 2}


@pytest.mark.slow  # ~65 s: 1,000 submissions through the queue (980 cheap gradings, 20 real judge runs)
def test_a_thousand_queued_submissions_drain_each_graded_exactly_once(cluster):
    # 980 whose file does not compile: graded 0 in milliseconds, through grade_submission like any
    # other, so the test measures the queue; 20 right ones run the judge.
    broken = {"exercise": "tiny-add", "file": ["adder.py", "def add(a, b)\n    return a + b\n"]}
    cluster.seed(exercises=["tiny-add"], students=[f"s{i:02}" for i in range(49)], queued={**broken, "per_student": 20})
    right = {"exercise": "tiny-add", "file": ["adder.py", TINY_RIGHT[1].decode()]}
    cluster.seed(exercises=["tiny-add"], students=["r1", "r2"], queued={**right, "per_student": 10})
    assert len(cluster.rows()) == 1000
    packs = ["--exercises", str(PACKS), "--judges", "2"]
    started = time.monotonic()
    workers = [cluster.worker("host-a", *packs), cluster.worker("host-b", *packs)]
    wait_until(lambda: all(r["state"] not in ("queued", "running") for r in cluster.rows()), 600,
               "the queue drained", workers[0].lines + workers[1].lines)
    took = time.monotonic() - started
    rows = cluster.rows()
    assert len(rows) == 1000
    assert [r for r in rows if r["state"] != "graded" or r["attempts"] != 1] == []  # each graded, once
    assert sorted(r["score"] for r in rows).count(1.0) == 20
    owners = {r["lease_owner"].rsplit(":", 1)[1] for r in rows}
    assert owners == {str(w.proc.pid) for w in workers}  # both workers graded
    status = subprocess.run([sys.executable, "-m", "grader.cli", "site", "status", "--data", str(cluster.site_data),
                             *cluster.where], cwd=ROOT, capture_output=True, text=True, timeout=120,
                            env={k: v for k, v in os.environ.items() if k != "GRADER_DATA"})
    assert status.returncode == 0, status.stderr
    assert "graded                   1000" in status.stdout and "queued                   0" in status.stdout
    print(f"1,000 submissions drained in {took:.1f} s by two workers")


@pytest.mark.slow  # ~6 s: PostgreSQL, Redis and a live site started for it
def test_metrics_are_for_teachers_and_the_token_holder_only_and_count_the_rows(cluster):
    tokens = cluster.seed(exercises=["tiny-add"], students=["ann"],
                          queued={"exercise": "tiny-add", "per_student": 3, "file": ["adder.py", "x = 1\n"]})
    site = cluster.site("--exercises", str(PACKS), env={"GRADER_METRICS_TOKEN": "scrape-secret"})
    url = f"{site.url}/metrics"
    scraped = requests.get(url, headers={"Authorization": "Bearer scrape-secret"}, timeout=30)
    assert scraped.status_code == 200 and scraped.headers["Content-Type"].startswith("text/plain")
    assert "grader_queue_depth 3.0" in scraped.text and 'grader_grading_seconds_bucket{le="+Inf"} 0.0' in scraped.text
    assert requests.get(url, headers={"Authorization": f"Bearer {tokens['ann']}"}, timeout=30).status_code == 401
    anonymous = requests.get(url, timeout=30, allow_redirects=False)
    assert anonymous.status_code == 302 and "/people/sign-in/" in anonymous.headers["Location"]


@pytest.mark.django_db
def test_metrics_open_to_a_signed_in_teacher_and_not_to_a_student(client, people, monkeypatch):
    monkeypatch.delenv("GRADER_METRICS_TOKEN", raising=False)
    client.force_login(people["alice"].user)
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer anything").status_code == 401  # none configured
    client.force_login(people["teacher"].user)
    response = client.get("/metrics")
    assert response.status_code == 200 and b"grader_judges_alive 0.0" in response.content


def test_psycopgs_words_for_a_server_away_are_a_503_and_a_missing_table_is_not():
    """psycopg's own errors, as Django wraps them: a refused connection (nothing listens on the
    port), a server that went away, and, not to be hidden as 503, a bug's error."""
    import django.db
    from django.db.utils import ProgrammingError

    from grader.site.middleware import _unreachable

    from .servers import free_port

    with pytest.raises(psycopg.OperationalError) as refused:
        psycopg.connect(host="127.0.0.1", port=free_port(), user="x", dbname="x", connect_timeout=5)
    wrapped = [django.db.OperationalError(str(refused.value)),
               django.db.OperationalError("consuming input failed: server closed the connection unexpectedly"),
               django.db.OperationalError("terminating connection due to administrator command"),
               django.db.OperationalError("the database system is starting up"),
               django.db.InterfaceError("the connection is closed")]
    assert [_unreachable(e) for e in wrapped] == [True] * 5, [str(e) for e in wrapped]
    assert not _unreachable(ProgrammingError('relation "submissions_submission" does not exist'))
    assert not _unreachable(django.db.OperationalError("division by zero"))


def _grader(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    environment = {**{k: v for k, v in os.environ.items() if not k.startswith("GRADER_")}, **(env or {})}
    return subprocess.run([sys.executable, "-m", "grader.cli", *args], cwd=ROOT, env=environment,
                          capture_output=True, text=True, timeout=600)


def _graded(out: Path) -> dict[str, tuple]:
    """Each student's status, total and per-exercise scores, as the batch's report.json files say."""
    found = {}
    for report in sorted(out.glob("*/report.json")):
        data = json.loads(report.read_text(encoding="utf-8"))
        found[data["student"]] = (data["status"], data["score"], data["max_score"],
                                  tuple((e["exercise"], e["status"], e["score"]) for e in data["exercises"]),
                                  data.get("sandbox_message", ""))  # why, when it was not graded
    return found


@pytest.mark.slow  # ~40 s: a class of three graded by a worker, then locally to compare, then resumed
def test_a_batch_via_the_cluster_writes_what_a_local_batch_writes_and_a_rerun_sends_nothing_twice(cluster, tmp_path):
    cluster.seed()  # the tables: a site's database, no course needed for a batch
    worker = cluster.worker("host-a", "--judges", "2")
    cluster.registered(worker)
    klass = tmp_path / "class"
    name, solved = file_of("race-counter", solved=True)
    _, starter = file_of("race-counter")
    other, other_starter = file_of("semaphore-handoff")
    (klass / "张三" / "作业").mkdir(parents=True)
    (klass / "张三" / "作业" / name).write_bytes(solved)  # found in a folder of its own, as locally
    (klass / "张三" / other).write_bytes(other_starter)
    (klass / "bob").mkdir()
    (klass / "bob" / name).write_bytes(starter)
    (klass / "bob" / "notes.txt").write_text("not an exercise\n")
    (klass / "cat").mkdir()
    (klass / "cat" / name).write_bytes(b"def broken(:\n")
    choice = ["--exercise", "race-counter", "--exercise", "semaphore-handoff", "--lang", "zh"]
    via = ["--via", cluster.redis.url, "--db", cluster.pg.url]

    sent = _grader("batch", str(klass), "--out", str(tmp_path / "via"), *choice, *via)
    assert sent.returncode == 0, sent.stdout + sent.stderr + "\n".join(worker.lines[-40:])
    here = _grader("batch", str(klass), "--out", str(tmp_path / "here"), *choice, "--sandbox", "local")
    assert here.returncode == 0, here.stdout + here.stderr
    via_graded, here_graded = _graded(tmp_path / "via"), _graded(tmp_path / "here")
    assert set(via_graded) == {"张三", "bob", "cat"} and via_graded == here_graded, sent.stderr[-3000:]
    assert via_graded["张三"][1] > via_graded["bob"][1]  # the solution beats the starter: a real grading
    for out in ("via", "here"):
        assert (tmp_path / out / "index.html").exists() and (tmp_path / out / "grades.csv").exists()
    rows = cluster.rows()
    assert len(rows) == 3 and all(r["state"] == "graded" and r["attempts"] == 1 for r in rows)
    with psycopg.connect(cluster.pg.url) as conn:
        kept = conn.execute("SELECT DISTINCT f.name FROM submissions_submittedfile f").fetchall()
        assert {n for (n,) in kept} >= {f"作业/{name}", "notes.txt"}  # the student's folders kept
        assert conn.execute("SELECT DISTINCT priority FROM submissions_submission").fetchall() == [(2,)]

    # A rerun: every student is skipped (their reports carry the key), nothing sent.
    again = _grader("batch", str(klass), "--out", str(tmp_path / "via"), *choice, *via)
    assert again.returncode == 0 and len(cluster.rows()) == 3, again.stdout + again.stderr
    # A report lost (the batch stopped before writing it): the row already graded is used, not sent again.
    (tmp_path / "via" / "bob" / "report.json").unlink()
    again = _grader("batch", str(klass), "--out", str(tmp_path / "via"), *choice, *via)
    assert again.returncode == 0 and len(cluster.rows()) == 3, again.stdout + again.stderr
    assert _graded(tmp_path / "via") == here_graded
