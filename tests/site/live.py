"""`grader serve` as a real process, for the tests that kill, restart and load it."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests

from grader import procfs

ROOT = Path(__file__).resolve().parents[2]
_URL = re.compile(r"Course site: (http://[\d.]+:\d+)/")


def seed(data: Path, db: str | None = None, broker: str | None = None, **spec) -> dict[str, str]:
    """Create the course and students in `data`'s database (or `db`, a cluster's); return each
    student's API token."""
    env = {k: v for k, v in os.environ.items() if k not in ("GRADER_DATA", "GRADER_DB", "GRADER_BROKER")}
    env.update({"GRADER_DB": db or "", "GRADER_BROKER": broker or ""})
    out = subprocess.run([sys.executable, "-m", "tests.site.seed", str(data), json.dumps(spec)], cwd=ROOT, env=env,
                         capture_output=True, text=True, check=True, timeout=120)
    return json.loads(out.stdout.strip().splitlines()[-1])["tokens"]


class LiveSite:
    """`grader serve --data DATA --port 0`, its output collected; stop() ends it like Ctrl-C."""

    def __init__(self, data: Path, *args: str, env: dict | None = None):
        self.data = data
        self.lines: list[str] = []
        self._sessions: dict[str, requests.Session] = {}
        environment = {**os.environ, "GRADER_LOG_LEVEL": "WARNING", **(env or {})}
        environment.pop("GRADER_DATA", None)  # the test process's own data folder is not this site's
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "grader.cli", "serve", "--data", str(data), "--port", "0", "--sandbox", "local",
             *args], cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self._ready = threading.Event()
        self.url = ""
        threading.Thread(target=self._read, daemon=True).start()
        if not self._ready.wait(120):
            self.stop()
            raise RuntimeError("grader serve did not start:\n" + "\n".join(self.lines))

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line.rstrip())
            found = _URL.search(line)
            if found:
                self.url = found.group(1)
                self._ready.set()

    def api(self, token: str) -> requests.Session:
        """One session (one kept-alive connection) per student, as a browser or `grader submit` has."""
        if token not in self._sessions:
            session = requests.Session()
            session.headers["Authorization"] = f"Bearer {token}"
            self._sessions[token] = session
        return self._sessions[token]

    def submit(self, token: str, exercise: str, files: list[tuple[str, bytes]]) -> requests.Response:
        return self.api(token).post(f"{self.url}/api/v1/submissions", data={"exercise": exercise},
                                    files=[("files", f) for f in files], timeout=60)

    def status(self, token: str, submission_id: int) -> dict:
        response = self.api(token).get(f"{self.url}/api/v1/submissions/{submission_id}", timeout=30)
        response.raise_for_status()
        return response.json()

    def wait_for(self, token: str, submission_id: int, states: set[str], limit: float = 300) -> dict:
        """Poll until the submission is in one of `states` (a bound on a wait, not a verdict)."""
        deadline = time.monotonic() + limit
        while True:
            body = self.status(token, submission_id)
            if body["state"] in states:
                return body
            if time.monotonic() > deadline:
                raise AssertionError(f"submission {submission_id} still {body['state']} after {limit} s:\n"
                                     + "\n".join(self.lines[-30:]))
            time.sleep(0.1)

    def workers(self) -> list[int]:
        """The pids of the `grader worker` processes this site started (its direct children)."""
        return [pid for pid in procfs.children(self.proc.pid) if "worker" in _cmdline(pid)[3:5]]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                for pid in procfs.children(self.proc.pid):
                    os.kill(pid, signal.SIGKILL)
                self.proc.kill()
                self.proc.wait()


class LiveWorker:
    """`grader worker` as a process of its own, as on another grading host: its own data folder,
    the cluster's --db and --broker; kill() is kill -9, stop() is Ctrl-C."""

    def __init__(self, data: Path, name: str, *args: str, env: dict | None = None):
        self.name = name
        self.lines: list[str] = []
        environment = {**os.environ, "GRADER_LOG_LEVEL": "WARNING", **(env or {})}
        environment.pop("GRADER_DATA", None)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "grader.cli", "worker", "--data", str(data), "--name", name, "--sandbox", "local",
             *args], cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line.rstrip())

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


def _cmdline(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
    except OSError:
        return []
