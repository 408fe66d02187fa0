"""Run a scenario in a fresh child and bring back what it observed: once, or once per schedule.

The child is forked from the fork server (a clean preloaded interpreter, see fork_server.py) and
gets its own session and process group, an empty stdin, a minimal environment and a fresh
temporary working folder. Its output is read through a size cap. A backstop per run kills the
whole process group: counted on the run's own clock (scenario_clock.py: CPU received while it is
runnable, real time while it is blocked), so a loaded machine does not end a correct run; the child's
faulthandler keeps a real-time outer limit of OUTER times the backstop. Nothing the child sends is
trusted beyond being data: assertions stay here.

A `ChildSession` is one child and its pipes. `run_scenario` sends one request and closes the
request pipe, so the child runs the first schedule and leaves; schedule exploration (explore.py)
keeps the pipe open and sends a schedule at a time.
"""

from __future__ import annotations

import json
import os
import queue
import secrets
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from ...pipes import CappedReader
from . import fork_client
from .cgroup import oom_kills
from .scenario_clock import TICK, ScenarioClock, child_as_seen_here
from .student_user import StudentUser

OUTPUT_CAP = 64 * 1024  # bytes of the student's output kept per child
RESULT_LINE_CAP = 4 * 1024 * 1024  # one result line; a longer one is dropped (fails closed)
GRACE = 2.0  # seconds past the backstop for the child's dump of its threads, and to leave
OUTER = 6  # the real-time limit, in backstops, however starved the run (the child's own faulthandler)
# In the container only, where the container's CPU share shields the student from other load:
# student code runs at the lowest priority, so the judge always gets the CPU it needs.
STUDENT_NICE = 19
CPU_SLOT_ENV = "GRADER_CPU_SLOT"  # set by the container's entry (one per lane) and the local sandbox


@dataclass
class Outcome:
    """What one scenario run produced, as data."""

    # ok, exception, syntax_error, exit, deadlock, busy_wait, timeout, crash, memory, tampered (guard.py,
    # integrity.py, or an ok result without the session's seal); thread_exception
    # is never the child's: explore.py makes it of an ok run in which a thread died (`thread_deaths`)
    status: str
    observations: dict = field(default_factory=dict)
    result: dict = field(default_factory=dict)
    phase: str | None = None
    output: str = ""
    output_truncated: bool = False
    output_bytes: int = 0
    exit_code: int | None = None
    fault_dump: str = ""
    pid: int | None = None
    thread_names: dict = field(default_factory=dict)  # "0x<ident>" -> the thread's Python name
    call: str | None = None  # the scenario's last call into the student's file, as code

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @property
    def thread_deaths(self) -> list[dict]:
        """The tracked threads that an uncaught exception ended during an ok run, as the child
        reported them (thread, type, message, the student's stack), in the order they died."""
        deaths = self.result.get("thread_deaths") if self.ok else None
        return [d for d in deaths if isinstance(d, dict)] if isinstance(deaths, list) else []

    @property
    def schedule(self) -> dict:
        """How the run was scheduled (steps, decisions, widths, trace), as the child reported it."""
        info = self.result.get("schedule")
        return info if isinstance(info, dict) else {}


def minimal_env() -> dict:
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "HOME": "/nonexistent",
           "PYTHONHASHSEED": "0"}  # the same set and dict orders on every run
    if os.environ.get("GRADER_PORTABLE"):
        env["GRADER_PORTABLE"] = "1"  # no pidfd, no /proc: what a Mac has (tests/test_handout.py)
    return env


def scenario_request(*, student_file: Path, module: str, scenario_source: str, function: str,
                     kwargs: dict | None = None, backstop: float = 10.0, run: dict | None = None,
                     trace: bool = False, tracing: bool = True) -> dict:
    """`run`: the first schedule's spec (strategies.from_spec); `trace`: record its events;
    `tracing=False`: no points in the student's bytecodes (bench/exploration.py measures the cost)."""
    return {
        "student_file": str(student_file),
        "module": module,
        "scenario_source": scenario_source,
        "function": function,
        "kwargs": kwargs or {},
        "backstop": backstop,
        "outer_backstop": backstop * OUTER,
        "run": run,
        "trace": trace,
        "tracing": tracing,
    }


def run_scenario(*, student_file: Path, module: str, scenario_source: str, function: str,
                 kwargs: dict | None = None, backstop: float = 10.0, run: dict | None = None,
                 trace: bool = False, tracing: bool = True) -> Outcome:
    """One run of one scenario, under the first schedule unless `run` names another."""
    request = scenario_request(student_file=student_file, module=module, scenario_source=scenario_source,
                               function=function, kwargs=kwargs, backstop=backstop, run=run, trace=trace,
                               tracing=tracing)
    with ChildSession(request) as session:
        session.end_requests()
        return session.next_outcome()


