"""The judge's side of the fork server (grader/harness/child/fork_server.py).

One server per judge process, started at the first scenario and kept for the rest of the session;
it is in the judge's process group, so it dies with the judge. Children are handed out one at a
time (the judge runs its scenarios in sequence): `spawn` returns a `ForkedChild`, whose `wait`
reads the server's exit notice. If the server has died (or was never able to start), the next
spawn starts a new one; if that fails too, the caller gets an OSError, as from Popen.

With a `ChildSandbox` (isolation.py: the local sandbox where bubblewrap works) the server runs
inside bwrap, with nothing of the judge's on its standard streams (the sandbox could read the
judge's log through /proc), and its pids are the sandbox's: `ForkedChild.kill` asks the server.
Without one (the container, or no bwrap) the server runs as the judge's child and the judge kills
a child's process group itself. If the sandboxed server dies, its namespace and every process in
it die with it; so does the sandbox when the judge dies (bwrap's --die-with-parent: strictly, the
thread that started it, which in the judge is pytest's main thread).
"""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from .isolation import ChildSandbox
from .processes import kill_group

SERVER = Path(__file__).resolve().parent.parent / "child" / "fork_server.py"
MAX_MESSAGE = 64 * 1024
START_SECONDS = 30.0  # for the server's first reply; generous: a loaded machine is slow, never wrong


class ForkedChild:
    """A scenario child forked by the server: the judge waits on the server's notice, not on waitpid."""

    def __init__(self, server: ForkServer, pid: int):
        self.server = server
        self.pid = pid
        self.returncode: int | None = None

    def exited_within(self, seconds: float) -> bool:
        if self.returncode is None:
            self.returncode = self.server._exit_code(self.pid, seconds)
        return self.returncode is not None

    def ask_for_stacks(self) -> None:
        """SIGUSR2: the child's faulthandler writes every thread's stack to its fault pipe."""
        if self.server.sandbox is None:
            try:
                os.kill(self.pid, signal.SIGUSR2)
            except ProcessLookupError:
                pass
        else:
            self.server._send({"stacks": self.pid})

    def kill(self) -> None:
        """SIGKILL the child's process group (sandboxed: every process in the sandbox but the server)."""
        if self.server.sandbox is None:
            kill_group(self.pid)
        else:
            self.server._send_kill(self.pid)

    def wait(self) -> int:
        """After the group was killed: the notice comes at once (or the server is gone: -9)."""
        code = self.returncode
        while code is None:
            self.exited_within(START_SECONDS)
            code = self.returncode
        return code


