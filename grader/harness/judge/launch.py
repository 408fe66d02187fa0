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

from ...pipes import CappedReader
from .processes import exited_within, kill_group

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


def _limit(cpu_seconds: int):
    def apply():
        for which, value in {**LIMITS, resource.RLIMIT_CPU: cpu_seconds}.items():
            soft, hard = resource.getrlimit(which)
            cap = value if hard == resource.RLIM_INFINITY else min(value, hard)
            resource.setrlimit(which, (cap, cap))
    return apply


def run_judge(*, tests_dir: Path, student_path: Path, module: str, check_backstop: float, time_limit: float,
              work_dir: Path, env: dict | None = None) -> dict:
    """Run pytest on `tests_dir` against the student's file; kill it at `time_limit` real seconds."""
    report_path = Path(work_dir) / "judge-report.json"
    proc = subprocess.Popen(
        judge_command(tests_dir=tests_dir, student_path=student_path, module=module,
                      check_backstop=check_backstop, report_path=report_path),
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        cwd=work_dir, env=judge_env(env), start_new_session=True,
        preexec_fn=_limit(int(time_limit * 2) + 5),
    )
    with _RUNNING_LOCK:
        _RUNNING.add(proc.pid)
    stdout = proc.stdout
    assert stdout is not None  # stdout=PIPE
    log = CappedReader(stdout.fileno(), LOG_CAP)
    log.start()
    timed_out = not exited_within(proc, time_limit)
    kill_group(proc.pid)  # also whatever the judge's children left behind
    proc.wait()
    with _RUNNING_LOCK:
        _RUNNING.discard(proc.pid)
    log.join(timeout=5)
    stdout.close()
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
