"""Run one scenario in a fresh child and bring back what it observed.

The child is forked from the fork server (a clean preloaded interpreter, see fork_server.py) and
gets its own session and process group, an empty stdin, a minimal environment and a fresh
temporary working folder. Its output is read through a size cap. A real-time backstop kills the
whole process group. Nothing the child sends is trusted beyond being data: assertions stay here.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ...pipes import CappedReader
from . import fork_client
from .processes import kill_group
from .student_user import StudentUser

OUTPUT_CAP = 64 * 1024  # bytes of the student's output kept per scenario
GRACE = 2.0  # seconds past the child's own faulthandler backstop before we kill the group
# In the container only, where the container's CPU share shields the student from other load:
# student code runs at the lowest priority, so the judge always gets the CPU it needs.
STUDENT_NICE = 19


@dataclass
class Outcome:
    """What one scenario run produced, as data."""

    status: str  # ok, exception, syntax_error, exit, deadlock, timeout, crash, memory
    observations: dict = field(default_factory=dict)
    result: dict = field(default_factory=dict)
    phase: str | None = None
    output: str = ""
    output_truncated: bool = False
    output_bytes: int = 0
    exit_code: int | None = None
    fault_dump: str = ""
    pid: int | None = None

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def minimal_env() -> dict:
    return {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "HOME": "/nonexistent"}


def run_scenario(*, student_file: Path, module: str, scenario_source: str, function: str,
                 kwargs: dict | None = None, backstop: float = 10.0) -> Outcome:
    request = {
        "student_file": str(student_file),
        "module": module,
        "scenario_source": scenario_source,
        "function": function,
        "kwargs": kwargs or {},
        "backstop": backstop,
    }
    user = StudentUser.from_env()
    if user is not None:
        request["nice"] = STUDENT_NICE
    workdir = tempfile.mkdtemp(prefix="grader-child-")
    if user is not None:
        os.chmod(workdir, 0o777)  # the student's user works in it; the judge made it
    forks = fork_client.server(minimal_env())
    try:
        with forks.lock:
            return _run_child(forks, request, workdir, user, backstop)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _run_child(forks: fork_client.ForkServer, request: dict, workdir: str, user: StudentUser | None,
               backstop: float) -> Outcome:
    req_r, req_w = os.pipe()
    res_r, res_w = os.pipe()
    fault_r, fault_w = os.pipe()
    out_r, out_w = os.pipe()
    memory_kills = oom_kills()
    try:
        child = forks.spawn(fds=(req_r, res_w, fault_w, out_w), cwd=workdir,
                            uid=user.uid if user else None, gid=user.gid if user else None)
    except OSError as exc:
        for fd in (req_r, req_w, res_r, res_w, fault_r, fault_w, out_r, out_w):
            os.close(fd)
        return Outcome(status="crash", result={"message": f"could not start Python: {exc}"})
    for fd in (req_r, res_w, fault_w, out_w):
        os.close(fd)
    readers = [CappedReader(res_r, 4 * 1024 * 1024, close=True), CappedReader(fault_r, 256 * 1024, close=True),
               CappedReader(out_r, OUTPUT_CAP, close=True)]
    for r in readers:
        r.start()
    with os.fdopen(req_w, "wb") as fh:
        try:
            fh.write(json.dumps(request).encode("utf-8"))
        except BrokenPipeError:
            pass
    timed_out = not child.exited_within(backstop + GRACE)
    kill_group(child.pid)
    if user is not None:
        user.kill_all()  # daemons that left the group, and anything forged to outlive the run
    returncode = child.wait()
    for r in readers:
        r.join(timeout=5)
    res_reader, fault_reader, out_reader = readers
    outcome = _interpret(res_reader.data, returncode, timed_out, fault_reader.data)
    outcome.output = out_reader.data.decode("utf-8", "replace")
    outcome.output_truncated = out_reader.truncated
    outcome.output_bytes = out_reader.total
    outcome.pid = child.pid
    if outcome.status == "crash" and oom_kills() > memory_kills:
        outcome.status = "memory"  # the kernel's OOM killer, seen in the sandbox's memory cgroup
    return outcome


OOM_COUNTERS = (
    ("/sys/fs/cgroup/memory.events", "oom_kill"),  # cgroup v2
    ("/sys/fs/cgroup/memory/memory.oom_control", "oom_kill"),  # cgroup v1
)


def oom_kills() -> int:
    """How many processes the OOM killer has killed in this cgroup so far (0 where nobody counts)."""
    for path, key in OOM_COUNTERS:
        try:
            with open(path, encoding="ascii") as fh:
                for line in fh:
                    name, _, value = line.partition(" ")
                    if name == key:
                        return int(value)
        except (OSError, ValueError):
            continue
    return 0



def _interpret(raw: bytes, code: int, timed_out: bool, fault: bytes) -> Outcome:
    phase = None
    result = None
    for line in raw.decode("utf-8", "replace").splitlines():
        try:
            message = json.loads(line)
        except json.JSONDecodeError:
            continue
        if not isinstance(message, dict):
            continue
        if message.get("event") == "phase":
            phase = message.get("phase")
        elif message.get("event") == "result" and result is None:
            result = message
    fault_text = fault.decode("utf-8", "replace")
    if result is not None:
        status = result.get("status", "crash")
        observations = result.get("observations") if status == "ok" else {}
        if not isinstance(observations, dict):
            observations = {}
        return Outcome(status=status, observations=observations, result=result, phase=phase, exit_code=code)
    if timed_out or fault_text.strip():
        return Outcome(status="timeout", phase=phase, exit_code=code, fault_dump=fault_text)
    return Outcome(status="crash", phase=phase, exit_code=code)
