"""A container's standard streams, its only channel: the inputs go in on stdin as a tar, each
exercise's result comes out on stdout as a line (harness/result_lines.py), the entry's log on stderr.

Why not files through the engine (put_archive, get_archive): each such call makes the engine mount
the container's filesystem and start a helper process, about 40 ms of a CPU each, and a volume was
needed to receive them; one attach is a single connection, made before the container starts so
that nothing it writes is missed. It works the same with a remote engine (DOCKER_HOST).
"""

from __future__ import annotations

import threading
from collections import deque

from docker.utils.socket import STDERR, STDOUT, frames_iter

from ...harness import result_lines
from ..judge_report import JudgeRun

LOG_LINES = 40  # of the entry's log kept for the teacher's warning when the entry fails


class Results:
    """What came out of the container, fed as it arrives (no Docker here: tests feed it directly)."""

    def __init__(self, cap: int, log_cap: int):
        self.cap, self.log_cap = cap, log_cap
        self.runs: dict[str, JudgeRun] = {}
        self.over_cap = False
        self._received = 0
        self._partial = b""
        self._log: deque[bytes] = deque(maxlen=LOG_LINES)
        self._log_partial = b""
        self._log_size = 0

    def feed(self, stream: int, data: bytes) -> None:
        if stream == STDOUT:
            self._results(data)
        elif stream == STDERR:
            self._log_data(data)

    def _results(self, data: bytes) -> None:
        self._received += len(data)
        if self._received > self.cap:
            # What came out is larger than the host reads: nothing of it is believed.
            self.over_cap, self.runs, self._partial = True, {}, b""
        if self.over_cap:
            return
        *lines, self._partial = (self._partial + data).split(b"\n")
        for line in lines:
            found = result_lines.decode(line)
            if found is not None:  # a later result of an exercise (judged again alone) replaces the first
                self.runs[found[0]] = JudgeRun.from_dict(found[1])

    def _log_data(self, data: bytes) -> None:
        self._log_size += len(data)
        if self._log_size > self.log_cap:  # the start of a runaway log is what explains it
            return
        *lines, self._log_partial = (self._log_partial + data).split(b"\n")
        self._log.extend(lines)

    def log_tail(self) -> str:
        lines = [*self._log, *([self._log_partial] if self._log_partial else [])]
        return b"\n".join(lines[-LOG_LINES:]).decode("utf-8", "replace")


class ContainerStreams:
    """Attached to a created container: send its inputs once started, then collect its outputs."""

    def __init__(self, container, results: Results):
        self.results = results
        self._socket = container.attach_socket(params={"stdin": 1, "stdout": 1, "stderr": 1, "stream": 1})
        self._reader: threading.Thread | None = None
        self.broken: str | None = None  # why the outputs stopped before the container's end, if they did

    def send(self, data: bytes, timeout: float) -> None:
        """The inputs, whole, within `timeout` seconds (the entry reads them first thing)."""
        raw = _raw(self._socket)
        raw.settimeout(timeout)
        try:
            raw.sendall(data)
        finally:
            raw.settimeout(None)  # reading waits as long as the container runs: its wall clock is the host's
        self._reader = threading.Thread(target=self._read, name="container-streams", daemon=True)
        self._reader.start()

    def _read(self) -> None:
        try:
            for stream, data in frames_iter(self._socket, tty=False):
                self.results.feed(stream, data)
        except OSError as exc:  # the engine closed the connection under us
            self.broken = str(exc)

    def finish(self, timeout: float) -> Results:
        """Once the container has stopped: the rest of its outputs (the engine ends the stream)."""
        if self._reader is not None:
            self._reader.join(timeout)
            if self._reader.is_alive():
                self.broken = f"no end of the container's output {timeout:.0f} s after it stopped"
        return self.results

    def close(self) -> None:
        """The connection, whatever state it is in (a reader still waiting on it ends)."""
        raw = _raw(self._socket)  # before: closing the wrapper forgets it
        for closable in (self._socket, raw):
            try:
                if closable is not None:
                    closable.close()
            except OSError:
                pass


def _raw(socket):
    """The connection under docker-py's wrapper (a socket, or an SSH channel)."""
    return getattr(socket, "_sock", socket)
