"""What goes into the container: the judge's side is root-only, the student's file readable (pure)."""

from __future__ import annotations

import io
import json
import tarfile

from grader.host.config import DockerSettings
from grader.host.packs import load_all
from grader.host.sandboxes.base import JudgeJob
from grader.host.sandboxes.container import DockerSandbox, inputs_archive

from .conftest import ROOT


def test_hidden_tests_are_root_only_and_the_submission_is_readable():
    exercises = load_all(ROOT / "exercises")
    data = inputs_archive([JudgeJob(ex, b"x = 1\n") for ex in exercises])
    members = {m.name: m for m in tarfile.open(fileobj=io.BytesIO(data)).getmembers()}
    judge = [m for name, m in members.items() if name.startswith("judge")]
    assert judge and all(m.uid == 0 and m.mode & 0o077 == 0 for m in judge)
    tests = [name for name in members if "/tests/" in name and name.endswith(".py")]
    assert {f"judge/exercises/{ex.slug}/tests/scenarios.py" for ex in exercises} <= set(tests)
    for ex in exercises:
        student = members[f"submission/{ex.slug}/{ex.student_file}"]
        assert student.mode == 0o644
    plan = json.loads(tarfile.open(fileobj=io.BytesIO(data)).extractfile("judge/plan.json").read())
    assert [job["slug"] for job in plan["jobs"]] == [ex.slug for ex in exercises]
    assert plan["students"] == [{"uid": 10001, "gid": 10001, "scratch": "/lanes/1"}]  # one lane unless asked


def test_each_lane_gets_its_own_student_user_and_never_more_lanes_than_exercises():
    exercises = load_all(ROOT / "exercises")
    jobs = [JudgeJob(ex, b"x = 1\n") for ex in exercises]

    def students(jobs, lanes):
        data = inputs_archive(jobs, lanes=lanes)
        return json.loads(tarfile.open(fileobj=io.BytesIO(data)).extractfile("judge/plan.json").read())["students"]

    assert [s["uid"] for s in students(jobs, 2)] == [10001, 10002]
    assert [s["uid"] for s in students(jobs[:1], 2)] == [10001]
    assert [s["uid"] for s in students(jobs, 9)] == [10001, 10002, 10003, 10004]  # the image has four
    assert all(s["uid"] == s["gid"] != 0 for s in students(jobs, 4))
    assert [s["scratch"] for s in students(jobs, 2)] == ["/lanes/1", "/lanes/2"]
    tmpfs = DockerSandbox(DockerSettings()).container_options()["tmpfs"]
    assert {"/tmp", "/lanes/1", "/lanes/2"} <= set(tmpfs) and "mode=0711" in tmpfs["/lanes/2"]


def test_container_is_locked_down_by_default():
    options = DockerSandbox(DockerSettings()).container_options()
    assert options["network_mode"] == "none" and options["read_only"] is True
    assert options["mem_limit"] == options["memswap_limit"]
    assert options["cap_drop"] == ["ALL"] and set(options["cap_add"]) == {"SETUID", "SETGID", "KILL"}
    assert "no-new-privileges" in options["security_opt"] and options["init"] is True
    assert {u["Name"] for u in options["ulimits"]} == {"nofile", "fsize", "core"}
