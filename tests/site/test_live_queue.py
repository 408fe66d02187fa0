"""The site as it runs: `grader serve` as a process, a worker killed mid-grading, a restart with
work queued, and a burst of submissions through the API. Real processes, real grading (local
sandbox), the queue's rows as the source of truth."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests

from .conftest import file_of, slow_answer
from .live import LiveSite, seed


@pytest.fixture
def site_data(tmp_path) -> Path:
    return tmp_path / "site"


def test_a_submission_is_graded_and_its_report_is_the_graders(site_data):
    tokens = seed(site_data, exercises=["race-counter"], students=["ann"])
    site = LiveSite(site_data)
    try:
        response = site.submit(tokens["ann"], "race-counter", [file_of("race-counter", solved=True)])
        assert response.status_code == 201, response.text
        body = site.wait_for(tokens["ann"], response.json()["id"], {"graded", "not_graded"})
        assert body["state"] == "graded" and body["score"] == body["max_score"] == 10
        assert body["attempts"] == 1 and body["counts"]
        report = site.api(tokens["ann"]).get(f"{site.url}/api/v1/submissions/{body['id']}/report").json()
        assert report["schema"] == 1 and report["exercises"][0]["exercise"] == "race-counter"
    finally:
        site.stop()


@pytest.mark.slow  # ~30 s: a grading that runs into the judge's backstop, killed, graded again
def test_a_worker_killed_mid_grading_leaves_a_lease_that_expires_and_the_submission_is_graded_once(site_data):
    tokens = seed(site_data, exercises=["process-queue"], students=["ann"])
    # Its grading waits for a backstop (seconds): the kill lands while it runs, whatever the load.
    slow = slow_answer()
    site = LiveSite(site_data, env={"GRADER_LEASE_SECONDS": "6"})
    try:
        submitted = site.submit(tokens["ann"], "process-queue", [slow]).json()
        site.wait_for(tokens["ann"], submitted["id"], {"running"})
        (killed,) = site.workers()
        os.kill(killed, signal.SIGKILL)
        body = site.wait_for(tokens["ann"], submitted["id"], {"graded", "not_graded"})
        assert body["state"] == "graded", body
        assert body["attempts"] == 2  # the killed attempt, then the one recorded
        assert body["score"] == 9.0  # the sample's expected verdict (tests/samples/process-queue)
        assert killed not in site.workers() and len(site.workers()) == 1  # started again
    finally:
        site.stop()


@pytest.mark.slow  # ~20 s: two starts of the site and three gradings
def test_a_restart_resumes_what_was_queued(site_data):
    tokens = seed(site_data, exercises=["race-counter", "queue-drain"], students=["ann", "ben"])
    site = LiveSite(site_data, "--workers", "0")  # nobody grades: everything stays queued
    try:
        ids = [site.submit(tokens["ann"], "race-counter", [file_of("race-counter")]).json()["id"],
               site.submit(tokens["ann"], "queue-drain", [file_of("queue-drain", solved=True)]).json()["id"],
               site.submit(tokens["ben"], "race-counter", [file_of("race-counter", solved=True)]).json()["id"]]
        assert {site.status(tokens["ann"], ids[0])["state"], site.status(tokens["ben"], ids[2])["state"]} == {"queued"}
    finally:
        site.stop()
    site = LiveSite(site_data)
    try:
        owners = [tokens["ann"], tokens["ann"], tokens["ben"]]
        done = [site.wait_for(token, i, {"graded", "not_graded"}) for token, i in zip(owners, ids)]
        assert [d["state"] for d in done] == ["graded"] * 3
        assert [d["score"] for d in done] == [4, done[1]["max_score"], 10]
        assert all(d["attempts"] == 1 for d in done)
    finally:
        site.stop()


BURST_EXERCISES = ["race-counter", "queue-drain", "word-tally", "reentrant-lock"]


@pytest.mark.slow  # ~2.5 min: about 190 real gradings (issue 26's burst: 200 submissions from 46 students)
def test_a_burst_each_graded_once_no_server_error_and_one_busy_student_does_not_delay_the_others(site_data):
    students = [f"s{i:02}" for i in range(45)]
    tokens = seed(site_data, exercises=BURST_EXERCISES, students=[*students, "busy"],
                  course={"rate_burst": 100, "rate_refill_minutes": 1})
    site = LiveSite(site_data, "--workers", "2")
    try:
        # The busy student first: twenty submissions over the four exercises, before anyone else's.
        jobs = [("busy", BURST_EXERCISES[i % 4], i % 3 == 0) for i in range(20)]
        jobs += [(s, slug, (i + k) % 2 == 0) for i, s in enumerate(students) for k, slug in enumerate(BURST_EXERCISES)]
        busy = [site.submit(tokens[n], slug, [file_of(slug, solved)]) for n, slug, solved in jobs[:20]]
        queued: dict[int, str] = {}  # submission id -> when its answer came back: its row was in the queue by then

        def submit(job):
            response = site.submit(tokens[job[0]], job[1], [file_of(job[1], job[2])])
            if response.status_code == 201:  # the rows' own format (Django's for SQLite, UTC)
                queued[response.json()["id"]] = datetime.now(UTC).replace(tzinfo=None).isoformat(" ")
            return response

        with ThreadPoolExecutor(8) as pool:
            others = list(pool.map(submit, jobs[20:]))
        responses = busy + others
        assert len(responses) == 200 and all(r.status_code == 201 for r in responses), \
            [r.text for r in responses if r.status_code != 201][:3]
        for (name, _slug, _solved), response in zip(jobs, responses):
            site.wait_for(tokens[name], response.json()["id"], {"graded", "not_graded", "superseded"})
        assert not [line for line in site.lines if "Traceback" in line or '" 50' in line]
    finally:
        site.stop()
    rows = _rows(site_data)
    assert len(rows) == 200
    graded = [r for r in rows if r["state"] == "graded"]
    assert all(r["attempts"] == 1 for r in graded)  # each graded exactly once
    assert all(r["attempts"] == 0 for r in rows if r["state"] == "superseded")
    assert {r["state"] for r in rows} <= {"graded", "superseded"}
    assert all(r["state"] == "graded" for r in rows if r["student"] != "busy")  # nobody else superseded
    # Round-robin, from the rows' own times: while a student's k-th submission (k from 0) waited in
    # the queue, the busy student was served at most k+1 times, however many they had queued. Waiting
    # counts from when the answer came back, not from received_at: the row is committed after that
    # stamp, and under load (CI) both workers could claim the busy student's in between.
    busy_starts = sorted(r["started_at"] for r in graded if r["student"] == "busy")
    for name in students:
        mine = sorted((r for r in rows if r["student"] == name), key=lambda r: r["received_at"])
        for k, row in enumerate(mine):
            served = sum(queued[row["id"]] < t < row["started_at"] for t in busy_starts)
            assert served <= k + 1, (name, k, served)


def _rows(data: Path) -> list[dict]:
    """The queue's rows as the site stored them (its SQLite database, read after it stopped)."""
    with sqlite3.connect(data / "site.sqlite3") as db:
        db.row_factory = sqlite3.Row
        return [dict(r) for r in db.execute(
            "SELECT s.id, u.username AS student, s.state, s.attempts, s.received_at, s.started_at "
            "FROM submissions_submission s JOIN auth_user u ON u.id = s.student_id")]


