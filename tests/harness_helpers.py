"""Run a small program through the real child interpreter, as the judge does."""

from __future__ import annotations

import textwrap
from pathlib import Path

from grader.harness.judge.child_runner import Outcome, run_scenario

SCENARIO = """
def call_main(module, probe, **kwargs):
    return {"value": probe.encode(module.main(**kwargs)), "now": probe.now()}
"""


def run_program(tmp_path: Path, source: str, scenario: str = SCENARIO, function: str = "call_main",
                backstop: float = 10.0, **kwargs) -> Outcome:
    path = tmp_path / "prog.py"
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    return run_scenario(student_file=path, module="prog", scenario_source=scenario, function=function,
                        kwargs=kwargs, backstop=backstop)