class ForkServer:
    def __init__(self, env: dict, sandbox: ChildSandbox | None = None):
        self.env = env
        self.sandbox = sandbox
        self.lock = threading.Lock()  # one child at a time, start to exit
        self._proc: subprocess.Popen | None = None
        self._sock: socket.socket | None = None

    def spawn(self, *, fds: tuple[int, int, int, int], cwd: str, uid: int | None = None,
              gid: int | None = None) -> ForkedChild:
        """Fork one child with (request, result, fault, output) descriptors. Raises OSError."""
        message = json.dumps({"cwd": cwd, "uid": uid, "gid": gid}).encode()
        for attempt in (1, 2):
            sock = self._ensure_running()
            try:
                socket.send_fds(sock, [message], list(fds))
                reply = self._receive(START_SECONDS, lambda r: "started" in r or "error" in r)
            except (OSError, ValueError):
                reply = None
            if reply is None:  # dead or hung server: a fresh one gets the second try
                self.close()
                if attempt == 2:
                    raise OSError("the fork server does not answer")
                continue
            if "started" in reply:
                return ForkedChild(self, int(reply["started"]))
            raise OSError(reply.get("error", "the fork server refused"))
        raise AssertionError("unreachable")

    def listen_loopback(self) -> socket.socket:
        """A TCP socket listening on 127.0.0.1 where the children are: in the sandbox's network
        namespace (its own loopback) or, without one, the judge's. The server makes it and keeps no
        copy, so no child inherits it. Raises OSError."""
        with self.lock:  # no child starts meanwhile
            for attempt in (1, 2):
                sock = self._ensure_running()
                try:
                    sock.send(b'{"listen": "loopback"}')
                    reply = self._receive(START_SECONDS, lambda r: "listening" in r or "error" in r, fds=1)
                except (OSError, ValueError):
                    reply = None
                if reply is None:
                    self.close()
                    if attempt == 2:
                        raise OSError("the fork server does not answer")
                    continue
                fds = reply.pop("_fds", [])
                if "listening" in reply and len(fds) == 1:
                    return socket.socket(fileno=fds[0])
                for fd in fds:
                    os.close(fd)
                raise OSError(reply.get("error", "the fork server sent no listening socket"))
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
        """The socket to a running server, started if it is not (or no more)."""
        if self._proc is not None and self._proc.poll() is None and self._sock is not None:
            return self._sock
        self.close()
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        # -s -P and an environment of our own make it as isolated as -I, which would also
        # ignore PYTHONHASHSEED: a fixed hash seed keeps set and dict orders the same on every run.
        command = [sys.executable, "-s", "-P", "-X", "utf8", str(SERVER), str(theirs.fileno())]
        streams: dict[str, Any] = {}
        if self.sandbox is not None:
            command = self.sandbox.command([*command, "--sandboxed"])
            streams = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
        try:
            self._proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, env=self.env,
                                          pass_fds=(theirs.fileno(),), close_fds=True, **streams)
        except OSError:
            ours.close()
            raise
        finally:
            theirs.close()
        self._sock = ours
        return ours

    @property
    def root_pid(self) -> int | None:
        """The server's process (in a sandbox, bwrap's): every child is below it."""
        return self._proc.pid if self._proc is not None else None

    def _send_kill(self, pid: int) -> None:
        self._send({"kill": pid})

    def _send(self, message: dict) -> None:
        if self._sock is None:
            return  # the server, and with it its namespace, is gone
        try:
            self._sock.send(json.dumps(message).encode())
        except OSError:
            self.close()  # a server that cannot hear us is killed, and its sandbox with it

    def _receive(self, seconds: float, wanted, fds: int = 0) -> dict | None:
        """The next message `wanted` accepts, within `seconds`; older notices (a child that was
        given up on) are skipped. With `fds`, descriptors that came with it are in its "_fds". None
        on time out; OSError when the server has gone."""
        deadline = time.monotonic() + max(seconds, 0)
        sock = self._sock
        if sock is None:
            raise OSError("the fork server has gone")
        while True:
            ready, _, _ = select.select([sock], [], [], max(deadline - time.monotonic(), 0))
            if not ready:
                return None
            data, received, _, _ = socket.recv_fds(sock, MAX_MESSAGE, fds) if fds else (
                sock.recv(MAX_MESSAGE), [], 0, None)
            if not data:
                raise OSError("the fork server has gone")
            reply = json.loads(data)
            if wanted(reply):
                return {**reply, "_fds": received} if fds else reply
            for fd in received:
                os.close(fd)

    def _exit_code(self, pid: int, seconds: float) -> int | None:
        try:
            reply = self._receive(seconds, lambda r: r.get("exited") == pid)
        except (OSError, ValueError):
            self.close()
            return -9  # the server died with its child's notice: treat the child as killed
        return None if reply is None else int(reply["code"])


_SERVER: ForkServer | None = None
_SERVER_LOCK = threading.Lock()


def server(env: dict) -> ForkServer:
    """The judge process's fork server (one per process), in the sandbox the environment names."""
    global _SERVER
    with _SERVER_LOCK:
        if _SERVER is None:
            _SERVER = ForkServer(env, ChildSandbox.from_env())
        return _SERVER