class ChildSession:
    """One child: the request goes in at the start, then more runs while it lives."""

    def __init__(self, request: dict):
        self.backstop = float(request["backstop"])
        # An ok result must carry it: the harness's, not a line the student's code wrote on the pipe.
        self.seal = secrets.token_hex(16)
        self.deadlock_seal = secrets.token_hex(16)  # a deadlock's facts may earn points (bootstrap.py)
        request = {**request, "seal": self.seal, "deadlock_seal": self.deadlock_seal}
        self.user = StudentUser.from_env()
        if self.user is not None:
            request = {**request, "nice": STUDENT_NICE}
        if os.environ.get(CPU_SLOT_ENV, "").isdigit():  # its own CPU (install.pin_to_one_cpu, host/cpu_slots.py)
            request = {**request, "cpu_slot": int(os.environ[CPU_SLOT_ENV])}
        self.forks = fork_client.server(minimal_env())
        sandbox = self.forks.sandbox  # where the sandboxed children can see it, if they are
        self.workdir = tempfile.mkdtemp(prefix="grader-child-", dir=sandbox.children_dir if sandbox else None)
        if self.user is not None:
            os.chmod(self.workdir, 0o777)  # the student's user works in it; the judge made it
        self.forks.lock.acquire()  # one child at a time, start to exit
        self._holds_lock = True
        self.child: fork_client.ForkedChild | None = None
        self._start_error: str | None = None
        self.returncode: int | None = None
        self.timed_out = False
        self.phase: str | None = None
        self.thread_names: dict[str, str] = {}
        self._kill_now = False  # the run ended on a worker's tampering: no grace to exit by itself
        self._results: queue.Queue = queue.Queue()
        self._requests: BinaryIO | None = None
        try:
            self._start(request)
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> ChildSession:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ----------------------------------------------------------------- talking
    def send_run(self, run: dict, trace: bool = False) -> bool:
        """Ask for one more run under schedule `run`; False when the child is gone."""
        if self._requests is None or self.returncode is not None:
            return False
        try:
            self._requests.write((json.dumps({"run": run, "trace": trace}) + "\n").encode("utf-8"))
            self._requests.flush()
            return True
        except (BrokenPipeError, ValueError):
            return False

    def end_requests(self) -> None:
        """No more runs: the child leaves after the current one."""
        if self._requests is not None:
            try:
                self._requests.close()
            except BrokenPipeError:
                pass
            self._requests = None

    def next_outcome(self) -> Outcome:
        """The outcome of the run in progress: a result line within the backstop, or the child's end."""
        result = self._next_result(self.backstop)
        if result is None or result.get("last") or self._requests is None:
            self._finish()  # the child is leaving: all of its output and its exit code belong here
        return self._outcome(result)

    @property
    def alive(self) -> bool:
        return self.returncode is None and self.child is not None

    # ----------------------------------------------------------------- internals
    def _start(self, request: dict) -> None:
        req_r, req_w = os.pipe()
        res_r, res_w = os.pipe()
        fault_r, fault_w = os.pipe()
        out_r, out_w = os.pipe()
        self._memory_kills = oom_kills()
        try:
            self.child = self.forks.spawn(fds=(req_r, res_w, fault_w, out_w), cwd=self.workdir,
                                          uid=self.user.uid if self.user else None,
                                          gid=self.user.gid if self.user else None)
        except OSError as exc:
            for fd in (req_r, req_w, res_r, res_w, fault_r, fault_w, out_r, out_w):
                os.close(fd)
            self._start_error = f"could not start Python: {exc}"
            return
        self._start_error = None
        for fd in (req_r, res_w, fault_w, out_w):
            os.close(fd)
        self._fault = CappedReader(fault_r, 256 * 1024, close=True)
        self._output = CappedReader(out_r, OUTPUT_CAP, close=True)
        self._lines = threading.Thread(target=self._read_results, args=(res_r,), daemon=True)
        for reader in (self._fault, self._output, self._lines):
            reader.start()
        self._requests = requests = os.fdopen(req_w, "wb")
        try:
            requests.write((json.dumps(request) + "\n").encode("utf-8"))
            requests.flush()
        except BrokenPipeError:
            pass

    def _read_results(self, fd: int) -> None:
        """Each line the child writes, parsed; None at the end of the pipe."""
        buffer = b""
        try:
            while True:
                data = os.read(fd, 65536)
                if not data:
                    break
                buffer += data
                while b"\n" in buffer:
                    line, buffer = buffer.split(b"\n", 1)
                    self._results.put(_parse(line))
                if len(buffer) > RESULT_LINE_CAP:
                    buffer = b""  # a runaway line: dropped, so that run has no result (fails closed)
        except OSError:
            pass
        finally:
            os.close(fd)
            self._results.put(None)

    def _next_result(self, seconds: float) -> dict | None:
        """The next result message within `seconds` on the run's clock; None if the child ended, or
        hung (then its threads' stacks are asked for: they say where)."""
        if self.child is None:
            return None
        clock = ScenarioClock(child_as_seen_here(self.forks.root_pid, self.child.pid, self.forks.sandbox is not None))
        outer = time.monotonic() + seconds * OUTER + GRACE  # the child's own limit, and then some
        while True:
            try:
                message = self._results.get(timeout=TICK)
            except queue.Empty:
                if clock.advance() >= seconds or time.monotonic() > outer:
                    self._ask_for_stacks()
                    self.timed_out = True
                    return None
                continue
            if message is None:
                self._results.put(None)  # stays at the end for any later read
                return None
            if message.get("event") == "phase":
                self.phase = message.get("phase")
                # The child arms its backstop when the student's code is about to run: count from here.
                clock.restart()
                outer = time.monotonic() + seconds * OUTER + GRACE
            elif message.get("event") == "thread" and len(self.thread_names) < 10000:
                self.thread_names[str(message.get("ident"))] = str(message.get("name"))[:200]
            elif message.get("event") == "worker_tampered":
                # A forked worker's refusal (bootstrap._guard): the run ends here, tampered, and the
                # child with it, at once (workers dying can leave a pool waiting for ever).
                self._kill_now = True
                return _worker_tampered(message)
            elif message.get("event") == "result":
                return message

    def _ask_for_stacks(self) -> None:
        """faulthandler's dump of every thread (SIGUSR2, bootstrap.py), within GRACE, before the kill."""
        assert self.child is not None
        before = self._fault.total
        self.child.ask_for_stacks()
        deadline = time.monotonic() + GRACE
        while self._fault.total == before and time.monotonic() < deadline and self.child.returncode is None:
            time.sleep(0.05)
        time.sleep(0.1)  # the rest of a long dump

    def _finish(self) -> None:
        """Make sure the child and everything it started are gone, and collect its exit code."""
        if self.child is None or self.returncode is not None:
            return
        self.end_requests()
        if not self.timed_out and not self._kill_now:
            self.timed_out = not self.child.exited_within(GRACE)
        self.child.kill()
        if self.user is not None:
            self.user.kill_all()  # daemons that left the group, and anything forged to outlive the run
        self.returncode = self.child.wait()
        for reader in (self._fault, self._output, self._lines):
            reader.join(timeout=5)

    def _outcome(self, result: dict | None) -> Outcome:
        if self.child is None:
            return Outcome(status="crash", result={"message": self._start_error or "no child"})
        fault = self._fault.data if self.returncode is not None else b""
        # An ok result, and a deadlock's (its facts may earn points), must carry their seal.
        sealed = {"ok": self.seal, "deadlock": self.deadlock_seal}
        status = result.get("status") if result is not None else None
        if result is not None and status in sealed and result.get("seal") != sealed[status]:
            result = {"status": "tampered", "what": "forged_result"}
        if self.returncode is not None and (result or {}).get("status") != "tampered":
            result = self._late_worker_tampering() or result
        outcome = _interpret(result, self.phase, self.returncode, self.timed_out, fault)
        outcome.output = self._output.data.decode("utf-8", "replace")
        outcome.output_truncated = self._output.truncated
        outcome.output_bytes = self._output.total
        outcome.pid = self.child.pid
        outcome.thread_names = dict(self.thread_names)
        if outcome.status == "crash" and oom_kills() > self._memory_kills:
            outcome.status = "memory"  # the kernel's OOM killer, seen in the sandbox's memory cgroup
        return outcome

    def _late_worker_tampering(self) -> dict | None:
        """A forked worker's refusal that came after the parent's last result (the child has ended:
        every line it wrote is in the queue). The None that marks the end stays for later reads."""
        found = None
        while True:
            try:
                message = self._results.get_nowait()
            except queue.Empty:
                break
            if message is None:
                break
            if message.get("event") == "worker_tampered" and found is None:
                found = _worker_tampered(message)
        self._results.put(None)
        return found

    def close(self) -> None:
        try:
            self._finish()
        finally:
            shutil.rmtree(self.workdir, ignore_errors=True)
            if self._holds_lock:
                self._holds_lock = False
                self.forks.lock.release()


def _worker_tampered(message: dict) -> dict:
    found = {k: v for k, v in message.items() if k not in ("event", "status", "last", "seal")}
    return {**found, "event": "result", "status": "tampered", "worker": True, "last": True}


def _parse(line: bytes):
    try:
        message = json.loads(line.decode("utf-8", "replace"))
    except json.JSONDecodeError:
        return {}
    return message if isinstance(message, dict) else {}


def _interpret(result: dict | None, phase: str | None, code: int | None, timed_out: bool,
               fault: bytes) -> Outcome:
    fault_text = fault.decode("utf-8", "replace")
    if result is not None:
        status = result.get("status", "crash")
        observations = result.get("observations") if status == "ok" else {}
        if not isinstance(observations, dict):
            observations = {}
        call = result.get("call") if status != "ok" else None
        return Outcome(status=status, observations=observations, result=result, phase=phase, exit_code=code,
                       call=str(call)[:200] if call else None)
    if timed_out or fault_text.strip():
        return Outcome(status="timeout", phase=phase, exit_code=code, fault_dump=fault_text)
    return Outcome(status="crash", phase=phase, exit_code=code)
