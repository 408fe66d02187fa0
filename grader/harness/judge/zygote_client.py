"""The entry's side of a judge zygote (grader/harness/judge/zygote.py): one per lane.

The zygote is started at the lane's first exercise and kept for the rest of the container's run;
each `start` forks one judge from it. If the zygote has died (or could not start), the next start
starts a new one; if that fails too, the caller gets an OSError, as from Popen.
"""

from __future__ import annotations

import json
import select
import socket
import subprocess
import sys
import time

from .launch import HARNESS_ROOT, judge_env

MAX_MESSAGE = 64 * 1024
START_SECONDS = 60.0  # for the zygote's reply to a start: its imports come first; generous, never wrong
EXIT_NOTICE_SECONDS = 30.0  # after its group was killed, a judge's exit notice comes at once


class ZygoteJudge:
    """A judge forked by the zygote: its exit is told by the zygote, which reaps it."""

    def __init__(self, zygote: JudgeZygote, pid: int):
        self.zygote = zygote
        self.pid = pid
        self.returncode: int | None = None

    def exited_within(self, seconds: float) -> bool:
        if self.returncode is None:
            self.returncode = self.zygote._exit_code(self.pid, seconds)
        return self.returncode is not None

    def wait(self) -> int:
        """After the group was killed. A zygote that has gone, or says nothing, counts it as killed."""
        if not self.exited_within(EXIT_NOTICE_SECONDS):
            self.zygote.close()
            self.returncode = -9
        assert self.returncode is not None
        return self.returncode


class JudgeZygote:
    def __init__(self):
        self._proc: subprocess.Popen | None = None
        self._sock: socket.socket | None = None

    def start(self, *, argv: list[str], cwd: str, env: dict, cpu_seconds: int, log_fd: int) -> ZygoteJudge:
        """Fork one judge running `pytest *argv` with its output on `log_fd`. Raises OSError."""
        message = json.dumps({"argv": argv, "cwd": cwd, "env": env, "cpu_seconds": cpu_seconds}).encode()
        for attempt in (1, 2):
            sock = self._ensure_running()
            try:
                socket.send_fds(sock, [message], [log_fd])
                reply = self._receive(START_SECONDS, lambda r: "started" in r or "error" in r)
            except (OSError, ValueError):
                reply = None
            if reply is None:  # dead or hung zygote: a fresh one gets the second try
                self.close()
                if attempt == 2:
                    raise OSError("the judge zygote does not answer")
                continue
            if "started" in reply:
                return ZygoteJudge(self, int(reply["started"]))
            raise OSError(reply.get("error", "the judge zygote refused"))
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None
        if self._proc is not None:
            self._proc.kill()
            self._proc.wait()
            self._proc = None

    # ----------------------------------------------------------------- internals
    def _ensure_running(self) -> socket.socket:
        if self._proc is not None and self._proc.poll() is None and self._sock is not None:
            return self._sock
        self.close()
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            self._proc = subprocess.Popen(
                [sys.executable, "-B", "-m", "grader.harness.judge.zygote", str(theirs.fileno())],
                stdin=subprocess.DEVNULL, env=judge_env(), cwd=str(HARNESS_ROOT),
                pass_fds=(theirs.fileno(),), close_fds=True)
        except OSError:
            ours.close()
            raise
        finally:
            theirs.close()
        self._sock = ours
        return ours

    def _receive(self, seconds: float, wanted) -> dict | None:
        """The next message `wanted` accepts within `seconds` (older notices are skipped); None on
        time out; OSError when the zygote has gone."""
        deadline = time.monotonic() + max(seconds, 0)
        sock = self._sock
        if sock is None:
            raise OSError("the judge zygote has gone")
        while True:
            ready, _, _ = select.select([sock], [], [], max(deadline - time.monotonic(), 0))
            if not ready:
                return None
            data = sock.recv(MAX_MESSAGE)
            if not data:
                raise OSError("the judge zygote has gone")
            reply = json.loads(data)
            if wanted(reply):
                return reply

    def _exit_code(self, pid: int, seconds: float) -> int | None:
        try:
            reply = self._receive(seconds, lambda r: r.get("exited") == pid)
        except (OSError, ValueError):
            self.close()
            return -9  # the zygote died with its judge's notice: treat the judge as killed
        return None if reply is None else int(reply["code"])
