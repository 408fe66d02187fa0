"""The site as it runs: `grader serve` as a process, a worker killed mid-grading, a restart with
work queued, and a burst of submissions through the API. Real processes, real grading (local
sandbox), the queue's rows as the source of truth."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from .conftest import file_of
from .live import LiveSite, seed

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


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
    slow = ("relay.py", (SAMPLES / "process-queue" / "joins_reader_before_draining.py").read_bytes())
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


@pytest.mark.slow  # ~40 s: 30 real gradings
def test_a_burst_each_graded_once_no_server_error_and_one_busy_student_does_not_delay_the_others(site_data):
    students = [f"s{i:02}" for i in range(10)]
    tokens = seed(site_data, exercises=["race-counter", "queue-drain"], students=[*students, "busy"],
                  course={"rate_burst": 100, "rate_refill_minutes": 1})
    site = LiveSite(site_data, "--workers", "2")
    try:
        # The busy student first: ten submissions, alternating exercises (so not all superseded).
        mine = [site.submit(tokens["busy"], ("race-counter", "queue-drain")[i % 2],
                            [file_of(("race-counter", "queue-drain")[i % 2])]) for i in range(10)]
        theirs = [site.submit(tokens[s], slug, [file_of(slug, solved=True)])
                  for s in students for slug in ("race-counter", "queue-drain")]
        assert all(r.status_code == 201 for r in mine + theirs), [r.text for r in mine + theirs if r.status_code != 201]
        finals = {}
        for name, response in [("busy", r) for r in mine] + [(s, r) for s, r in zip(
                [s for s in students for _ in range(2)], theirs)]:
            finals[response.json()["id"]] = site.wait_for(tokens[name], response.json()["id"],
                                                          {"graded", "not_graded", "superseded"})
        assert all(f["state"] in ("graded", "superseded") for f in finals.values())
        assert all(f["attempts"] == 1 for f in finals.values() if f["state"] == "graded")
        assert all(f["attempts"] == 0 for f in finals.values() if f["state"] == "superseded")
        others = [finals[r.json()["id"]] for r in theirs]
        assert all(f["score"] == f["max_score"] for f in others)
        assert not [line for line in site.lines if '" 500 ' in line or "Traceback" in line]
    finally:
        site.stop()
