"""A preloaded judge: pytest, its JSON report and the grader's plugin imported once, then one fresh
judge process forked per exercise.

    python -B -m grader.harness.judge.zygote SOCKET_FD      (environment: launch.judge_env())

Starting `python -m pytest` with the plugin costs about a quarter of a second, once per exercise,
and the container judges a student's whole plan. This process imports what every judge imports
(never an exercise's tests, never student code, and nothing is configured or run) and, for each
request on SOCKET_FD (an AF_UNIX SOCK_SEQPACKET end only the container's entry holds), forks a
process that becomes what launch.run_judge's `python -m pytest ...` would be: its own session, the
judge's rlimits, stdin from /dev/null, stdout and stderr to the log pipe passed in, the job's
working folder and environment, no other descriptor; it then runs pytest to the end as the main
module would, and leaves as the interpreter would, without tearing the heap down (`_leave`). Each
exercise still gets a process of its own, which the entry kills with its group at the time limit.

It also keeps a fork server of the scenario children running as a template (fork_client.py,
child/fork_server.py), started with the first judge: each judge is handed a copy of it, forked with
the judge, instead of starting a fresh one (an interpreter and the child's imports, about 50 ms a
judge) at its first scenario. The judge holds that copy's socket and no other.

Messages are JSON. In: `{"argv": [...], "cwd": ..., "env": {...}, "cpu_seconds": n}` with one
descriptor (the log's write end). Out: `{"started": pid}` or `{"error": ...}`, later
`{"exited": pid, "code": returncode}` (negative for a signal, as Popen has it). The server stays
single-threaded, so forking it is safe, and it leaves when the entry closes its end.
"""

from __future__ import annotations

import atexit
import gc
import importlib
import json
import os
import runpy
import select
import socket
import sys
import tempfile
import threading
from typing import NoReturn

# What every judge imports, loaded once here. Importing is all. The two plugin modules themselves
# are left to pytest, which imports them with its assertion rewriting, as in any judge.
import _pytest.config
import pytest  # noqa: F401
import pytest_jsonreport.serialize  # type: ignore[import-untyped]  # noqa: F401

from . import api, explore, fork_client, rendezvous, verdicts  # noqa: F401 - what the grader's plugin imports
from .child_runner import minimal_env
from .launch import apply_limits, judge_limits

for _name in _pytest.config.default_plugins:  # pytest imports its own plugins at every start
    importlib.import_module(f"_pytest.{_name}")

MAX_MESSAGE = 256 * 1024
COPY_SECONDS = 10.0  # for the template's copy; without one in time, the judge starts its own server
# The template: a fork server as the judge would start it, copied for each judge.
SERVERS = fork_client.ForkServer(minimal_env())


def serve(sock: socket.socket) -> dict | None:
    """Fork a judge per request until the entry leaves (None). In a forked judge: its job."""
    children: dict[int, int] = {}  # pidfd -> pid
    while True:
        watched: list[socket.socket | int] = [sock, *children]
        ready, _, _ = select.select(watched, [], [])
        for fd in ready:
            if isinstance(fd, socket.socket):
                try:
                    data, fds, _, _ = socket.recv_fds(sock, MAX_MESSAGE, 1)
                except OSError:
                    return None
                if not data:
                    return None  # the entry has gone
                job = _start(sock, data, fds, children)
                if job is not None:
                    return job  # we are the forked judge
            else:
                pid = children.pop(fd)
                os.close(fd)
                _, status = os.waitpid(pid, 0)
                _send(sock, {"exited": pid, "code": os.waitstatus_to_exitcode(status)})


def _start(sock: socket.socket, data: bytes, fds: list[int], children: dict[int, int]) -> dict | None:
    try:
        job = json.loads(data)
        if len(fds) != 1:
            raise ValueError(f"expected 1 descriptor, got {len(fds)}")
        # The judge's limits hold in its server as they would in one it started itself.
        servers = SERVERS.fork_copy(fds[0], judge_limits(int(job["cpu_seconds"])), COPY_SECONDS)
        pid = os.fork()
    except (OSError, ValueError) as exc:  # a fork refused at the pids limit, too
        for fd in fds:
            os.close(fd)
        _send(sock, {"error": f"{type(exc).__name__}: {exc}"})
        return None
    if pid == 0:
        _become_judge(sock, job, fds[0], servers)
        return job
    os.close(fds[0])
    if servers is not None:
        servers[0].close()  # the judge's now: the copy leaves when the judge does
    children[os.pidfd_open(pid)] = pid
    _send(sock, {"started": pid})
    return None


def _become_judge(sock: socket.socket, job: dict, log_fd: int,
                  servers: tuple[socket.socket, int] | None) -> None:
    """In the forked judge: set up as launch.run_judge's Popen would, with its fork server's copy."""
    try:
        os.setsid()
        apply_limits(int(job["cpu_seconds"]))
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.dup2(log_fd, 1)
        os.dup2(log_fd, 2)
        # Their descriptors go below, with every other but the copy's: no judge can ask for a
        # fork of the zygote, or of the template.
        sock.detach()
        SERVERS.forget()
        keep = servers[0].fileno() if servers is not None else os.sysconf("SC_OPEN_MAX")
        os.closerange(3, keep)
        os.closerange(keep + 1, os.sysconf("SC_OPEN_MAX"))
        if servers is not None:
            fork_client.adopt(*servers)
        os.chdir(job["cwd"])
        os.environ.clear()
        os.environ.update(job["env"])
        tempfile.tempdir = None  # TMPDIR is the lane's now
        sys.path[0] = os.getcwd()  # as `python -m` has it: the folder it started in
        sys.argv = ["pytest", *job["argv"]]  # runpy puts pytest's __main__ first
    except BaseException as exc:  # noqa: BLE001 - like an interpreter failing at start-up
        try:
            os.write(2, f"judge zygote: {type(exc).__name__}: {exc}\n".encode())
        except OSError:
            pass
        os._exit(1)


def _send(sock: socket.socket, message: dict) -> None:
    try:
        sock.send(json.dumps(message).encode())
    except OSError:
        pass  # the entry has gone; the next recv ends the loop


def main(argv: list[str]) -> None:
    # What was imported lives as long as the zygote: out of the collector's sight, each judge's
    # collections (a full one when pytest ends) walk only what that judge made, not pytest's heap.
    gc.freeze()
    job = serve(socket.socket(fileno=int(argv[1])))
    if job is not None:
        # Here, at the top of the forked judge: pytest's __main__ as `python -m pytest` runs it.
        try:
            runpy.run_module("pytest", run_name="__main__", alter_sys=True)
        except SystemExit as exc:
            _leave(exc.code)
        _leave(0)


def _leave(code: object) -> NoReturn:
    """What the interpreter's exit does that anyone sees, without tearing down the zygote's whole
    heap (tens of ms a judge, for nothing: the process ends): non-daemon threads joined, atexit
    handlers run (weakref finalizers, logging), output flushed, the exit status as SystemExit's.
    The report was written and closed by then (pytest-json-report's session end)."""
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = int(code)
    else:
        print(code, file=sys.stderr)
        status = 1
    threading._shutdown()  # type: ignore[attr-defined]  # what Py_FinalizeEx calls first
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(status)


if __name__ == "__main__":
    main(sys.argv)
