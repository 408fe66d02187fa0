"""pytest plugin loaded into the judge: options, the `student` fixture, and the verdict metadata.

The host starts pytest with `-p grader.harness.judge.plugin --student-file ... --json-report`;
each test's verdict lands in its pytest-json-report metadata under "verdict".
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .api import READ_RUNS, Student
from .explore import EXPLORED
from .held_http import FORGED
from .rendezvous import RendezvousServer
from .verdicts import verdict_for


def pytest_addoption(parser):
    group = parser.getgroup("grader judge")
    group.addoption("--student-file", required=True, help="the submitted file under test")
    group.addoption("--student-module", required=True, help="module name to import it as")
    group.addoption("--check-backstop", type=float, default=10.0,
                    help="real seconds before a scenario's process group is killed")


_STUDENTS: dict[Path, Student] = {}


@pytest.fixture(scope="module")
def rendezvous():
    """A judge-owned rendezvous server for proving that worker processes overlapped."""
    server = RendezvousServer()
    yield server
    server.close()


@pytest.fixture(scope="module")
def student(request) -> Student:
    """The submission, run through child interpreters with the scenarios beside this test file."""
    config = request.config
    scenarios = Path(request.path).parent / "scenarios.py"
    if scenarios not in _STUDENTS:
        _STUDENTS[scenarios] = Student(
            student_file=Path(os.path.realpath(config.getoption("--student-file"))),
            module=config.getoption("--student-module"),
            backstop=config.getoption("--check-backstop"),
            scenarios_file=scenarios,
        )
    return _STUDENTS[scenarios]


@pytest.hookimpl(optionalhook=True)  # the hook exists only when --json-report is on
def pytest_json_runtest_metadata(item, call):
    if call.when != "call":
        return {}
    exc = call.excinfo.value if call.excinfo is not None else None
    student_file = os.path.realpath(item.config.getoption("--student-file"))
    verdict = verdict_for(exc, student_file)
    if FORGED:  # what the judge's HTTP server saw cannot be trusted: fail closed, whatever the check says
        verdict = {"status": "tampered", "message": {"id": "tampered_forged_report"}}
    explored = EXPLORED.pop(item.nodeid, None)
    if explored and verdict["status"] == "passed":
        verdict["exploration"] = explored  # how many schedules the check was seen to pass under
    read = READ_RUNS.pop(item.nodeid, None)
    if read and verdict["status"] not in ("passed", "error") and "per_call" not in verdict:
        verdict["per_call"] = read  # the runs it read made a lock on each call: say so with the failure
    return {"verdict": verdict}
