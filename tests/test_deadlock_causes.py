"""A deadlock is explained to its cause, from what the judge knew when it stuck (child/stuck.py,
judge/causes.py): sentinels put against the threads that take from a queue, a consumer that counts
its items, one object passed twice. Issue 23, item 7."""

from __future__ import annotations

from grader.harness.judge.api import RecordedRun, deadlock_facts
from grader.harness.judge.verdicts import outcome_verdict
from grader.host.messages import render

from .harness_helpers import run_program

CONSUMER_LOOP = """
    import queue, threading
    def consumer(q, out):
        while True:
            item = q.get()
            if item is {stop}:
                return
            out.append(item)
    def main():
        q = queue.Queue()
        out = []
        cs = [threading.Thread(target=consumer, args=(q, out)) for _ in range(2)]
        for t in cs:
            t.start()
        for i in range(3):
            q.put(i)
        q.put({stop})
        for t in cs:
            t.join()
"""


def _verdict(tmp_path, source):
    outcome = run_program(tmp_path, source)
    assert outcome.status == "deadlock", (outcome.status, outcome.result)
    return outcome, outcome_verdict(outcome, str(tmp_path / "prog.py"))


def test_one_sentinel_for_two_consumers_is_counted(tmp_path):
    _, verdict = _verdict(tmp_path, CONSUMER_LOOP.format(stop="None"))
    message = verdict["message"]
    assert message["id"] == "deadlock_sentinels"
    assert {k: message["params"][k] for k in ("waiting", "sentinels", "consumers", "stopped", "value",
                                               "put_line", "line")} == {
        "waiting": 1, "sentinels": 1, "consumers": 2, "stopped": 1, "value": "None", "put_line": 17, "line": 5}
    for lang in ("en", "zh"):
        text = render(message, lang)
        assert "q.put(None)" in text and "{" not in text
    assert "1 sentinel (None) was put in it, at line 17 (`q.put(None)`), for 2 threads" in render(message)


def test_a_sentinel_object_is_named_without_its_address(tmp_path):
    source = "STOP = object()\n" + CONSUMER_LOOP.format(stop="STOP").replace("\n    ", "\n")
    _, verdict = _verdict(tmp_path, source)
    assert verdict["message"]["id"] == "deadlock_sentinels"
    assert verdict["message"]["params"]["value"] == "object()"


def test_a_consumer_that_takes_a_fixed_count_waits_for_items_never_put(tmp_path):
    _, verdict = _verdict(tmp_path, """
        import queue, threading
        def consumer(q, out):
            for _ in range(10):
                out.append(q.get())
        def main():
            q = queue.Queue()
            out = []
            t = threading.Thread(target=consumer, args=(q, out))
            t.start()
            for i in range(8):
                q.put(i)
            t.join()
    """)
    message = verdict["message"]
    assert message["id"] == "deadlock_fixed_count"
    params = message["params"]
    assert (params["put"], params["taken"], params["loop"], params["loop_line"], params["line"]) == (
        8, 8, "for _ in range(10):", 4, 5)
    assert "8 items were put in the queue and 8 taken" in render(message)


def test_consumers_that_stop_counting_leave_producers_in_a_full_queue(tmp_path):
    _, verdict = _verdict(tmp_path, """
        import queue, threading
        def consumer(q):
            for _ in range(2):  # a fixed count
                q.get()
        def main():
            q = queue.Queue(maxsize=1)
            cs = [threading.Thread(target=consumer, args=(q,)) for _ in range(2)]
            for t in cs:
                t.start()
            for i in range(10):
                q.put(i)
    """)
    message = verdict["message"]
    assert message["id"] == "deadlock_fixed_count_full"
    params = message["params"]
    assert (params["waiting"], params["maxsize"], params["takers"], params["each"], params["taken"],
            params["put"], params["loop"]) == (1, 1, 2, 2, 4, 5, "for _ in range(2):")


def test_counted_items_that_all_look_alike_are_not_taken_for_sentinels(tmp_path):
    _, verdict = _verdict(tmp_path, """
        import queue, threading
        def consumer(q):
            for _ in range(2):
                q.get()
        def main():
            q = queue.Queue()
            cs = [threading.Thread(target=consumer, args=(q,)) for _ in range(2)]
            for t in cs:
                t.start()
            for _ in range(3):
                q.put(1)
            for t in cs:
                t.join()
    """)
    assert verdict["message"]["id"] == "deadlock_fixed_count"


TRANSFER = """
    import threading
    class Account:
        def __init__(self, balance):
            self.balance = balance
            self.lock = threading.Lock()
    def transfer(src, dst, amount):
        with src.lock:
            with dst.lock:
                src.balance -= amount
                dst.balance += amount
    def main():
        a = Account(100)
        transfer(a, a, 5)
"""


def test_one_object_passed_twice_is_named_and_not_cured_with_an_rlock(tmp_path):
    _, verdict = _verdict(tmp_path, TRANSFER)
    message = verdict["message"]
    assert message["id"] == "deadlock_same_object"
    params = message["params"]
    assert (params["first"], params["second"], params["type"], params["attr"], params["line"], params["function"]) == (
        "src", "dst", "Account", "lock", 9, "transfer")
    en = render(message, "en")
    assert "`src` and `dst` the same Account object" in en
    assert "use an RLock" not in en and "return early when `src is dst`" in en
    assert "RLock" in render(message, "zh") and "src is dst" in render(message, "zh")


def test_a_lock_taken_twice_without_a_repeated_argument_keeps_the_rlock_advice(tmp_path):
    _, verdict = _verdict(tmp_path, """
        import threading
        lock = threading.Lock()
        def restock(a, b):
            with lock:
                with lock:
                    pass
        def main():
            shared = object()
            restock(shared, shared)
    """)
    assert verdict["message"] == {"id": "deadlock_self"}


def test_a_check_reads_what_a_deadlocked_run_showed_of_its_queues(tmp_path):
    outcome = run_program(tmp_path, CONSUMER_LOOP.format(stop="None").replace("queue.Queue()", "queue.Queue(2)"))
    facts = RecordedRun(outcome, "call_main").deadlock_facts
    assert facts is not None and facts == deadlock_facts(outcome)
    [q] = facts["queues"]
    assert (q["line"], q["maxsize"], q["put"], q["taken"], q["size"]) == (10, 2, 4, 4, 0)
    assert q["most"] <= 2
    assert [w["line"] for w in q["waiting_get"]] == [5]
    ok = run_program(tmp_path, "def main():\n    return 1\n")
    assert RecordedRun(ok, "call_main").deadlock_facts is None
