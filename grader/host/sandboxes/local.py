"""The local sandbox: the judge runs as a child process of the grader, under resource limits.

Not isolation: student code runs as the current user on this machine. It exists for students'
self-checks and for development; reports say so.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from ...harness.judge.launch import run_judge
from ..judge_report import JudgeRun
from .base import JudgeJob, SandboxRun


class LocalSandbox:
    name = "local"
    isolated = False

    def run(self, jobs: list[JudgeJob]) -> SandboxRun:
        return SandboxRun(runs={job.exercise.slug: self.run_judge(job) for job in jobs})

    def run_judge(self, job: JudgeJob) -> JudgeRun:
        exercise = job.exercise
        with tempfile.TemporaryDirectory(prefix="grader-local-") as tmp:
            work = Path(tmp)
            (work / "submission").mkdir()
            student_path = work / "submission" / exercise.student_file
            student_path.write_bytes(job.content)
            data = run_judge(tests_dir=exercise.tests_dir, student_path=student_path, module=exercise.module,
                             check_backstop=exercise.spec.check_timeout, time_limit=exercise.spec.time_limit,
                             work_dir=work)
        return JudgeRun.from_dict(data)
