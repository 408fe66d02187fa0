"""The static screen (host/screen.py): lines that reach for the grader's internals, found without
running the file; honest answers have none."""

from __future__ import annotations

import pytest

from grader.host.screen import findings

from .conftest import ROOT

REACHING = [
    ("import grader.harness.child.install", "import grader.harness.child.install"),
    ("from grader.harness.child import probe", "from grader.harness.child import"),
    ("p = sys.modules['grader.harness.child.probe']", "'grader.harness.child.probe'"),
    ("m = importlib.import_module('grader.harness.child.install')", "'grader.harness.child.install'"),
    ("f = sys._getframe()", "sys._getframe"),
    ("f = getattr(sys, '_getframe')()", "'_getframe'"),
    ("frame.f_trace = None", ".f_trace"),
    ("check.__code__ = other.__code__", ".__code__"),
    ("threading._trace_hook = None", "._trace_hook"),
    ("gc.get_objects()", "gc.get_objects"),
    ("from gc import get_referrers", "gc.get_referrers"),
    ("import ctypes", "import ctypes"),
]


@pytest.mark.parametrize("line,what", REACHING)
def test_a_line_reaching_for_the_internals_is_found(line, what):
    source = f"import sys\n\n{line}\n"
    assert findings(source.encode()) == [{"line": 3, "code": line, "what": what}]


def test_no_reference_solution_sample_or_starter_is_flagged():
    files = [*ROOT.glob("solutions/*/*.py"), *ROOT.glob("tests/samples/*/*.py"), *ROOT.glob("exercises/*/*.py")]
    assert files and {str(p): findings(p.read_bytes()) for p in files if findings(p.read_bytes())} == {}


def test_a_file_that_does_not_parse_has_no_findings():
    assert findings(b"def broken(:\n") == []
