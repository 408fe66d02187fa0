"""Waiting for a child process to exit (with a deadline, without polling), and ending its group.

`Popen.wait(timeout=...)` polls with sleeps that grow to 50 ms, so a child that lives 45 ms is
noticed up to 30 ms late, and the judge starts about twenty children per student. A pidfd becomes
readable the moment the process exits (Linux 5.3+); elsewhere we fall back to Popen's polling.
"""

from __future__ import annotations

import os
import select
import signal
import subprocess


def exited_within(proc: subprocess.Popen, seconds: float) -> bool:
    """True once `proc` has exited (and is reaped); False if it still runs after `seconds`."""
    try:
        if os.environ.get("GRADER_PORTABLE"):
            raise AttributeError("as if on macOS")
        pidfd = os.pidfd_open(proc.pid)
    except (AttributeError, OSError):  # no pidfd here, or the child is already reaped
        return _polling_wait(proc, seconds)
    try:
        ready, _, _ = select.select([pidfd], [], [], max(seconds, 0))
    finally:
        os.close(pidfd)
    if not ready:
        return proc.poll() is not None
    proc.wait()
    return True


def _polling_wait(proc: subprocess.Popen, seconds: float) -> bool:
    try:
        proc.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        return False
    return True


def kill_group(pgid: int) -> None:
    """SIGKILL a child's whole process group: whatever it started goes with it."""
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
