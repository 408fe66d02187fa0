"""The local sandbox with bubblewrap: student code sees no hidden test, no network, no host /tmp,
no host process; correct code still gets full marks; without bwrap it grades as before, and says so.

Tests that need bwrap take the `bwrap` fixture: skipped without a usable one, saying why, and
failed instead with GRADER_REQUIRE_BWRAP=1 (CI).
"""

from __future__ import annotations

import json
import os
import resource
import socket
import sys
import tempfile
from pathlib import Path

import pytest

from grader.harness.judge import fork_client
from grader.harness.judge.child_runner import minimal_env
from grader.harness.judge.isolation import ChildSandbox
from grader.harness.judge.launch import LIMITS
from grader.host.grading import grade_submission
from grader.host.messages import text
from grader.host.packs import load_all
from grader.host.sandboxes import local

from .conftest import ROOT
from .harness_helpers import run_program

PROBE = Path(__file__).resolve().with_name("isolation_probe.py")
EXERCISE = ROOT / "exercises" / "race-counter"
HIDDEN_SOURCES = [p.read_text(encoding="utf-8") for p in (EXERCISE / "tests").glob("*.py")]
SOLUTIONS = ROOT / "solutions"


def grade(tmp_path: Path, files: dict[str, bytes], exercises: list[str] | None = None):
    sub = tmp_path / "sub"
    sub.mkdir()
    for name, content in files.items():
        (sub / name).write_bytes(content)
    result = grade_submission(submission=sub, student="s", out_dir=tmp_path / "out", sandbox="local",
                              exercises=exercises)
    folder = tmp_path / "out" / "s"
    return result, {name: (folder / name).read_text(encoding="utf-8") for name in ("report.json", "report.html")}


def assert_no_hidden_source(reports: dict[str, str]) -> None:
    for data in reports.values():
        for source in HIDDEN_SOURCES:
            assert not any(len(line) > 25 and line in data for line in source.splitlines()), \
                "hidden test source reached the report"


def solutions() -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in SOLUTIONS.glob("*/*.py")}


def assert_full_marks(result) -> None:
    assert result.score == result.max_score, [
        (e.exercise, c.name, c.status, c.message) for e in result.exercises for c in e.checks if c.status != "passed"]


# ----------------------------------------------------------------- with bwrap
def test_student_code_sees_no_hidden_test_no_network_no_host_tmp_no_host_process(tmp_path, bwrap):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0)
    marker = tempfile.NamedTemporaryFile(prefix="grader-host-only-", dir="/tmp")
    config = {"tests_dir": str(EXERCISE / "tests"), "port": listener.getsockname()[1], "tmp_marker": marker.name}
    probe = f"CONFIG = {json.dumps(config)}\n".encode() + PROBE.read_bytes()
    try:
        result, reports = grade(tmp_path, {"race_counter.py": probe}, ["race-counter"])
        try:
            listener.accept()
            reached = True
        except BlockingIOError:
            reached = False
    finally:
        listener.close()
        marker.close()

    assert_no_hidden_source(reports)
    (exercise,) = result.exercises
    assert exercise.status == "error"  # the probe stops at import, on purpose, to show what it saw
    seen = json.loads(exercise.details["output"].split("OBSERVED ", 1)[1].splitlines()[0])
    assert seen["leaked"] == 0, seen["leaked_paths"]
    assert seen["network"] != "connected" and not reached
    assert not seen["tmp_marker_visible"]
    # Of the host's /tmp only the way to the judge's folder, and to the harness and the venv when
    # the checkout itself sits in /tmp (a fresh clone in CI): nothing the host put there.
    lent = {part for path in (ROOT, Path(sys.prefix)) if path.parts[:2] == ("/", "tmp")
            for part in path.parts[2:3]}
    judge = [name for name in seen["tmp"] if name not in lent]
    assert len(judge) == 1 and judge[0].startswith("grader-local-"), seen["tmp"]
    assert seen["work"] == ["scratch", "submission"], seen["work"]
    # Its own PID namespace: the fork server as its init (1), and the scenario's child.
    assert seen["ppid"] == 1 and set(seen["proc_pids"]) == {1, seen["pid"]}, seen
    # The judge's rlimits, as without the sandbox.
    time_limit = load_all(ROOT / "exercises")[1].spec.time_limit
    want = {**{name: LIMITS[getattr(resource, name)] for name in ("RLIMIT_AS", "RLIMIT_FSIZE", "RLIMIT_NOFILE",
                                                                  "RLIMIT_CORE")},
            "RLIMIT_CPU": int(time_limit * 2) + 5}
    assert seen["rlimits"] == want
    assert result.sandbox == "local" and result.sandbox_note == text("local_bwrap_sandbox_note", "en")


@pytest.mark.slow  # every solution graded again: ~25 s (test_samples grades them in bubblewrap where it is usable)
def test_reference_solutions_get_full_marks_in_bubblewrap(tmp_path, bwrap):
    result, reports = grade(tmp_path, solutions())
    assert_full_marks(result)
    assert result.sandbox_note == text("local_bwrap_sandbox_note", "en")
    assert "isolated with bubblewrap" in reports["report.html"]


