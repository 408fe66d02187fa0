"""A Lock or Semaphore made anew on each call (issue 23, item 6): what the child counts per creation
site, the rule that picks the sites made per call (judge/per_call.py), and the one sentence the
report says about it."""

from __future__ import annotations

import json
import re
from pathlib import Path

from grader.harness.judge.interleaving import number_instances
from grader.harness.judge.per_call import per_call_sites
from grader.host.grading import grade_submission
from grader.host.messages import text

from .harness_helpers import run_program

PACKS = Path(__file__).resolve().parent / "packs"


def _site(**counts) -> dict:
    """A creation site as the child reports it: by default `add()`'s Lock made on each of 8 calls by
    2 threads, each lock held once, by its maker alone, never waited for."""
    site = {"kind": "Lock", "line": 9, "function": "add", "instances": 8, "held": 8, "most_users": 1,
            "acquires": 8, "contended": 0, "threads": 2, "most_per_thread": 4}
    return {**site, **counts}


def test_a_lock_made_on_each_call_is_picked_with_its_count():
    assert per_call_sites([_site()]) == [{"kind": "Lock", "line": 9, "function": "add", "instances": 8}]


def test_a_lock_made_once_per_thread_in_the_function_it_runs_is_picked():
    # queue-drain: `lock = threading.Lock()` at the top of work(), taken on every turn of its loop
    assert per_call_sites([_site(function="work", instances=3, held=3, acquires=40, threads=3, most_per_thread=1)])


def test_one_lock_per_object_is_never_picked():
    # lock-ordering: each Account makes its lock in __init__; in one run each may be held by one thread
    assert per_call_sites([_site(function="__init__")]) == []
    # the same made by a factory: shared by several threads, or waited for when they meet
    assert per_call_sites([_site(function="make_account", most_users=2)]) == []
    assert per_call_sites([_site(function="make_account", contended=1)]) == []


def test_a_lock_per_word_kept_for_later_calls_is_not_picked():
    # word-tally's lock_per_word_check_then_act: 3 locks made, taken again by 40 later calls of add()
    assert per_call_sites([_site(instances=3, held=3, acquires=40, threads=2, most_per_thread=2)]) == []


def test_a_semaphore_one_thread_takes_and_another_releases_is_not_picked():
    # semaphore-handoff's keeps_semaphore_one: run() makes one per call, the consumer takes it once and
    # the producer releases it, so it is shared (a signal), only with the wrong start value
    assert per_call_sites([_site(kind="Semaphore", function="run", line=28, instances=6, held=6, acquires=6,
                                 threads=6, most_per_thread=1, most_users=2)]) == []


def test_locks_of_one_thread_alone_or_of_other_kinds_are_not_picked():
    assert per_call_sites([_site(threads=1, most_per_thread=8)]) == []  # it waits for no other thread anyway
    assert per_call_sites([_site(kind="Event")]) == []
    assert per_call_sites([_site(instances=1, held=1, acquires=1, threads=1, most_per_thread=1)]) == []
    assert per_call_sites([_site(function="<module>")]) == []
    assert per_call_sites([{"kind": "Lock", "line": 9}, "junk"]) == per_call_sites(None) == []


PROGRAM = """
import threading

class Account:
    def __init__(self):
        self.lock = threading.Lock()
        self.balance = 0

class Tally:
    def __init__(self):
        self.n = 0

    def add(self):
        with threading.Lock():
            self.n += 1

def handoff():
    ready = threading.Semaphore(1)  # a signal: one thread takes it, another gives it back
    taker = threading.Thread(target=ready.acquire)
    taker.start()
    taker.join()
    ready.release()

def main():
    tally, accounts = Tally(), [Account(), Account()]
    handoff()
    handoff()

    def work():
        for _ in range(3):
            tally.add()
            for account in accounts:
                with account.lock:
                    account.balance += 1

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return tally.n
"""


