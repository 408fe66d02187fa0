"""The judge's rendezvous server: proves parallelism by overlap, never by speed.

Each call of the judge's `check` in a worker process connects here, and is counted inside from
its first message until its "done" has been acknowledged, just before it returns. The first
callers are held until a second distinct process is inside at the same time (then everyone goes)
or until `bound` real seconds pass (then nobody waits any more and the run has shown no overlap).
All observations are made here, in the judge, out of the student's reach: a caller's process is the
one the kernel names for the socket (SO_PEERCRED), never the pid its message claims, so calls made
from threads of one process cannot pass for several processes.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import struct
import tempfile
import threading
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .isolation import sockets_dir


@dataclass
class RendezvousStats:
    calls: list[tuple[int, object]] = field(default_factory=list)  # (pid, item) in arrival order
    overlap_seen: bool = False
    max_processes_inside: int = 0

    def pids(self) -> set[int]:
        return {pid for pid, _ in self.calls}

    def item_counts(self) -> Counter:
        return Counter(item for _, item in self.calls)


def caller_pid(conn: socket.socket, claimed: object) -> int:
    """The calling process's pid as the scenario's own process sees pids (what `Outcome.pid` holds):
    from the kernel's credentials of the socket's peer, not from what the caller wrote.

    Where the platform has no SO_PEERCRED (a student's Mac, self-checking), the claim is taken: there
    the student grades only their own work (docs/sandbox.md, "What a submission can reach")."""
    if not hasattr(socket, "SO_PEERCRED"):
        return int(claimed)  # type: ignore[call-overload]  # a bad claim raises, and the call is dropped
    creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    pid, _, _ = struct.unpack("3i", creds)
    return innermost_pid(pid)


def innermost_pid(pid: int) -> int:
    """`pid` (in the judge's pid namespace) in the innermost namespace it lives in: the local
    sandbox's bubblewrap gives the scenario's processes a namespace of their own, and the judge knows
    them by those numbers. The caller is alive (it waits for our answer), so /proc still has it."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return pid  # no /proc (GRADER_PORTABLE): one namespace
    for line in status.splitlines():
        if line.startswith("NSpid:"):
            return int(line.split()[-1])
    return pid


class RendezvousServer:
    def __init__(self, bound: float = 3.0):
        self.bound = bound
        self._dir = tempfile.mkdtemp(prefix="grader-rv-", dir=sockets_dir())  # where children reach it
        os.chmod(self._dir, 0o755)
        self.address = os.path.join(self._dir, "rendezvous.sock")
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._sock.bind(self.address)
        os.chmod(self.address, 0o777)  # the student's user connects to it in the container
        self._sock.listen(128)
        self._cond = threading.Condition()
        self._inside: Counter = Counter()
        self._gave_up = False
        self.stats = RendezvousStats()
        self._closed = False
        threading.Thread(target=self._accept_loop, daemon=True).start()

    def reset(self) -> None:
        with self._cond:
            self.stats = RendezvousStats()
            self._inside.clear()
            self._gave_up = False

    def _accept_loop(self):
        while not self._closed:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket):
        pid = None
        try:
            conn.settimeout(self.bound + 30)
            data = b""
            while not data.endswith(b"\n") and len(data) < 4096:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                data += chunk
            message = json.loads(data.decode("utf-8", "replace"))
            if not isinstance(message, dict):
                return
            message["pid"] = caller_pid(conn, message.get("pid"))
            if "op" in message:  # a report from the scenario's process, not a call (HoldingServer)
                conn.sendall(self._on_report(message))
                return
            pid = message["pid"]
            in_parent = bool(message.get("in_parent"))
            self._admit(pid, message)  # HoldingServer: a held call waits here, not counted inside
            with self._cond:
                self.stats.calls.append((pid, message.get("item")))
                self._inside[pid] += 1
                inside = sum(1 for c in self._inside.values() if c > 0)
                self.stats.max_processes_inside = max(self.stats.max_processes_inside, inside)
                if inside >= 2:
                    self.stats.overlap_seen = True
                    self._cond.notify_all()
                if (not in_parent and message.get("overlap", True) and not self.stats.overlap_seen
                        and not self._gave_up):
                    if not self._cond.wait_for(lambda: self.stats.overlap_seen or self._gave_up, self.bound):
                        self._gave_up = True  # liveness only: the verdict is "no overlap was seen"
                        self._cond.notify_all()
            self._started(pid, message)
            conn.sendall(self._go_line(message))
            done = b""
            while not done.endswith(b"\n"):  # "done", or end of file if the caller died
                chunk = conn.recv(16)
                if not chunk:
                    break
                done += chunk
            self._leave(pid)
            pid = None
            self._ended(message, finished=done.endswith(b"\n"))
            conn.sendall(b"bye\n")
        except (OSError, ValueError, KeyError, TypeError):
            pass
        finally:
            conn.close()
            if pid is not None:
                self._leave(pid)

    def _leave(self, pid: int) -> None:
        with self._cond:
            self._inside[pid] -= 1

    # Hooks for HoldingServer; here they change nothing.
    def _on_report(self, message: dict) -> bytes:
        return b"ok\n"

    def _admit(self, pid: int, message: dict) -> None:
        pass

    def _started(self, pid: int, message: dict) -> None:
        pass

    def _go_line(self, message: dict) -> bytes:
        return b"go\n"

    def _ended(self, message: dict, finished: bool) -> None:
        pass

    def close(self):
        self._closed = True
        try:
            self._sock.close()
        finally:
            shutil.rmtree(self._dir, ignore_errors=True)


class HoldingServer(RendezvousServer):
    """A rendezvous server that also decides when each call of the judge's pool task may run, and
    keeps a log of what the workers and the scenario's process did, in the order it saw it.

    Why: "raise only after every other task has finished" and "collect the results before the pool
    ends" cannot be proven by timing. So the judge orders the work itself:

    - with `gate`, no call in a worker runs until the scenario's process first waits for a result
      or joins its pool (events `wait`, `join`): a program that never waits finds no task done,
      on every run, instead of "some, depending on how fast the workers were";
    - `holds` maps an item to the events that release it (`"join"`, `"wait:5"`: the parent waits
      for task 5's own result, `"received:4"`: the parent has received task 4's result). A held call
      is certainly unfinished until then, so a program that raises or returns before it waited for
      that task is caught on every run, while one that waits (get() on it, join()) releases it and
      is never deadlocked by the hold;
    - `fail` names the items whose call raises; each failure and each result carries a token made
      here, so the scenario's process cannot make up an exception or a result it never received.

    Calls made in the scenario's process itself (`in_parent`) are never held: nothing could release
    them. The events come from grader.harness.child.pool_watch (`JudgeTask` in the workers,
    `PoolWatch` in the scenario's process). The hold is bounded by `hold_bound` real seconds for
    liveness only; the child's own backstop ends a run long before.
    """

    GATE_OPENERS = ("wait", "join")

    # The first caller waits up to 5 s (not 3) for a second worker: with the gate, every worker is let
    # in at the same moment, and a worker still starting under load must not read as "no overlap".
    def __init__(self, bound: float = 5.0, *, gate: bool = True, holds: dict | None = None,
                 fail=(), hold_bound: float = 120.0):
        super().__init__(bound)
        import secrets

        self.gate = gate
        self.holds = {item: set(events) for item, events in (holds or {}).items()}
        self.fail = set(fail)
        self.hold_bound = hold_bound
        self.gate_open = False
        self.released: set = set()
        self.log: list[dict] = []  # {"seq", "event", "item", "pid"} in the order seen here
        self._nonce = secrets.token_hex(6)  # results and failures the workers could not guess

    def value_of(self, item) -> str:
        """What the judge's task returns for `item` (when it does not run the student's own task)."""
        return f"report {item} ({self._nonce})"

    def token_of(self, item) -> str:
        """The token inside the exception the judge's task raises for `item`."""
        return f"failure {item} ({self._nonce})"

    def events(self, kind: str) -> list[dict]:
        return [e for e in self.log if e["event"] == kind]

    def _note(self, event: str, item=None, pid=None) -> None:
        self.log.append({"seq": len(self.log), "event": event, "item": item, "pid": pid})

    def _on_report(self, message: dict) -> bytes:
        kind, item = str(message.get("op")), message.get("item")
        with self._cond:
            self._note(kind, item, message.get("pid"))
            if kind in self.GATE_OPENERS:
                self.gate_open = True
            keys = {kind, f"{kind}:{item}"}
            for held, events in self.holds.items():
                if keys & events:
                    self.released.add(held)
            self._cond.notify_all()
        return b"ok\n"

    def _admit(self, pid: int, message: dict) -> None:
        item = message.get("item")
        with self._cond:
            self._note("arrive", item, pid)
            if message.get("in_parent"):
                return

            def free():
                gate = self.gate_open or not self.gate
                return self._closed or (gate and (item not in self.holds or item in self.released))

            if not self._cond.wait_for(free, self.hold_bound):
                self._note("hold_gave_up", item, pid)  # liveness only: the log says so

    def _started(self, pid: int, message: dict) -> None:
        with self._cond:
            self._note("start", message.get("item"), pid)

    def _go_line(self, message: dict) -> bytes:
        item = message.get("item")
        if item in self.fail:
            answer = {"fail": self.token_of(item)}
        else:
            answer = {"value": self.value_of(item)}
        return json.dumps(answer).encode() + b"\n"

    def _ended(self, message: dict, finished: bool) -> None:
        with self._cond:
            self._note("end" if finished else "lost", message.get("item"), message["pid"])

    def close(self):
        with self._cond:
            self._closed = True
            self._cond.notify_all()  # held calls of a child that is gone stop waiting
        super().close()
