"""A preloaded interpreter that forks the scenario children, so each one skips Python's start-up.

    python -s -P -X utf8 fork_server.py SOCKET_FD [--sandboxed]   (environment: child_runner.minimal_env)

A fresh interpreter with the instrumentation imported takes about 40 ms to start, and the judge
starts about twenty children per student. This process imports the child's modules once (and
never student code, never the instrumentation's patches: those are installed in each child) and
then, for each request on SOCKET_FD (an AF_UNIX SOCK_SEQPACKET end that only the judge holds), forks
a child that becomes exactly what `python -I bootstrap.py ...` would be: its own session, stdin
from /dev/null, stdout and stderr to the output pipe, the scenario's working folder, the student's
user where there is one, and no descriptor but the ones passed in.

Messages are JSON. In: `{"cwd": ..., "uid": ..., "gid": ...}` with four descriptors (request,
result, fault, output), `{"kill": pid}` to end a child's process group, `{"stacks": pid}` for its
threads' stacks (SIGUSR2: bootstrap.py has faulthandler dump them), and `{"listen": "loopback"}`
for a listening TCP socket on 127.0.0.1 of the children's network (the sandbox's own loopback),
which goes back to the judge and of which no copy stays here, and `{"server": 1, "limits":
{resource: cap}}` with two descriptors (a socket end, a log) for a copy of this server, under
those rlimits, that serves that socket and nothing else (a judge zygote keeps one server as a
template: judge/zygote.py). Out: `{"started": pid}` or
`{"error": ...}`, later `{"exited": pid, "code": returncode}` (negative for a signal, as Popen has
it), `{"listening": port}` with the socket's descriptor, and `{"server": pid}` for a copy. The
server stays single-threaded, so forking it is safe, and it leaves when the judge closes its end.

`--sandboxed`: the server runs inside bubblewrap (judge/isolation.py), as the init (pid 1) of a
PID namespace of its own with its children, as the same user as the student's code. Its pids mean
nothing outside, so the judge kills through it; and a kill also ends every other process of the
namespace (all the student's: daemons that left the group, anything forged to outlive the run),
since only one child runs at a time. As init it cannot be killed from inside and must reap the
orphans; it makes itself undumpable, so that the student's code, running as the same user, cannot
trace it or open its descriptors and memory through /proc.
"""

import ctypes
import gc
import json
import os
import resource
import select
import signal
import socket
import sys
import time

if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))

# What every child imports anyway, loaded once here. Importing is all: nothing here is patched.
import concurrent.futures.process
import concurrent.futures.thread  # noqa: F401
import faulthandler  # noqa: F401
import multiprocessing
import multiprocessing.pool
import multiprocessing.queues  # noqa: F401
import queue  # noqa: F401
import threading  # noqa: F401

from grader.harness.child import (  # noqa: F401
    bootstrap,
    events,
    guard,
    install,
    integrity,
    pool_watch,
    probe,
    queues,
    rendezvous_client,
    sites,
    strategies,
    stuck,
    tracing,
)

guard.trusted_roots()  # sysconfig's paths, the same for every child: asked once here (it caches them)

BOOTSTRAP = bootstrap.__file__
PR_SET_DUMPABLE = 4
LIBC = ctypes.CDLL(None, use_errno=True)
DESCRIPTORS = 4  # request, result, fault, output
MAX_MESSAGE = 64 * 1024


# A child's exit is seen through a pidfd (Linux 5.3+); elsewhere (macOS), or with GRADER_PORTABLE=1
# (to test that path on Linux), children are polled with waitpid every POLL seconds.
PIDFD = hasattr(os, "pidfd_open") and not os.environ.get("GRADER_PORTABLE")
POLL = 0.01


def serve(sock: socket.socket, sandboxed: bool = False) -> socket.socket | None:
    """Serve until the judge leaves (None). In a copy forked for another judge: its socket."""
    children: dict[int, int] = {}  # pidfd (or -pid where there is none) -> pid
    while True:
        if sandboxed:
            _reap_orphans(children)
        watched: list[socket.socket | int] = [sock, *(h for h in children if h >= 0)]  # the judge, and pidfds
        ready, _, _ = select.select(watched, [], [], None if PIDFD or not children else POLL)
        if not PIDFD:
            _poll_exits(sock, children)
        for fd in ready:
            if fd is sock:
                try:
                    data, fds, _, _ = socket.recv_fds(sock, MAX_MESSAGE, DESCRIPTORS)
                except OSError:
                    return None
                if not data:
                    return None  # the judge has gone
                if data.startswith(b'{"server":'):
                    copy = _fork_server(sock, data, fds, children, sandboxed)
                    if copy is not None:
                        return copy  # we are the copy
                elif not fds and data.startswith(b'{"kill":'):
                    _kill(data, children, sandboxed)
                elif not fds and data.startswith(b'{"stacks":'):
                    _ask_for_stacks(data, children)
                elif not fds and data.startswith(b'{"listen":'):
                    _listen(sock)
                else:
                    _start(sock, data, fds, children)
            elif isinstance(fd, int):  # a child's pidfd: it has exited
                pid = children.pop(fd)
                os.close(fd)
                _, status = os.waitpid(pid, 0)
                _send(sock, {"exited": pid, "code": os.waitstatus_to_exitcode(status)})


