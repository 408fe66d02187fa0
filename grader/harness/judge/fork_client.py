"""The judge's side of the fork server (grader/harness/child/fork_server.py).

One server per judge process, started at the first scenario and kept for the rest of the session;
it is in the judge's process group, so it dies with the judge. A judge forked by a zygote (the
container) instead starts with a server already running, forked for it from the zygote's template
(`adopt`): not its child, it leaves when the judge's end of its socket closes, as the judge dies.
Children are handed out one at a time (the judge runs its scenarios in sequence): `spawn` returns
a `ForkedChild`, whose `wait` reads the server's exit notice. If the server has died (or was never
able to start), the next spawn starts a new one; if that fails too, the caller gets an OSError, as
from Popen.

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
from pathlib import Path
from typing import Any

from .forking_client import ForkingServerClient
from .isolation import ChildSandbox
from .processes import kill_group

SERVER = Path(__file__).resolve().parent.parent / "child" / "fork_server.py"


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
            self.exited_within(self.server.start_seconds)
            code = self.returncode
        return code


class AdoptedServer:
    """A fork server this process did not start (a copy from the zygote's template, its child): the
    little of Popen the client uses, through a pidfd."""

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode: int | None = None
        self._pidfd = os.pidfd_open(pid)

    def poll(self) -> int | None:
        if self.returncode is None and select.select([self._pidfd], [], [], 0)[0]:
            self.returncode = -signal.SIGKILL  # its parent reaps it: the code is not ours to read
        return self.returncode

    def kill(self) -> None:
        if self.returncode is None:
            signal.pidfd_send_signal(self._pidfd, signal.SIGKILL)

    def wait(self) -> int:
        select.select([self._pidfd], [], [])
        self.returncode = -signal.SIGKILL if self.returncode is None else self.returncode
        return self.returncode


class ForkServer(ForkingServerClient):
    what = "the fork server"

    def __init__(self, env: dict, sandbox: ChildSandbox | None = None):
        super().__init__()
        self.env = env
        self.sandbox = sandbox
        self.lock = threading.Lock()  # one child at a time, start to exit

    def spawn(self, *, fds: tuple[int, int, int, int], cwd: str, uid: int | None = None,
              gid: int | None = None) -> ForkedChild:
        """Fork one child with (request, result, fault, output) descriptors. Raises OSError."""
        message = json.dumps({"cwd": cwd, "uid": uid, "gid": gid}).encode()
        reply = self._ask(lambda sock: socket.send_fds(sock, [message], list(fds)),
                          lambda r: "started" in r or "error" in r)
        if "started" in reply:
            return ForkedChild(self, int(reply["started"]))
        raise OSError(reply.get("error", "the fork server refused"))

    def listen_loopback(self) -> socket.socket:
        """A TCP socket listening on 127.0.0.1 where the children are: in the sandbox's network
        namespace (its own loopback) or, without one, the judge's. The server makes it and keeps no
        copy, so no child inherits it. Raises OSError."""
        with self.lock:  # no child starts meanwhile
            reply = self._ask(lambda sock: sock.send(b'{"listen": "loopback"}'),
                              lambda r: "listening" in r or "error" in r, fds=1)
        fds = reply.pop("_fds", [])
        if "listening" in reply and len(fds) == 1:
            return socket.socket(fileno=fds[0])
        for fd in fds:
            os.close(fd)
        raise OSError(reply.get("error", "the fork server sent no listening socket"))

    def _popen(self, fd: int) -> subprocess.Popen:
        # -s -P and an environment of our own make it as isolated as -I, which would also
        # ignore PYTHONHASHSEED: a fixed hash seed keeps set and dict orders the same on every run.
        command = [sys.executable, "-s", "-P", "-X", "utf8", str(SERVER), str(fd)]
        streams: dict[str, Any] = {}
        if self.sandbox is not None:
            command = self.sandbox.command([*command, "--sandboxed"])
            streams = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
        return subprocess.Popen(command, stdin=subprocess.DEVNULL, env=self.env, pass_fds=(fd,), close_fds=True,
                                **streams)

    @property
    def root_pid(self) -> int | None:
        """The server's process (in a sandbox, bwrap's): every child is below it."""
        return self._proc.pid if self._proc is not None else None

    def _send_kill(self, pid: int) -> None:
        self._send({"kill": pid})

    def fork_copy(self, log_fd: int, limits: dict[int, int], seconds: float) -> tuple[socket.socket, int] | None:
        """A copy of the server, forked for another process (a judge), with its stdout and stderr on
        `log_fd` and `limits` (resource -> soft and hard cap) set: our end of its socket and its pid;
        None if the server cannot make one now."""
        if self.sandbox is not None:
            return None  # a sandboxed server is its namespace's init: never copied
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            sock = self._ensure_running()
            message = json.dumps({"server": 1, "limits": {str(k): v for k, v in limits.items()}}).encode()
            socket.send_fds(sock, [message], [theirs.fileno(), log_fd])
            reply = self._receive(seconds, lambda r: "server" in r or "error" in r)
        except (OSError, ValueError):
            reply = None
        finally:
            theirs.close()
        if reply is None:
            self.close()  # dead or hung: the next judge's asks a fresh one
        if reply is None or "server" not in reply:
            ours.close()
            return None
        return ours, int(reply["server"])

    def adopt(self, sock: socket.socket, pid: int) -> None:
        """Serve from a running copy (fork_copy's, in another process) instead of starting one."""
        self._sock, self._proc = sock, AdoptedServer(pid)  # type: ignore[assignment]


_SERVER: ForkServer | None = None
_SERVER_LOCK = threading.Lock()
_ADOPTED: tuple[socket.socket, int] | None = None  # a copy made for this judge before it started


def adopt(sock: socket.socket, pid: int) -> None:
    """This judge's fork server is already running (judge/zygote.py): use it rather than start one."""
    global _ADOPTED
    _ADOPTED = sock, pid


def server(env: dict) -> ForkServer:
    """The judge process's fork server (one per process), in the sandbox the environment names."""
    global _SERVER, _ADOPTED
    with _SERVER_LOCK:
        if _SERVER is None:
            _SERVER = ForkServer(env, ChildSandbox.from_env())
            if _ADOPTED is not None:
                sock, pid = _ADOPTED
                if _SERVER.sandbox is None:
                    _SERVER.adopt(sock, pid)
                else:
                    sock.close()  # the copy leaves; children here run in the sandbox's own server
                _ADOPTED = None
        return _SERVER
