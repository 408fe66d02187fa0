"""The judge's side of a preloaded process that forks on request: the fork server of the scenario
children (fork_client.py) and a lane's judge zygote (zygote_client.py).

Both are started on first use with one end of an AF_UNIX SOCK_SEQPACKET pair, spoken to in JSON
messages (descriptors passed alongside), and started again when they have died: a request that
gets no answer from a dead or hung process is tried once more on a fresh one, then fails as Popen
would, with OSError.
"""

from __future__ import annotations

import json
import os
import select
import socket
import subprocess
import time
from collections.abc import Callable

MAX_MESSAGE = 64 * 1024


class ForkingServerClient:
    what = "the forking server"  # as errors name it
    start_seconds = 30.0  # for its reply to a request: generous, a loaded machine is slow, never wrong

    def __init__(self) -> None:
        self._proc: subprocess.Popen | None = None
        self._sock: socket.socket | None = None

    def _popen(self, fd: int) -> subprocess.Popen:
        """Start the process with `fd`, its end of the pair, passed to it."""
        raise NotImplementedError

    def close(self) -> None:
        """Kill the process (in a sandbox: its whole namespace goes with it)."""
        if self._sock is not None:
            self._sock.close()
            self._sock = None
        if self._proc is not None:
            self._proc.kill()
            self._proc.wait()
            self._proc = None

    def forget(self) -> None:
        """In a forked copy of the process that started it: drop it without a word to it (its
        descriptor is about to be closed; the original keeps it)."""
        if self._sock is not None:
            self._sock.detach()
        self._sock = self._proc = None

    def _ensure_running(self) -> socket.socket:
        """The socket to a running process, started if it is not (or no more)."""
        if self._proc is not None and self._proc.poll() is None and self._sock is not None:
            return self._sock
        self.close()
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            self._proc = self._popen(theirs.fileno())
        except OSError:
            ours.close()
            raise
        finally:
            theirs.close()
        self._sock = ours
        return ours

    def _ask(self, send: Callable[[socket.socket], object], wanted: Callable[[dict], bool], fds: int = 0) -> dict:
        """Send a request with `send` and return the reply `wanted` accepts (with `fds`, the descriptors
        that came with it in its "_fds"). Raises OSError."""
        for _ in (1, 2):
            sock = self._ensure_running()
            try:
                send(sock)
                reply = self._receive(self.start_seconds, wanted, fds)
            except (OSError, ValueError):
                reply = None
            if reply is not None:
                return reply
            self.close()  # dead or hung: a fresh one gets the second try
        raise OSError(f"{self.what} does not answer")

    def _send(self, message: dict) -> None:
        if self._sock is None:
            return  # the process, and with it its namespace, is gone
        try:
            self._sock.send(json.dumps(message).encode())
        except OSError:
            self.close()  # one that cannot hear us is killed, and its sandbox with it

    def _receive(self, seconds: float, wanted: Callable[[dict], bool], fds: int = 0) -> dict | None:
        """The next message `wanted` accepts, within `seconds`; older notices (a child that was given
        up on) are skipped. None on time out; OSError when the process has gone."""
        deadline = time.monotonic() + max(seconds, 0)
        sock = self._sock
        if sock is None:
            raise OSError(f"{self.what} has gone")
        while True:
            ready, _, _ = select.select([sock], [], [], max(deadline - time.monotonic(), 0))
            if not ready:
                return None
            data, received, _, _ = socket.recv_fds(sock, MAX_MESSAGE, fds) if fds else (
                sock.recv(MAX_MESSAGE), [], 0, None)
            if not data:
                raise OSError(f"{self.what} has gone")
            reply = json.loads(data)
            if wanted(reply):
                return {**reply, "_fds": received} if fds else reply
            for fd in received:
                os.close(fd)

    def _exit_code(self, pid: int, seconds: float) -> int | None:
        """A forked process's exit code as the server tells it, None if not within `seconds`."""
        try:
            reply = self._receive(seconds, lambda r: r.get("exited") == pid)
        except (OSError, ValueError):
            self.close()
            return -9  # it died with the notice: the forked process counts as killed
        return None if reply is None else int(reply["code"])
