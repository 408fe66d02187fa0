"""Scenario children come from the fork server: each one must still be a clean, separate process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from grader.harness.judge import fork_client
from grader.harness.judge.child_runner import minimal_env
from grader.harness.judge.processes import exited_within

from .harness_helpers import run_program

OPEN_FDS = """
import os
def main():
    fds = os.listdir("/proc/self/fd")
    return {fd: os.readlink(f"/proc/self/fd/{fd}") for fd in fds if os.path.exists(f"/proc/self/fd/{fd}")}
"""


def test_a_child_holds_no_socket_and_only_its_own_pipes(tmp_path):
    """Above all not the server's socket: with it, student code could ask for more children."""
    outcome = run_program(tmp_path, OPEN_FDS)
    assert outcome.status == "ok", outcome.result
    targets = outcome.observations["value"]
    assert not [t for t in targets.values() if t.startswith("socket:")], targets
    assert targets["0"] == "/dev/null"
    # stdout and stderr (one pipe), the request pipe (open for further runs), result and fault pipes.
    assert len([t for t in targets.values() if t.startswith("pipe:")]) == 5, targets


def test_each_child_is_a_new_process_in_its_own_session(tmp_path):
    source = """
        import os
        def main():
            return [os.getpid(), os.getsid(0), os.getpgid(0), os.getcwd()]
    """
    first = run_program(tmp_path, source).observations["value"]
    second = run_program(tmp_path, source).observations["value"]
    assert first[0] != second[0]
    for pid, sid, pgid, cwd in (first, second):
        assert sid == pid == pgid  # its own session and group: killing the group kills only it
        assert os.path.basename(cwd).startswith("grader-child-")
    assert first[3] != second[3]  # a fresh working folder each time


def test_state_does_not_leak_from_one_child_to_the_next(tmp_path):
    source = """
        import sys
        def main():
            seen = getattr(sys, "left_by_an_earlier_child", False)
            sys.left_by_an_earlier_child = True
            return seen
    """
    assert run_program(tmp_path, source).observations["value"] is False
    assert run_program(tmp_path, source).observations["value"] is False


def test_exit_codes_come_back_as_popen_gives_them(tmp_path):
    outcome = run_program(tmp_path, """
        import os
        os._exit(3)
    """)
    assert (outcome.status, outcome.exit_code) == ("crash", 3)
    outcome = run_program(tmp_path, """
        import os, signal
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    assert (outcome.status, outcome.exit_code) == ("crash", -9)


def test_a_dead_fork_server_is_replaced(tmp_path):
    source = """
        def main():
            return 42
    """
    assert run_program(tmp_path, source).observations["value"] == 42
    forks = fork_client.server(minimal_env())
    forks._proc.send_signal(signal.SIGKILL)
    forks._proc.wait()
    assert run_program(tmp_path, source).observations["value"] == 42


def test_the_server_leaves_when_the_judge_closes_its_end():
    forks = fork_client.ForkServer(minimal_env())
    forks._ensure_running()
    proc = forks._proc
    forks._sock.close()
    forks._sock = None
    assert proc.wait(timeout=30) == 0
    forks._proc = None


def test_exited_within_sees_the_exit_and_the_timeout():
    quick = subprocess.Popen([sys.executable, "-c", "raise SystemExit(4)"])
    assert exited_within(quick, 30)
    assert quick.returncode == 4
    slow = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    assert not exited_within(slow, 0.05)
    slow.kill()
    assert exited_within(slow, 30)
    assert slow.returncode == -signal.SIGKILL


def test_student_code_may_use_the_spawn_start_method(tmp_path):
    """A spawned process re-imports the parent's __main__ (now the fork server, before the
    bootstrap), and multiprocessing's resource tracker asks the instrumented RLock its depth."""
    outcome = run_program(tmp_path, """
        import multiprocessing

        def square(x):
            return x * x

        def main():
            with multiprocessing.get_context("spawn").Pool(2) as pool:
                return pool.map(square, [1, 2, 3])
    """, backstop=60)
    assert outcome.status == "ok", (outcome.result, outcome.output)
    assert outcome.observations["value"] == [1, 4, 9]