@pytest.fixture
def sandboxed_server(tmp_path, monkeypatch, bwrap):
    """This process's fork server inside bwrap, as a judge's is in the local sandbox; the folder
    that the sandbox lends read-only (where run_program's student file goes)."""
    student = tmp_path / "student"
    student.mkdir()
    sandbox = ChildSandbox(bwrap=bwrap, student_dir=str(student), scratch=str(tmp_path / "scratch"))
    sandbox.prepare()
    server = fork_client.ForkServer(minimal_env(), sandbox)
    monkeypatch.setattr(fork_client, "_SERVER", server)
    yield student
    server.close()


DAEMON = """
import os, time
def main():
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            time.sleep(60)
        os._exit(0)
    os.wait()
    time.sleep(0.2)
    return [os.getpid(), sorted(int(p) for p in os.listdir("/proc") if p.isdigit())]
"""
PIDS = """
import os
def main():
    return sorted(int(p) for p in os.listdir("/proc") if p.isdigit())
"""


def test_a_kill_ends_every_process_the_student_left_in_the_sandbox(sandboxed_server):
    outcome = run_program(sandboxed_server, DAEMON)
    assert outcome.status == "ok", outcome.result
    pid, pids = outcome.observations["value"]
    assert outcome.pid == pid  # the server's pids and the child's own are the same namespace's
    assert len(pids) == 3, pids  # the server (init), the child, and its daemon in a session of its own
    after = run_program(sandboxed_server, PIDS)
    assert after.observations["value"] == [1, after.pid]  # the daemon is gone, and reaped


def test_student_code_can_neither_kill_nor_trace_the_server(sandboxed_server):
    source = """
        import os, signal
        def main():
            seen = {}
            for what in ("environ", "mem", "fd/0"):
                try:
                    with open(f"/proc/1/{what}", "rb") as fh:
                        seen[what] = fh.read(1) is not None
                except OSError as exc:
                    seen[what] = type(exc).__name__
            for pid, sig in ((-1, signal.SIGKILL), (1, signal.SIGKILL), (1, signal.SIGINT), (1, signal.SIGTERM)):
                try:  # everything it may signal, then the server by name, with what Python may handle
                    os.kill(pid, sig)
                except ProcessLookupError:  # -1: nothing else lives here
                    pass
            return seen
    """
    first = run_program(sandboxed_server, source)
    assert first.status == "ok" and set(first.observations["value"].values()) == {"PermissionError"}, first.result
    after = run_program(sandboxed_server, PIDS)
    assert after.status == "ok" and after.observations["value"] == [1, after.pid]
    assert after.pid > first.pid  # the same server: a new namespace would start again at 2


def test_a_timed_out_child_is_killed_through_the_server(sandboxed_server):
    source = """
        import time
        def main():
            while True:
                time.sleep(0.01)
    """
    outcome = run_program(sandboxed_server, source, backstop=0.5)
    assert outcome.status == "timeout"
    after = run_program(sandboxed_server, PIDS)
    assert after.observations["value"] == [1, after.pid]


# ----------------------------------------------------------------- without bwrap
@pytest.fixture
def fresh_probe():
    local.usable_bwrap.cache_clear()
    yield
    local.usable_bwrap.cache_clear()


def grade_race_counter_solution(tmp_path: Path):
    solution = (SOLUTIONS / "race-counter" / "race_counter.py").read_bytes()
    return grade(tmp_path, {"race_counter.py": solution}, ["race-counter"])


def test_without_bwrap_the_local_sandbox_grades_as_before_and_warns(tmp_path, monkeypatch, fresh_probe):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    result, reports = grade_race_counter_solution(tmp_path)
    assert_full_marks(result)
    assert result.sandbox_note == text("local_sandbox_note", "en") and "not isolation" in result.sandbox_note
    assert "not isolation" in reports["report.html"]


def test_a_bwrap_that_does_not_work_is_tried_once_and_left_aside(tmp_path, monkeypatch, fresh_probe):
    fake = tmp_path / "bin" / "bwrap"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\necho 'bwrap: No permissions to create new namespace' >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}{os.environ['PATH']}")
    result, _ = grade_race_counter_solution(tmp_path)
    assert_full_marks(result)
    assert result.sandbox_note == text("local_sandbox_note", "en")


def test_bwrap_is_not_used_where_a_read_only_folder_would_show_the_pack(tmp_path, monkeypatch, bwrap):
    monkeypatch.setattr(ChildSandbox, "read_only_folders", lambda self: ["/usr", str(ROOT)])
    assert local.child_sandbox(tmp_path, EXERCISE) is None
    monkeypatch.setattr(ChildSandbox, "read_only_folders", lambda self: ["/usr"])
    assert local.child_sandbox(tmp_path, EXERCISE) is not None


def test_the_sandbox_lends_nothing_of_the_checkout_but_the_harness():
    command = ChildSandbox(bwrap="bwrap", student_dir="/tmp/x/submission", scratch="/tmp/x/scratch").command(["python"])
    mounted = [command[i + 1] for i, arg in enumerate(command) if arg in ("--bind", "--ro-bind", "--ro-bind-try")]
    assert not [m for m in mounted if str(ROOT) == m or str(ROOT).startswith(m.rstrip("/") + "/")]
    inside = [os.path.relpath(m, ROOT) for m in mounted if m.startswith(str(ROOT) + "/")]
    assert sorted(m for m in inside if m.startswith("grader")) == ["grader/__init__.py", "grader/harness",
                                                                 "grader/pipes.py"]
    assert not [m for m in inside if m.split("/")[0] in ("exercises", "solutions", "tests")]
