"""What a student reads says each cause once, in their own lines: collapsed waiters, a holder that
finished without releasing, a pool worker's own line, threads by name in a timeout, and every
export carrying the same details as the HTML report."""

from __future__ import annotations

import json
import shutil

from grader.harness.judge.verdicts import collapse_threads, outcome_verdict
from grader.host.grading import grade_submission

from .conftest import ROOT
from .harness_helpers import run_program


def test_a_hundred_waiters_on_a_lock_left_held_read_as_one_line(tmp_path):
    outcome = run_program(tmp_path, """
        import threading
        lock = threading.Lock()
        def leave_it_locked():
            lock.acquire()
        def wait_for_it():
            with lock:
                pass
        def main():
            first = threading.Thread(target=leave_it_locked)
            first.start()
            first.join()
            waiters = [threading.Thread(target=wait_for_it) for _ in range(100)]
            for t in waiters:
                t.start()
            for t in waiters:
                t.join()
    """)
    assert outcome.status == "deadlock"
    verdict = outcome_verdict(outcome, str(tmp_path / "prog.py"))
    threads = verdict["threads"]
    assert len(threads) == 2, [t["name"] for t in threads]  # MainThread, and the 100 waiters as one
    waiters = next(t for t in threads if t.get("count"))
    assert waiters["count"] == 100 and waiters["name"] == "Thread-2 (wait_for_it)"
    assert waiters["last"] == "Thread-101 (wait_for_it)"
    assert waiters["waiting_on"]["owner"] == "Thread-1 (leave_it_locked)" and waiters["waiting_on"]["owner_finished"]


def test_collapse_keeps_different_waits_apart():
    a = {"name": "A", "status": "blocked", "waiting_on": {"thread": "X"}, "stack": [{"line": 1}]}
    b = {**a, "name": "B"}
    c = {**a, "name": "C", "stack": [{"line": 2}]}
    assert collapse_threads([a, b, c]) == [{**a, "count": 2, "last": "B"}, c]


def test_collapse_names_only_a_range_it_counts():
    # Seen in a report: "Thread-1 ... Thread-10 (9 threads)", then Thread-9 on a line of its own.
    stuck = [{"name": f"Thread-{i}", "status": "blocked", "stack": [{"line": 9 if i == 9 else 4}]}
             for i in range(1, 11)]
    assert [(t["name"], t.get("last"), t.get("count")) for t in collapse_threads(stuck)] == [
        ("Thread-1", "Thread-8", 8), ("Thread-9", None, None), ("Thread-10", None, None)]


def test_an_exception_in_a_pool_worker_points_at_the_workers_line(tmp_path):
    outcome = run_program(tmp_path, """
        from multiprocessing import Pool
        def inverse(x):
            return 1 / x
        def main():
            with Pool(2) as pool:
                return pool.map(inverse, [1, 2, 0, 4])
    """)
    assert outcome.status == "exception" and outcome.result["in_worker"]
    assert [s["line"] for s in outcome.result["stack"]] == [4]  # `return 1 / x`, in the worker
    verdict = outcome_verdict(outcome, str(tmp_path / "prog.py"))
    assert verdict["message"]["id"] == "exception_worker" and verdict["stack"][0]["code"] == "return 1 / x"


def test_a_timeout_names_threads_by_their_python_name(tmp_path):
    outcome = run_program(tmp_path, """
        import os, threading
        def read_forever(fd):
            os.read(fd, 1)
        def main():
            r, w = os.pipe()
            t = threading.Thread(target=read_forever, args=(r,), name="reader")
            t.start()
            t.join()
    """, backstop=1.0)
    assert outcome.status == "timeout"
    verdict = outcome_verdict(outcome, str(tmp_path / "prog.py"))
    names = {t["name"] for t in verdict["threads"]}
    assert "reader" in names and not any(n.startswith("thread 0x") for n in names), names


def test_gradescope_results_carry_the_stuck_lines(tmp_path):
    # Regression: the output ended "The lines where each thread is stuck are below." with nothing below.
    from grader.host.batch.run import grade_class

    cls = tmp_path / "class"
    (cls / "ann").mkdir(parents=True)
    shutil.copy(ROOT / "tests" / "samples" / "semaphore-handoff" / "producer_never_releases.py",
                cls / "ann" / "handoff.py")
    out = tmp_path / "out"
    grade_class(submissions=cls, out_dir=out, sandbox="local", workers=1)
    results = json.loads((out / "ann" / "results.json").read_text(encoding="utf-8"))
    stuck = next(t for t in results["tests"] if t["name"] == "semaphore-handoff: run_returns_value")
    assert "Deadlock" in stuck["output"] and "ready.acquire()" in stuck["output"]
    assert "line " in stuck["output"]


def test_one_exception_in_every_check_is_said_once(tmp_path):
    source = (ROOT / "solutions" / "race-counter" / "race_counter.py").read_text(encoding="utf-8")
    broken = source.replace("def run(", "def run(*args, **kwargs):\n    raise KeyError('config')\n\n\ndef _old_run(")
    (tmp_path / "race_counter.py").write_text(broken, encoding="utf-8")
    result = grade_submission(submission=tmp_path, student="s", exercises=["race-counter"], sandbox="local",
                              out_dir=tmp_path / "out")
    (ex,) = result.exercises
    assert len(ex.shared) == 1 and len(ex.shared[0]["checks"]) >= 3
    html = (tmp_path / "out" / "s" / "report.html").read_text(encoding="utf-8")
    assert html.count("Your code raised KeyError") == 1


def test_a_student_object_reads_with_its_article_in_both_languages():
    from grader.harness.judge.api import describe
    from grader.host.messages import render

    account, tally = describe({"__object__": "Account"}), describe({"__object__": "Tally"})
    assert (account, tally) == ("an Account object", "a Tally object")
    assert render(account.ref, "en") == "an Account object" and render(tally.ref, "en") == "a Tally object"
    assert render(account.ref, "zh") == "一个 Account 对象"


CASES_SCENARIO = """
def each_case(module, probe, cases):
    return {"results": [module.run(n, names) for n, names in cases]}
"""


def test_a_deadlock_in_the_second_case_says_which_call_it_was(tmp_path):
    from grader.harness.judge.verdicts import outcome_verdict
    from grader.host.report_text import details_lines

    outcome = run_program(tmp_path, """
        import threading
        lock = threading.Lock()
        def run(n, names):
            if n == 2:
                with lock:
                    with lock:  # a Lock taken twice by its holder
                        pass
            return n
    """, scenario=CASES_SCENARIO, function="each_case", cases=[[1, ["a"]], [2, ["b", "c"]], [3, []]])
    assert outcome.status == "deadlock" and outcome.call == "run(2, ['b', 'c'])"
    verdict = outcome_verdict(outcome, str(tmp_path / "prog.py"))
    assert verdict["call"] == "run(2, ['b', 'c'])"
    assert details_lines(verdict)[0] == "The check's last call into your file: `run(2, ['b', 'c'])`"
    assert details_lines(verdict, "zh")[0] == "这项检查最后一次调用你的文件：`run(2, ['b', 'c'])`"


def test_a_call_shows_plain_values_and_names_the_rest(tmp_path):
    outcome = run_program(tmp_path, """
        class Account:
            def transfer(self, other, amount, note):
                raise ValueError("no")
    """, scenario="""
def go(module, probe):
    a = module.Account()
    a.transfer(module.Account(), 50, "x" * 100)
""", function="go")
    assert outcome.status == "exception"
    assert outcome.call == "Account.transfer(other, 50, '" + "x" * 40 + "'…)"
