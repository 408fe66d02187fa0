"""Shared helpers for the grader's own tests."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "tests" / "samples"


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader.cli", *args], capture_output=True, text=True,
                          cwd=cwd or ROOT, timeout=600)


def grade_file(path: Path, student_file: str, exercise: str, tmp: Path, student: str = "s") -> tuple[dict, Path]:
    """Grade one file as a one-exercise submission through the CLI; return report.json and its folder."""
    submission = tmp / "submission"
    submission.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, submission / student_file)
    out = tmp / "out"
    proc = run_cli("grade", str(submission), "--student", student, "--out", str(out), "--exercise", exercise,
                   "--sandbox", "local")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    folder = out / student
    return json.loads((folder / "report.json").read_text(encoding="utf-8")), folder
