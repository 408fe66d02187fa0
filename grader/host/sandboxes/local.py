"""The local sandbox: the judge runs as a child process of the grader, under resource limits.

Not isolation: student code runs as the current user on this machine. It exists for students'
self-checks and for development; reports say so.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from ...pipes import CappedReader
from ..judge_report import JudgeRun, read_report
from ..packs import Exercise

HARNESS_ROOT = Path(__file__).resolve().parents[3]  # the folder that holds the grader package
JUDGE_INI = HARNESS_ROOT / "grader" / "harness" / "judge" / "judge.ini"

LIMITS = {
    resource.RLIMIT_AS: 2 * 1024**3,  # per process: a memory bomb fails instead of swapping
    resource.RLIMIT_FSIZE: 64 * 1024**2,  # a file-filling loop stops at 64 MiB
    resource.RLIMIT_NOFILE: 512,
    resource.RLIMIT_CORE: 0,
}
LOG_CAP = 64 * 1024


def judge_command(exercise: Exercise, student_path: Path, report_path: Path) -> list[str]:
    return [
        sys.executable, "-B", "-m", "pytest", str(exercise.tests_dir),
        "-c", str(JUDGE_INI), "--rootdir", str(exercise.tests_dir),
        "-p", "grader.harness.judge.plugin", "-p", "pytest_jsonreport.plugin", "-p", "no:cacheprovider",
        "--student-file", str(student_path), "--student-module", exercise.module,
        "--check-backstop", str(exercise.spec.check_timeout),
        "--json-report", "--json-report-file", str(report_path), "--json-report-omit", "streams", "log",
        "-q", "--no-header", "-rN",
    ]


def judge_env() -> dict:
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": str(Path(tempfile.gettempdir())),
        "PYTHONPATH": str(HARNESS_ROOT), "PYTHONDONTWRITEBYTECODE": "1",
        # only the plugins named on the command line: nothing installed nearby can join the judge
        "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
    }


def _limit(cpu_seconds: int):
    def apply():
        for which, value in {**LIMITS, resource.RLIMIT_CPU: cpu_seconds}.items():
            soft, hard = resource.getrlimit(which)
            cap = value if hard == resource.RLIM_INFINITY else min(value, hard)
            resource.setrlimit(which, (cap, cap))
    return apply


class LocalSandbox:
    name = "local"
    isolated = False

    def run_judge(self, exercise: Exercise, content: bytes) -> JudgeRun:
        with tempfile.TemporaryDirectory(prefix="grader-local-") as tmp:
            work = Path(tmp)
            student_dir = work / "submission"
            student_dir.mkdir()
            student_path = student_dir / exercise.student_file
            student_path.write_bytes(content)
            report_path = work / "judge-report.json"
            limit = exercise.spec.time_limit
            proc = subprocess.Popen(
                judge_command(exercise, student_path, report_path),
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                cwd=work, env=judge_env(), start_new_session=True,
                preexec_fn=_limit(int(limit * 2) + 5),
            )
            log = CappedReader(proc.stdout.fileno(), LOG_CAP)
            log.start()
            timed_out = False
            try:
                proc.wait(timeout=limit)
            except subprocess.TimeoutExpired:
                timed_out = True
            try:
                os.killpg(proc.pid, signal.SIGKILL)  # also whatever the judge's children left behind
            except ProcessLookupError:
                pass
            proc.wait()
            log.join(timeout=5)
            proc.stdout.close()
            report = None if timed_out else read_report(report_path)
            return JudgeRun(report=report, exit_code=proc.returncode, timed_out=timed_out,
                            time_limit=limit, log=log.data.decode("utf-8", "replace"))
