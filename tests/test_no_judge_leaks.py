"""Nothing of the judge in what a student reads (issue 23): the harness names a thread after the
student's function, never a wrapper of a pack's scenarios; an exception that a pack's own helper
raised reads as the student's call raising it, by a type of Python's, never JudgeError; and no
pack or catalog message speaks of the judge. (Every sample's report is scanned too:
tests/test_samples.py, with tests/judge_leaks.py.)"""

from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po

from grader.host import packs

from .conftest import ROOT
from .harness_helpers import run_program
from .judge_leaks import WORDS

STUDENT = """
import threading

def work(box):
    box.append(1)

def crash():
    raise ValueError("the student's own")

def serve(handle):
    return handle()
"""

WRAPPED = """
import threading

class JudgeError(Exception):
    pass

def run_wrapped(module, probe):
    box = []
    def wrapper():
        module.work(box)
    t = threading.Thread(target=wrapper)
    t.start()
    t.join()
    lam = threading.Thread(target=lambda: module.work(box))
    lam.start()
    lam.join()
    bare = threading.Thread(target=lambda: box.append(2))
    bare.start()
    bare.join()
    own = threading.Thread(target=module.work, args=(box,))
    own.start()
    own.join()
    return {"names": [t.name, lam.name, bare.name, own.name]}


def raise_judges(module, probe):
    def handle():
        raise JudgeError("left angry")

    def visit():
        handle()

    t = threading.Thread(target=visit)
    t.start()
    t.join()
    served = threading.Thread(target=module.serve, args=(handle,))
    served.start()
    served.join()
    return {"errors": probe.thread_errors(), "object": probe.encode(JudgeError("x")),
            "own": probe.encode(ValueError("y"))}
"""


def test_a_thread_is_named_after_the_students_function_never_a_wrapper(tmp_path):
    outcome = run_program(tmp_path, STUDENT, scenario=WRAPPED, function="run_wrapped")
    assert outcome.status == "ok", outcome
    assert outcome.observations["names"] == ["Thread-1 (work)", "Thread-2 (work)", "Thread-3", "Thread-4 (work)"]


def test_an_exception_a_scenario_raised_reads_as_pythons_own_type(tmp_path):
    outcome = run_program(tmp_path, STUDENT, scenario=WRAPPED, function="raise_judges")
    assert outcome.status == "ok", outcome
    first, served = outcome.observations["errors"]
    assert first["type"] == served["type"] == "Exception"  # JudgeError(Exception): the nearest class not the judge's
    assert [s["function"] for s in served["stack"]] == ["serve"]  # the student's call that raised it
    # what Python printed for the student: their own line, not the scenario's, and no JudgeError
    assert "Exception in thread Thread-2 (serve):" in outcome.output
    assert "in serve" in outcome.output and "Exception: left angry" in outcome.output
    assert "judge" not in outcome.output.lower() and "in handle" not in outcome.output
    assert outcome.observations["object"]["__object__"] == "Exception"
    assert outcome.observations["own"]["__object__"] == "ValueError"


def _pack_messages():
    for exercise in packs.load_all(ROOT / "exercises"):
        path = exercise.root / "i18n" / "zh.po"
        with path.open("rb") as fh:
            catalog = read_po(fh)
        for message in [*catalog, *catalog.obsolete.values()]:  # obsolete: what results stored earlier show
            if message.id:
                yield pytest.param(exercise.slug, message.id, message.string, id=f"{exercise.slug}:{message.id[:40]}")


@pytest.mark.parametrize("slug,msgid,msgstr", list(_pack_messages()))
def test_no_pack_message_speaks_of_the_judge(slug, msgid, msgstr):
    assert not WORDS.search(msgid), f"{slug}: {msgid}"
    assert not WORDS.search(msgstr or ""), f"{slug}: {msgstr}"


def test_no_check_is_named_after_the_judge():
    for exercise in packs.load_all(ROOT / "exercises"):
        assert [name for name in exercise.spec.checks if WORDS.search(name)] == [], exercise.slug


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_graders_catalog_does_not_speak_of_the_judge(lang):
    path = ROOT / "grader" / "locale" / lang / "LC_MESSAGES" / "grader.po"
    with path.open("rb") as fh:
        catalog = read_po(fh)
    said = [m.string for m in catalog if m.id and isinstance(m.string, str) and WORDS.search(m.string)]
    assert said == []
    assert not [m for m in catalog if m.id and re.search(r"JudgeError", str(m.string))]


EMPTY = """
import queue
import threading

def work(q):
    q.get_nowait()

def main():
    t = threading.Thread(target=work, args=(queue.Queue(),))
    t.start()
    t.join()
"""


def test_a_threads_traceback_shows_no_frame_of_the_harness(tmp_path):
    """queue.Empty out of get_nowait() passes through the harness's instrumented queue: what Python
    prints for the student is their line and the standard library's, as it would be without us."""
    outcome = run_program(tmp_path, EMPTY)
    assert outcome.status == "ok", outcome
    assert "in work" in outcome.output and "_queue.Empty" in outcome.output
    assert "grader" not in outcome.output and "harness" not in outcome.output
