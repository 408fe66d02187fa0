"""The judge's rendezvous server: proves parallelism by overlap, never by speed.

Each call of the judge's `check` in a worker process connects here, and is counted inside from
its first message until its "done" has been acknowledged, just before it returns. The first callers are held until a second distinct process is inside at the same time
(then everyone goes) or until `bound` real seconds pass (then nobody waits any more and the run has
shown no overlap). All observations are made here, in the judge, out of the student's reach.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import tempfile
import threading
from collections import Counter
from dataclasses import dataclass, field

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
            pid = int(message["pid"])
            in_parent = bool(message.get("in_parent"))
            with self._cond:
                self.stats.calls.append((pid, message.get("item")))
                self._inside[pid] += 1
                inside = sum(1 for c in self._inside.values() if c > 0)
                self.stats.max_processes_inside = max(self.stats.max_processes_inside, inside)
                if inside >= 2:
                    self.stats.overlap_seen = True
                    self._cond.notify_all()
                if not in_parent and not self.stats.overlap_seen and not self._gave_up:
                    if not self._cond.wait_for(lambda: self.stats.overlap_seen or self._gave_up, self.bound):
                        self._gave_up = True  # liveness only: the verdict is "no overlap was seen"
                        self._cond.notify_all()
            conn.sendall(b"go\n")
            done = b""
            while not done.endswith(b"\n"):  # "done", or end of file if the caller died
                chunk = conn.recv(16)
                if not chunk:
                    break
                done += chunk
            self._leave(pid)
            pid = None
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

    def close(self):
        self._closed = True
        try:
            self._sock.close()
        finally:
            shutil.rmtree(self._dir, ignore_errors=True)
