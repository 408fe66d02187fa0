"""The local sandbox: the judge runs as a child process of the grader, under resource limits.

Student code runs as the current user on this machine. Where bubblewrap (`bwrap`) is installed and
works, each judge's scenario children run inside it (grader/harness/judge/isolation.py): they see
Python, the harness and the student's own file, not the hidden tests, the host's /tmp, its
processes or the network. Without it they run as before, with the judge's files in reach. Either
way it is for students' self-checks and for development, and reports say which it was.
"""

from __future__ import annotations

import functools
import logging
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from ...harness.judge.child_runner import CPU_SLOT_ENV, minimal_env
from ...harness.judge.isolation import HARNESS_ROOT, ChildSandbox
from ...harness.judge.launch import run_judge
from ..cpu_slots import cpu_slots
from ..judge_report import JudgeRun
from .base import JudgeJob, SandboxRun

log = logging.getLogger(__name__)

BUBBLEWRAP = "bubblewrap"
NONE = "none"
PROBE_SECONDS = 30.0  # a loaded machine is slow, never wrong


class LocalSandbox:
    name = "local"
    isolated = False  # same user, no memory or process caps of its own: grades come from the container

    def run(self, jobs: list[JudgeJob]) -> SandboxRun:
        runs, used = {}, set()
        for job in jobs:
            runs[job.exercise.slug], isolation = self.run_judge(job)
            used.add(isolation)
        return SandboxRun(runs=runs, isolation=BUBBLEWRAP if used == {BUBBLEWRAP} else NONE)

    def isolation(self) -> str:
        """What the children would run in here: bubblewrap where it works, else none."""
        return BUBBLEWRAP if usable_bwrap() else NONE

    def run_judge(self, job: JudgeJob) -> tuple[JudgeRun, str]:
        exercise = job.exercise
        with tempfile.TemporaryDirectory(prefix="grader-local-") as tmp:
            work = Path(tmp).resolve()
            (work / "submission").mkdir()
            student_path = work / "submission" / exercise.student_file
            student_path.write_bytes(job.content)
            sandbox = child_sandbox(work, exercise.root)
            # Its scenario children's CPU: one no other judge on this machine is pinned to now.
            with cpu_slots(1) as (slot,):
                env = {**(sandbox.to_env() if sandbox else {}), CPU_SLOT_ENV: str(slot)}
                data = run_judge(tests_dir=exercise.tests_dir, student_path=student_path, module=exercise.module,
                                 check_backstop=exercise.spec.check_timeout, time_limit=exercise.spec.time_limit,
                                 work_dir=work, env=env)
        return JudgeRun.from_dict(data), BUBBLEWRAP if sandbox else NONE


def child_sandbox(work: Path, pack_root: Path) -> ChildSandbox | None:
    """The sandbox for one judge's children, in its work folder; None where bwrap does not work,
    or would show a secret (a pack, the project, a home folder) through a read-only folder."""
    bwrap = usable_bwrap()
    if bwrap is None:
        return None
    sandbox = ChildSandbox(bwrap=bwrap, student_dir=str(work / "submission"), scratch=str(work / "scratch"))
    # A checkout holds every pack and solution; an installed grader (a handout's kit) sits in
    # site-packages, which holds nothing to hide.
    secrets = [pack_root, *([HARNESS_ROOT] if (HARNESS_ROOT / "pyproject.toml").exists() else [])]
    try:
        secrets.append(Path.home())
    except RuntimeError:  # no home folder to be found: none to hide
        pass
    exposing = sandbox.exposing(secrets)
    if exposing:
        log.warning("not isolating with bubblewrap: %s would show the exercise pack, the project or a home "
                    "folder to student code", ", ".join(exposing))
        return None
    sandbox.prepare()
    return sandbox


@functools.cache
def usable_bwrap() -> str | None:
    """bwrap's path if it is on PATH and runs the real sandbox with Python in it (tried once per
    process: it may be installed but refused, e.g. where user namespaces are disabled)."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return None
    with tempfile.TemporaryDirectory(prefix="grader-bwrap-probe-") as tmp:
        tmp = str(Path(tmp).resolve())
        os.mkdir(os.path.join(tmp, "submission"))
        sandbox = ChildSandbox(bwrap=bwrap, student_dir=os.path.join(tmp, "submission"),
                               scratch=os.path.join(tmp, "scratch"))
        sandbox.prepare()
        # What the fork server will do, in short: start Python there and import from the harness
        # (-S: no site-packages, whose .pth files would triple the probe's time).
        code = (f"import sys; sys.path.insert(0, {str(HARNESS_ROOT)!r}); "
                "import grader.harness.child.bootstrap; print('ok')")
        try:
            proc = subprocess.run(sandbox.command([sys.executable, "-I", "-S", "-c", code]), env=minimal_env(),
                                  stdin=subprocess.DEVNULL, capture_output=True, timeout=PROBE_SECONDS)
        except (OSError, subprocess.SubprocessError) as exc:
            log.warning("bwrap is installed but could not run (%s); student code runs unisolated", exc)
            return None
    if proc.returncode != 0 or proc.stdout.strip() != b"ok":
        reason = (proc.stderr or proc.stdout).decode("utf-8", "replace").strip()[-500:]
        log.warning("bwrap is installed but does not work here (exit code %s: %s); student code runs unisolated",
                    proc.returncode, reason)
        return None
    return bwrap