def test_many_open_connections_do_not_leave_the_next_student_unanswered(site_data):
    """Each student watching a submission keeps a connection open (the page polls); waitress's
    default limit of 100 left the next request waiting, unanswered, until one closed."""
    seed(site_data, exercises=["race-counter"], students=[])
    site = LiveSite(site_data)
    host, port = site.url.removeprefix("http://").split(":")
    idle = []
    try:
        for _ in range(150):
            conn = socket.create_connection((host, int(port)), timeout=10)
            conn.sendall(f"GET /people/sign-in/ HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
            assert conn.recv(12).startswith(b"HTTP/1.1 200")
            idle.append(conn)  # kept alive, as a browser keeps it
        assert requests.get(f"{site.url}/people/sign-in/", timeout=10).status_code == 200
    finally:
        for conn in idle:
            conn.close()
        site.stop()


@pytest.mark.slow  # ~5 s each: a site with two workers started, then stopped the hard way
@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL])
def test_no_worker_outlives_its_site(site_data, how):
    """`systemctl stop` (SIGTERM) stops the workers as Ctrl-C does; after a kill -9 of the site they
    notice their parent is gone and stop within a sweep, instead of grading on unsupervised."""
    seed(site_data, exercises=["race-counter"], students=[])
    site = LiveSite(site_data, "--workers", "2")
    try:
        for _ in range(100):  # until both have started (a bound, not a verdict)
            if len(site.workers()) == 2:
                break
            time.sleep(0.1)
        workers = site.workers()
        assert len(workers) == 2
        os.kill(site.proc.pid, how)
        site.proc.wait(timeout=30)
        for _ in range(600):  # a bound on the wait (a loaded CI machine), not a verdict
            if not [pid for pid in workers if Path(f"/proc/{pid}").exists() and not _zombie(pid)]:
                break
            time.sleep(0.1)
        assert not [pid for pid in workers if Path(f"/proc/{pid}").exists() and not _zombie(pid)]
    finally:
        site.stop()


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return False


@pytest.mark.slow  # ~15 s: two starts of the site and one grading
def test_grader_submit_waits_through_a_restart_of_the_site(site_data):
    tokens = seed(site_data, exercises=["race-counter"], students=["ann"])
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = str(probe.getsockname()[1])
    site = LiveSite(site_data, "--workers", "0", "--port", port)  # nobody grades yet
    name, content = file_of("race-counter", solved=True)
    (site_data / name).write_bytes(content)
    submit = subprocess.Popen([sys.executable, "-m", "grader.cli", "submit", str(site_data / name), "--server",
                               site.url, "--token", tokens["ann"]], stdout=subprocess.PIPE, text=True)
    try:
        assert submit.stdout is not None
        assert submit.stdout.readline().startswith("submission ")
        assert submit.stdout.readline().startswith("queued")
        site.stop()  # an upgrade, say
        time.sleep(2)
        site = LiveSite(site_data, "--port", port)
        output = submit.communicate(timeout=120)[0]
        assert submit.returncode == 0, output
        assert "not answering" in output and "graded: 10/10" in output
    finally:
        submit.kill()
        site.stop()