def _start(sock: socket.socket, data: bytes, fds: list[int], children: dict[int, int]) -> None:
    try:
        request = json.loads(data)
        if len(fds) != DESCRIPTORS:
            raise ValueError(f"expected {DESCRIPTORS} descriptors, got {len(fds)}")
        pid = os.fork()
    except (OSError, ValueError) as exc:
        for fd in fds:
            os.close(fd)
        _send(sock, {"error": f"{type(exc).__name__}: {exc}"})
        return
    if pid == 0:
        _become_child(request, fds)  # never returns
    for fd in fds:
        os.close(fd)
    children[os.pidfd_open(pid) if PIDFD else -pid] = pid
    _send(sock, {"started": pid})


def _fork_server(sock: socket.socket, data: bytes, fds: list[int], children: dict[int, int],
                 sandboxed: bool) -> socket.socket | None:
    """Fork a copy of this server for `fds` (a socket end, a log for its stdout and stderr), as
    fresh as a new one: nothing of ours but the interpreter, its imports, and those two. Returns
    the copy's socket in the copy, None here (where the copy is a child like any other)."""
    try:
        if sandboxed or len(fds) != 2:  # a sandboxed server is its namespace's init: never copied
            raise ValueError(f"no copy here (sandboxed: {sandboxed}, {len(fds)} descriptors)")
        limits = {int(which): int(cap) for which, cap in json.loads(data)["limits"].items()}
        pid = os.fork()
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        for fd in fds:
            os.close(fd)
        _send(sock, {"error": f"{type(exc).__name__}: {exc}"})
        return None
    if pid == 0:
        try:
            for which, cap in limits.items():
                resource.setrlimit(which, (cap, cap))
            server_fd, log_fd = fds
            os.dup2(log_fd, 1)
            os.dup2(log_fd, 2)
            sock.detach()  # closed below, with our children's pidfds and every other descriptor
            os.closerange(3, server_fd)
            os.closerange(server_fd + 1, os.sysconf("SC_OPEN_MAX"))
            return socket.socket(fileno=server_fd)
        except BaseException:  # noqa: BLE001 - its judge sees a server that does not answer
            os._exit(1)
    for fd in fds:
        os.close(fd)
    children[os.pidfd_open(pid) if PIDFD else -pid] = pid
    _send(sock, {"server": pid})
    return None


def _listen(sock: socket.socket) -> None:
    """A TCP socket listening on this network's loopback, handed to the judge: its servers (the
    crawler exercises' HTTP server) accept there, where the children can connect, from outside."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
            listener.bind(("127.0.0.1", 0))
            listener.listen(128)
            socket.send_fds(sock, [json.dumps({"listening": listener.getsockname()[1]}).encode()],
                            [listener.fileno()])
    except OSError as exc:
        _send(sock, {"error": f"listen: {type(exc).__name__}: {exc}"})


def _poll_exits(sock: socket.socket, children: dict[int, int]) -> None:
    for handle, pid in list(children.items()):
        try:
            done, status = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            done, status = pid, 0
        if done:
            del children[handle]
            _send(sock, {"exited": pid, "code": os.waitstatus_to_exitcode(status)})


def _kill(data: bytes, children: dict[int, int], sandboxed: bool) -> None:
    """End a child's process group; sandboxed, every other process of the namespace too. Its exit
    notice follows as usual."""
    try:
        pid = int(json.loads(data)["kill"])
    except (ValueError, KeyError, TypeError):
        return
    if pid in children.values():  # never a pid that is not, or no longer, one of ours
        try:
            os.killpg(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    if sandboxed:
        # kill(-1) reaches every process of this PID namespace but us, its init. One pass is
        # enough even for a fork bomb: a process with SIGKILL pending cannot fork.
        try:
            os.kill(-1, signal.SIGKILL)
        except ProcessLookupError:
            pass
        _wait_for_the_rest(children)


def _ask_for_stacks(data: bytes, children: dict[int, int]) -> None:
    """SIGUSR2 to a child: its faulthandler dumps every thread's stack (a run over its backstop)."""
    try:
        pid = int(json.loads(data)["stacks"])
    except (ValueError, KeyError, TypeError):
        return
    if pid in children.values():
        try:
            os.kill(pid, signal.SIGUSR2)
        except (ProcessLookupError, PermissionError):
            pass


SETTLE_SECONDS = 5.0  # bound on the wait below: a process the kernel holds must not hang the server


