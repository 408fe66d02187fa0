"""Deadlocks are reported at once, with the student's lines for each stuck thread."""

from __future__ import annotations

from .harness_helpers import run_program


def _deadlock(tmp_path, source):
    outcome = run_program(tmp_path, source)
    assert outcome.status == "deadlock", (outcome.status, outcome.result)
    return outcome.result


def _lines(result):
    return {t["name"]: [s["line"] for s in t["stack"]] for t in result["threads"]}


def test_reacquiring_a_lock_you_hold(tmp_path):
    result = _deadlock(tmp_path, """
        import threading
        lock = threading.Lock()
        def main():
            with lock:
                with lock:
                    pass
    """)
    assert result["kind"] == "self"
    assert _lines(result) == {"MainThread": [6]}  # the inner `with lock:`


def test_a_lock_released_by_another_thread_is_a_signal_not_a_deadlock(tmp_path):
    """CPython lets any thread release a Lock: the main thread takes it twice and a worker's release
    lets it through. It was reported as a deadlock at the second acquire."""
    outcome = run_program(tmp_path, """
        import threading, time
        def main():
            done = threading.Lock()
            done.acquire()
            out = []
            def worker():
                time.sleep(0.1)
                out.append("worked")
                done.release()
            t = threading.Thread(target=worker)
            t.start()
            done.acquire()  # waits for the worker's release
            t.join()
            return out
    """)
    assert outcome.status == "ok", (outcome.status, outcome.result)


def test_a_lock_taken_twice_while_others_run_is_reported_once_nobody_can_release_it(tmp_path):
    """Deferred while another thread could still release it; that thread then waits for the same lock:
    the same cause as before, `self`, and the thread that took it twice."""
    result = _deadlock(tmp_path, """
        import threading, time
        lock = threading.Lock()
        def twice():
            with lock:
                with lock:
                    pass
        def other():
            time.sleep(0.1)
            with lock:
                pass
        def main():
            t1, t2 = threading.Thread(target=twice), threading.Thread(target=other)
            t1.start(); t2.start(); t1.join(); t2.join()
    """)
    assert result["kind"] == "self"
    assert _lines(result)["Thread-1 (twice)"] == [6]  # the inner `with lock:`


def test_rlock_reacquire_is_fine(tmp_path):
    outcome = run_program(tmp_path, """
        import threading
        lock = threading.RLock()
        def main():
            with lock:
                with lock:
                    return 1
    """)
    assert outcome.status == "ok"


def test_lock_order_cycle(tmp_path):
    result = _deadlock(tmp_path, """
        import threading, time
        a, b = threading.Lock(), threading.Lock()
        def one():
            with a:
                time.sleep(1)
                with b:
                    pass
        def two():
            with b:
                time.sleep(1)
                with a:
                    pass
        def main():
            t1, t2 = threading.Thread(target=one), threading.Thread(target=two)
            t1.start(); t2.start(); t1.join(); t2.join()
    """)
    assert result["kind"] == "cycle"
    lines = _lines(result)
    assert lines["Thread-1 (one)"] == [7] and lines["Thread-2 (two)"] == [12]
    waits = {t["name"]: t["waiting_on"] for t in result["threads"]}
    assert waits["Thread-1 (one)"]["owner"] == "Thread-2 (two)"


def test_everyone_blocked_with_nobody_to_wake_them(tmp_path):
    result = _deadlock(tmp_path, """
        import threading
        def main():
            sem = threading.Semaphore(0)
            t = threading.Thread(target=sem.acquire, name="consumer")
            t.start()
            t.join()
    """)
    assert result["kind"] == "all_blocked"
    waits = {t["name"]: t["waiting_on"] for t in result["threads"]}
    assert waits["consumer"]["prim"] == {"kind": "Semaphore", "line": 4, "code": "sem = threading.Semaphore(0)"}
    assert waits["MainThread"] == {"thread": "consumer"}


def test_timed_waits_are_not_deadlocks(tmp_path):
    outcome = run_program(tmp_path, """
        import threading
        def main():
            sem = threading.Semaphore(0)
            return sem.acquire(timeout=5)
    """)
    assert outcome.status == "ok" and outcome.observations == {"value": False, "now": 5.0}


def test_a_holder_that_finished_without_releasing_is_named_as_such(tmp_path):
    result = _deadlock(tmp_path, """
        import threading
        lock = threading.Lock()
        def take_and_leave():
            lock.acquire()
        def main():
            t = threading.Thread(target=take_and_leave, name="leaver")
            t.start()
            t.join()
            with lock:
                pass
    """)
    main = next(t for t in result["threads"] if t["name"] == "MainThread")
    assert main["waiting_on"]["owner"] == "leaver" and main["waiting_on"]["owner_finished"]
