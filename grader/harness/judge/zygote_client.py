"""The entry's side of a judge zygote (grader/harness/judge/zygote.py): one per lane.

The zygote is started at the lane's first exercise and kept for the rest of the container's run;
each `start` forks one judge from it. If the zygote has died (or could not start), the next start
starts a new one; if that fails too, the caller gets an OSError, as from Popen.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys

from .forking_client import ForkingServerClient
from .launch import HARNESS_ROOT, judge_env

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


class JudgeZygote(ForkingServerClient):
    what = "the judge zygote"
    start_seconds = START_SECONDS

    def start(self, *, argv: list[str], cwd: str, env: dict, cpu_seconds: int, log_fd: int) -> ZygoteJudge:
        """Fork one judge running `pytest *argv` with its output on `log_fd`. Raises OSError."""
        message = json.dumps({"argv": argv, "cwd": cwd, "env": env, "cpu_seconds": cpu_seconds}).encode()
        reply = self._ask(lambda sock: socket.send_fds(sock, [message], [log_fd]),
                          lambda r: "started" in r or "error" in r)
        if "started" in reply:
            return ZygoteJudge(self, int(reply["started"]))
        raise OSError(reply.get("error", "the judge zygote refused"))

    def _popen(self, fd: int) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-B", "-m", "grader.harness.judge.zygote", str(fd)],
                                stdin=subprocess.DEVNULL, env=judge_env(), cwd=str(HARNESS_ROOT), pass_fds=(fd,),
                                close_fds=True)