def _wait_for_the_rest(children: dict[int, int]) -> None:
    """After kill(-1): return once every process of the namespace but us and our children is gone
    and reaped, so the next child starts in a namespace as empty as the first (a SIGKILL takes
    effect when the process next runs, which on a busy machine can be after the next start).
    Waits on pidfds, never on a timer."""
    if not hasattr(os, "pidfd_open"):
        return
    ours = set(children.values())
    deadline = time.monotonic() + SETTLE_SECONDS
    while time.monotonic() < deadline:
        others = [pid for pid in _namespace_pids() if pid != os.getpid() and pid not in ours]
        if not others:
            return
        pid = others[0]
        state, parent = _state(pid)
        if state is None:
            continue  # gone meanwhile
        if state == "Z" and parent == os.getpid():
            try:
                os.waitpid(pid, 0)  # a dead orphan of ours: reap it
            except ChildProcessError:
                pass
            continue
        # Alive (dying), or dead but still its dying parent's: wait for that one to end.
        _wait_exit(pid if state != "Z" else parent, deadline)


def _namespace_pids() -> list[int]:
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def _state(pid: int) -> tuple[str | None, int]:
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            fields = fh.read().rsplit(b")", 1)[1].split()
        return fields[0].decode(), int(fields[1])
    except (OSError, IndexError, ValueError):
        return None, 0


def _wait_exit(pid: int, deadline: float) -> None:
    try:
        fd = os.pidfd_open(pid)
    except OSError:
        return
    try:
        select.select([fd], [], [], max(deadline - time.monotonic(), 0))
    finally:
        os.close(fd)


def _reap_orphans(children: dict[int, int]) -> None:
    """As init: reap the dead that were not ours (a student's daemons, re-parented to us), up to the
    first of our own children, which its pidfd's turn reaps with its exit code."""
    ours = set(children.values())
    while True:
        try:
            info = os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOHANG | os.WNOWAIT)
        except ChildProcessError:
            return
        if info is None or info.si_pid in ours:
            return
        try:
            os.waitpid(info.si_pid, 0)
        except ChildProcessError:
            return


def _become_child(request: dict, fds: list[int]) -> None:
    """In the forked child: set up as Popen would, drop to the student, run the bootstrap."""
    try:
        req_fd, res_fd, fault_fd, out_fd = fds
        os.setsid()
        signal.signal(signal.SIGINT, signal.default_int_handler)  # as in any Python, sandboxed or not
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.dup2(out_fd, 1)
        os.dup2(out_fd, 2)
        # Above all the server's socket must go: the student must never be able to ask for a child.
        keep = sorted({0, 1, 2, req_fd, res_fd, fault_fd})
        low = 3
        for fd in keep[3:]:
            os.closerange(low, fd)
            low = fd + 1
        os.closerange(low, os.sysconf("SC_OPEN_MAX"))
        os.chdir(request["cwd"])
        if request.get("uid") is not None:
            os.setgroups([])
            os.setregid(request["gid"], request["gid"])
            os.setreuid(request["uid"], request["uid"])
        # Changing user without exec leaves the process undumpable, its /proc entries root's: the
        # judge's sweep (by /proc owner) would miss it, and it could not raise its own
        # oom_score_adj. A sandboxed server is undumpable on purpose, and so its fork. exec would
        # make it dumpable again; so do we.
        if LIBC.prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_DUMPABLE)")
        sys.argv = [BOOTSTRAP, str(req_fd), str(res_fd), str(fault_fd)]
        bootstrap.main(sys.argv)  # leaves with os._exit once the result is sent
    except BaseException as exc:  # noqa: BLE001 - like an interpreter dying on an uncaught error
        try:
            os.write(2, f"fork server child: {type(exc).__name__}: {exc}\n".encode())
        except OSError:
            pass
    os._exit(1)


def _send(sock: socket.socket, message: dict) -> None:
    try:
        sock.send(json.dumps(message).encode())
    except OSError:
        pass  # the judge has gone; the next recv ends the loop


def main(argv: list[str]) -> None:
    sandboxed = "--sandboxed" in argv[2:]
    if sandboxed:
        # The init of a PID namespace of its own, or kill(-1) would reach far more than the
        # student's processes: refuse rather than risk it.
        if (os.getpid(), os.getppid()) != (1, 0):
            raise SystemExit(f"fork server: --sandboxed, but pid {os.getpid()}, not a PID namespace's init")
        if LIBC.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_DUMPABLE)")
        # Init gets from inside only the signals it handles: Python's SIGINT handler would let
        # student code end the server. Its children get that handler back (_become_child).
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    # What was imported lives as long as the server: out of the collector's sight, each child's
    # gc.collect() (bootstrap.py, before the student's code runs) walks only what the child made,
    # not every module's objects again (4 ms a child).
    gc.collect()
    gc.freeze()
    sock: socket.socket | None = socket.socket(fileno=int(argv[1]))
    while sock is not None:
        sock = serve(sock, sandboxed)  # a copy forked for another judge serves its own socket


if __name__ == "__main__":
    main(sys.argv)
