"""The backstop's clock (grader/harness/judge/scenario_clock.py): real time while the run is
blocked, the CPU it received while it is runnable, nothing while it is stopped; so a run that waits
for a core behind other judges is not ended for it. Real processes; the clock's own notion of "now"
is the test's, so each advance is exact."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from grader import procfs
from grader.harness.judge import fork_client
from grader.harness.judge.scenario_clock import ScenarioClock

from .harness_helpers import run_program

pytestmark = pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="Linux's /proc is needed")


class Now:
    def __init__(self):
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def _state(pid: int) -> str:
    stat = procfs.stat_fields(f"/proc/{pid}/stat")
    return stat[0] if stat else "gone"


def _until(condition, what: str, limit: float = 30.0) -> None:
    deadline = time.monotonic() + limit  # a bound on a wait, not a verdict
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.02)


@pytest.fixture
def tree():
    """A shell (the run's child) with one process below it, which the test chooses."""
    started: list[subprocess.Popen] = []

    def start(below: str) -> tuple[int, int]:
        shell = subprocess.Popen(["sh", "-c", f"{below} & wait"], start_new_session=True)
        started.append(shell)
        _until(lambda: procfs.descendants(shell.pid), "the process below the shell started")
        return shell.pid, procfs.descendants(shell.pid)[0]
    yield start
    for shell in started:
        os.killpg(shell.pid, signal.SIGKILL)
        shell.wait()


def test_while_every_process_is_asleep_the_clock_is_real_time(tree):
    shell, sleeper = tree("sleep 60")
    # Both asleep first: a process just started may still be runnable, waiting for a core (and then,
    # rightly, the clock does not move for it).
    _until(lambda: _state(shell) == "S" and _state(sleeper) == "S", "both asleep")
    now = Now()
    clock = ScenarioClock(shell, now=now)
    for _ in range(3):
        now.t += 1.5
        clock.advance()
    assert clock.elapsed == 4.5


def test_while_the_run_is_stopped_the_clock_stands_still(tree):
    shell, busy = tree(f"{sys.executable} -c 'while True: pass'")
    os.kill(shell, signal.SIGSTOP)
    os.kill(busy, signal.SIGSTOP)
    _until(lambda: _state(busy) == "T" and _state(shell) == "T", "both stopped")
    now = Now()
    clock = ScenarioClock(shell, now=now)
    now.t += 100.0
    assert clock.advance() == 0.0


def test_while_a_process_is_runnable_the_clock_counts_the_cpu_it_received_never_more_than_real_time(tree):
    shell, busy = tree(f"{sys.executable} -c 'while True: pass'")
    _until(lambda: _state(busy) == "R", "the loop is running")
    now = Now()
    clock = ScenarioClock(shell, now=now)
    used_before = procfs.cpu_seconds(busy)
    _until(lambda: procfs.cpu_seconds(busy) - used_before >= 0.2, "the loop got some CPU")
    now.t += 1000.0  # the test's "now": far more than the loop can have used meanwhile
    elapsed = clock.advance()
    assert 0.2 <= elapsed <= procfs.cpu_seconds(busy) - used_before + 0.02 < 1000.0


def test_without_proc_it_is_a_real_time_clock(monkeypatch):
    monkeypatch.setenv("GRADER_PORTABLE", "1")
    now = Now()
    clock = ScenarioClock(os.getpid(), now=now)
    now.t += 2.0
    assert clock.advance() == 2.0


STOPS_ITSELF = """
import os, signal

def main():
    total = sum(range(1000))
    os.kill(os.getpid(), signal.SIGSTOP)  # the test continues it, past the backstop in real time
    return total
"""


def test_a_run_held_off_the_cpu_past_its_backstop_is_not_a_timeout(tmp_path):
    """What a loaded machine does to a run, made certain: the child is stopped for three times its
    backstop (real time), then continued. Its result is its own, not a timeout."""
    server = fork_client.server(fork_client_env())
    continued = threading.Event()

    def continue_it():
        def stopped():
            return [p for p in procfs.descendants(server.root_pid) if _state(p) == "T"]
        _until(lambda: server.root_pid is not None and stopped(), "the child stopped itself")
        time.sleep(3.0)  # three backstops of real time
        for pid in stopped():
            os.kill(pid, signal.SIGCONT)
        continued.set()
    helper = threading.Thread(target=continue_it)
    helper.start()
    outcome = run_program(tmp_path, STOPS_ITSELF, backstop=1.0)
    helper.join()
    assert continued.is_set()
    assert outcome.status == "ok", (outcome.status, outcome.fault_dump[:500])
    assert outcome.observations["value"] == sum(range(1000))


def fork_client_env() -> dict:
    from grader.harness.judge.child_runner import minimal_env

    return minimal_env()