def test_the_child_counts_instances_per_site_and_only_the_per_call_one_is_picked(tmp_path):
    outcome = run_program(tmp_path, PROGRAM)
    assert outcome.status == "ok", outcome.result
    sites = {(s["function"], s["line"]): s for s in outcome.schedule["sites"]}
    made_per_call, per_account, signal = sites[("add", 14)], sites[("__init__", 6)], sites[("handoff", 18)]
    assert (made_per_call["instances"], made_per_call["held"], made_per_call["most_users"]) == (6, 6, 1)
    assert (made_per_call["threads"], made_per_call["acquires"], made_per_call["contended"]) == (2, 6, 0)
    assert per_account["instances"] == 2 and per_account["most_users"] == 2  # both threads took each
    assert (signal["instances"], signal["threads"], signal["most_users"]) == (2, 2, 2)  # taken and released apart
    assert per_call_sites(outcome.schedule["sites"]) == [
        {"kind": "Lock", "line": 14, "function": "add", "instances": 6}]


PER_CALL = """import threading


class Hits:
    def __init__(self):
        self.count = 0

    def hit(self):
        with threading.Lock():
            self.count += 1
"""
READ_ONLY_LOCKED = PER_CALL.replace("self.count = 0", "self.count = 0\n        self.lock = threading.Lock()").replace(
    "with threading.Lock():\n            self.count += 1",
    "with self.lock:\n            current = self.count\n        self.count = current + 1")
NOTE = ("hit() creates a new Lock at line 9 on each call ({n} of them in this run), so each thread holds a Lock "
        "of its own and none waits for another: create one Lock once (in __init__ or at module level) and share it.")


def _grade(tmp_path: Path, source: str, lang: str = "en") -> tuple[dict, str]:
    submission = tmp_path / "submission"
    submission.mkdir()
    (submission / "hits.py").write_text(source, encoding="utf-8")
    grade_submission(submission=submission, student="s", out_dir=tmp_path / "out", sandbox="local",
                     exercises_root=PACKS, exercises=["hit-counter"], lang=lang)
    folder = tmp_path / "out" / "s"
    report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    return {c["name"]: c for c in report["exercises"][0]["checks"]}, (folder / "report.html").read_text("utf-8")


def test_a_lock_made_on_each_call_is_named_in_the_failing_check(tmp_path):
    checks, html = _grade(tmp_path, PER_CALL)
    check = checks["counts_every_hit"]
    assert check["status"] == "failed" and re.search(r"\b(1 hit was|[2-6] hits were) lost", check["message"])
    (site,) = check["details"]["per_call"]
    assert site["function"] == "hit" and site["line"] == 9 and site["instances"] >= 2
    assert check["message"].endswith(NOTE.format(n=site["instances"]))
    assert html.count("creates a new Lock at line 9 on each call") == 1


def test_the_note_reads_in_chinese(tmp_path):
    checks, _ = _grade(tmp_path, PER_CALL, lang="zh")
    assert "hit() 每次调用都在第 9 行新建一个 Lock（这次运行共建了" in checks["counts_every_hit"]["message"]


def test_a_lock_made_once_per_object_but_held_too_briefly_gets_no_such_note(tmp_path):
    # The lock lives with the object and both threads take it; the race is there, but not this mistake.
    assert "with self.lock:\n            current = self.count" in READ_ONLY_LOCKED
    checks, html = _grade(tmp_path, READ_ONLY_LOCKED)
    assert checks["counts_every_hit"]["status"] == "failed"
    assert "per_call" not in checks["counts_every_hit"]["details"] and "on each call" not in html


def test_the_trace_tells_two_locks_of_one_line_apart():
    from grader.harness.judge.interleaving import steps
    from grader.host.report_text import step_text

    def took(thread: str, prim_id: int, line: int = 9) -> dict:
        return {"t": thread, "line": 10, "code": "with threading.Lock():", "op": "acquired",
                "p": {"prim": {"kind": "Lock", "line": line, "id": prim_id}}}

    shown = number_instances(steps([took("T1", 1), {**took("T2", 2), "pre": True}, took("T1", 3, line=4)]))
    texts = [step_text(s) for s in shown]
    assert texts[:2] == ["takes the Lock #1 of line 9", "takes the Lock #2 of line 9"]
    assert texts[2] == "takes the Lock of line 4"  # the only one made on its line: no number
    assert shown[1]["holds"] == [{"kind": "Lock", "line": 9, "id": 2, "of_line": 2}]
    assert step_text(shown[1], "zh") == text("trace_acquired", "zh", prim="第 9 行创建的第 2 个 Lock")
