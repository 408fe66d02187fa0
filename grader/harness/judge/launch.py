"""Start the judge (pytest with an exercise's hidden tests) under limits: used inside every sandbox.

The local sandbox calls `run_judge` on the host; the container's entry calls it inside the container.
It returns plain JSON-able data, which the host reads into a JudgeRun.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from ...pipes import CappedReader
from .processes import exited_within, kill_group

if TYPE_CHECKING:
    from .zygote_client import JudgeZygote

HARNESS_ROOT = Path(__file__).resolve().parents[3]  # the folder that holds the grader package
JUDGE_INI = Path(__file__).resolve().with_name("judge.ini")

LIMITS = {
    resource.RLIMIT_AS: 2 * 1024**3,  # per process: a memory bomb fails instead of swapping
    resource.RLIMIT_FSIZE: 64 * 1024**2,  # a file-filling loop stops at 64 MiB
    resource.RLIMIT_NOFILE: 512,
    resource.RLIMIT_CORE: 0,
}
LOG_CAP = 64 * 1024
_RUNNING: set[int] = set()  # process groups of judges running now, for kill_running()
_RUNNING_LOCK = threading.Lock()


def judge_command(*, tests_dir: Path, student_path: Path, module: str, check_backstop: float,
                  report_path: Path) -> list[str]:
    return [
        sys.executable, "-B", "-m", "pytest", str(tests_dir),
        "-c", str(JUDGE_INI), "--rootdir", str(tests_dir),
        "-p", "grader.harness.judge.plugin", "-p", "pytest_jsonreport.plugin", "-p", "no:cacheprovider",
        "--student-file", str(student_path), "--student-module", module,
        "--check-backstop", str(check_backstop),
        "--json-report", "--json-report-file", str(report_path), "--json-report-omit", "streams", "log",
        "-q", "--no-header", "-rN",
    ]


def judge_env(extra: dict | None = None) -> dict:
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": tempfile.gettempdir(),
        "PYTHONPATH": str(HARNESS_ROOT), "PYTHONDONTWRITEBYTECODE": "1",
        # only the plugins named on the command line: nothing installed nearby can join the judge
        "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
        **({"GRADER_PORTABLE": "1"} if os.environ.get("GRADER_PORTABLE") else {}),
        **(extra or {}),
    }


def judge_limits(cpu_seconds: int) -> dict[int, int]:
    """The judge's rlimits (each within this process's hard limit): its own and its fork server's."""
    caps = {}
    for which, value in {**LIMITS, resource.RLIMIT_CPU: cpu_seconds}.items():
        soft, hard = resource.getrlimit(which)
        caps[which] = value if hard == resource.RLIM_INFINITY else min(value, hard)
    return caps


def apply_limits(cpu_seconds: int) -> None:
    """The judge's rlimits, set in the judge process itself (before it runs anything)."""
    for which, cap in judge_limits(cpu_seconds).items():
        resource.setrlimit(which, (cap, cap))


def cpu_seconds_for(time_limit: float) -> int:
    return int(time_limit * 2) + 5


class _Started(Protocol):
    """A judge process: a Popen, or one forked by a zygote (zygote_client.ZygoteJudge)."""

    pid: int
    returncode: int | None

    def wait(self) -> int: ...


def run_judge(*, tests_dir: Path, student_path: Path, module: str, check_backstop: float, time_limit: float,
              work_dir: Path, env: dict | None = None, zygote: JudgeZygote | None = None) -> dict:
    """Run pytest on `tests_dir` against the student's file; kill it at `time_limit` real seconds.

    With a `zygote` (the container's lanes), the judge is forked from it, preloaded, instead of
    started as a fresh `python -m pytest`; everything else is the same."""
    report_path = Path(work_dir) / "judge-report.json"
    command = judge_command(tests_dir=tests_dir, student_path=student_path, module=module,
                            check_backstop=check_backstop, report_path=report_path)
    proc: _Started
    if zygote is None:
        popen = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            cwd=work_dir, env=judge_env(env), start_new_session=True,
            preexec_fn=lambda: apply_limits(cpu_seconds_for(time_limit)),
        )
        assert popen.stdout is not None  # stdout=PIPE
        log_fd = os.dup(popen.stdout.fileno())
        popen.stdout.close()
        proc, exited = popen, lambda seconds: exited_within(popen, seconds)
    else:
        log_fd, log_w = os.pipe()
        try:
            forked = zygote.start(argv=command[4:], cwd=str(work_dir), env=judge_env(env),
                                  cpu_seconds=cpu_seconds_for(time_limit), log_fd=log_w)
        except OSError:
            os.close(log_fd)
            raise
        finally:
            os.close(log_w)
        proc, exited = forked, forked.exited_within
    with _RUNNING_LOCK:
        _RUNNING.add(proc.pid)
    log = CappedReader(log_fd, LOG_CAP, close=True)
    log.start()
    timed_out = not exited(time_limit)
    kill_group(proc.pid)  # also whatever the judge's children left behind
    proc.wait()
    with _RUNNING_LOCK:
        _RUNNING.discard(proc.pid)
    log.join(timeout=5)
    return {
        "report": None if timed_out else _read_json(report_path),
        "exit_code": proc.returncode,
        "timed_out": timed_out,
        "time_limit": time_limit,
        "log": log.data.decode("utf-8", "replace"),
        "log_truncated": log.truncated,
    }


def kill_running() -> None:
    """Kill every judge this process is running now (Ctrl-C in a batch): they run in their own
    sessions, so the terminal's SIGINT does not reach them."""
    with _RUNNING_LOCK:
        groups = list(_RUNNING)
    for pgid in groups:
        kill_group(pgid)



def _read_json(path: Path) -> dict | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None
