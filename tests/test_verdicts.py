"""What the judge records for each way a scenario can end (pure functions)."""

from __future__ import annotations

import pytest

from grader.harness.judge.api import CheckFailed, ScenarioProblem, expect, fail
from grader.harness.judge.child_runner import Outcome
from grader.harness.judge.verdicts import fault_threads, verdict_for, waiting_on_processes

DUMP = """Thread 0x00007f0000000002 (most recent call first):
  File "/sub/prog.py", line 9 in spin
  File "/usr/lib/python3.11/threading.py", line 975 in run

Current thread 0x00007f0000000001 (most recent call first):
  File "/sub/prog.py", line 4 in inner
  File "/sub/prog.py", line 12 in main
  File "<judge scenario>", line 3 in call_main
"""


def test_expect_formats_the_message():
    with pytest.raises(CheckFailed) as info:
        expect(False, "returned {got}, expected {want}", got=99, want=0)
    assert info.value.message == "returned 99, expected 0"
    assert verdict_for(info.value, "/sub/prog.py")["status"] == "failed"


def test_fail_is_expect_false_said_outright():
    with pytest.raises(CheckFailed) as info:
        fail("returned {got}, expected {want}", got=99, want=0)
    assert info.value.message == "returned 99, expected 0"
    assert info.value.template == "returned {got}, expected {want}"  # the msgid, as expect's
    assert verdict_for(info.value, "/sub/prog.py")["status"] == "failed"


def test_passed_and_judge_errors():
    assert verdict_for(None, "f")["status"] == "passed"
    v = verdict_for(KeyError("observations"), "f")
    assert v == {"status": "error", "message": {"id": "judge_error"}}


@pytest.mark.parametrize("status,result,phase,want", [
    ("deadlock", {"kind": "cycle", "threads": []}, "scenario", ("deadlock", "deadlock_cycle")),
    ("exit", {"code": "3"}, "import", ("crash", "exit_import")),
    ("exception", {"type": "ValueError", "message": "x"}, "scenario", ("error", "exception_scenario")),
    ("crash", {}, "import", ("crash", "crash_import")),
    ("syntax_error", {"line": 3, "message": "bad"}, "import", ("error", "syntax_error")),
])
def test_scenario_outcomes(status, result, phase, want):
    v = verdict_for(ScenarioProblem(Outcome(status=status, result=result, phase=phase), "s"), "f")
    assert (v["status"], v["message"]["id"]) == want and v["phase"] == phase


def test_a_thread_that_died_reads_with_its_exception_and_line_in_both_languages():
    from grader.host.messages import render

    stack = [{"line": 4, "function": "work", "code": "t = q.get_nowait()"}]
    died = Outcome(status="thread_exception", phase="scenario",
                   result={"thread": "Thread-2 (work)", "type": "Empty", "message": "", "stack": stack})
    v = verdict_for(ScenarioProblem(died, "s"), "f")
    assert (v["status"], v["message"]["id"], v["stack"]) == ("error", "exception_thread", stack)
    en, zh = render(v["message"], "en"), render(v["message"], "zh")
    assert en.startswith("Thread Thread-2 (work) died of an uncaught exception, Empty, raised at line 4 "
                         "(`t = q.get_nowait()`).")
    assert zh.startswith("线程 Thread-2 (work) 因为一个没有被捕获的异常 Empty 而结束了，异常在第 4 行"
                         "（`t = q.get_nowait()`）抛出。")
    found = ScenarioProblem(died, "s")
    found.interleaving = {"schedule": 7, "steps": [{"n": 1}]}  # a schedule the search found: the race it shows
    v = verdict_for(found, "f")
    assert v["message"]["id"] == "exception_thread_schedule" and v["interleaving"] == found.interleaving
    assert render(v["message"], "en").startswith("Under the schedule below, thread Thread-2 (work) died of an "
                                                 "uncaught exception, Empty, raised at line 4")
    assert render(v["message"], "zh").startswith("在下面这种调度下，线程 Thread-2 (work) 因为一个没有被捕获的"
                                                 "异常 Empty")
    outside = Outcome(status="thread_exception", phase="scenario",
                      result={"thread": "w", "type": "TypeError", "message": "work() takes 2 arguments",
                              "stack": []})
    v = verdict_for(ScenarioProblem(outside, "s"), "f")
    assert v["message"]["id"] == "exception_thread_outside"
    assert "TypeError: work() takes 2 arguments, raised outside your file" in render(v["message"], "en")


def test_student_output_is_capped_in_the_verdict():
    outcome = Outcome(status="crash", phase="scenario", output="x" * 100_000, output_bytes=10**7,
                      output_truncated=True)
    v = verdict_for(ScenarioProblem(outcome, "s"), "f")
    assert len(v["output"]) == 8 * 1024 and v["output_truncated"] and v["output_bytes"] == 10**7


def test_fault_dump_is_trimmed_to_the_students_lines():
    threads = fault_threads(DUMP, "/sub/prog.py")
    assert [[s["line"] for s in t["stack"]] for t in threads] == [[9], [12, 4]]


def test_a_timeout_inside_multiprocessing_is_a_wait_for_another_process():
    student = "/work/relay.py"
    joined = ('Current thread 0x00007f0000000001 (most recent call first):\n'
              '  File "/usr/lib/python3.11/multiprocessing/popen_fork.py", line 27 in poll\n'
              '  File "/usr/lib/python3.11/multiprocessing/process.py", line 149 in join\n'
              f'  File "{student}", line 30 in relay\n'
              '  File "<judge scenario>", line 5 in relay_run\n')
    looping = ('Current thread 0x00007f0000000001 (most recent call first):\n'
               f'  File "{student}", line 12 in relay\n')
    assert waiting_on_processes(joined, student)
    assert not waiting_on_processes(looping, student)
    assert not waiting_on_processes(joined + "\n" + looping.replace("Current thread", "Thread"), student)
    assert not waiting_on_processes("", student)
