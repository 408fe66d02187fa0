"""A thread that spins without progress yields; when every runnable thread spins, that is a busy wait,
reported at once with each thread's line (not at the real-time backstop)."""

from __future__ import annotations

from .harness_helpers import run_program


def _busy(tmp_path, source):
    outcome = run_program(tmp_path, source)
    assert outcome.status == "busy_wait", (outcome.status, outcome.result, outcome.fault_dump)
    return {t["name"]: t for t in outcome.result["threads"]}


def test_spinning_on_a_flag_a_sleeping_thread_will_set(tmp_path):
    threads = _busy(tmp_path, """
        import threading, time
        class Box:
            def __init__(self):
                self.item = None
        def producer(box):
            time.sleep(1)
            box.item = 42
        def main():
            box = Box()
            t = threading.Thread(target=producer, args=(box,), name="producer")
            t.start()
            while box.item is None:
                pass
            return box.item
    """)
    assert threads["MainThread"]["involved"] and threads["MainThread"]["stack"][-1]["line"] == 13
    assert threads["producer"]["status"] == "sleeping"


def test_spinning_on_queue_empty_and_is_alive(tmp_path):
    for condition in ("q.empty()", "t.is_alive()"):
        threads = _busy(tmp_path, """
            import queue, threading, time
            def main():
                q = queue.Queue()
                t = threading.Thread(target=lambda: (time.sleep(5), q.put(1)))
                t.start()
                while CONDITION:
                    pass
                return q.get()
        """.replace("CONDITION", condition))
        assert threads["MainThread"]["stack"][-1]["line"] == 7


def test_a_spinner_yields_to_a_thread_that_can_run(tmp_path):
    # No sleep anywhere: the setter is runnable, so the spinner must let it run, not hang.
    outcome = run_program(tmp_path, """
        import threading
        ready = False
        def setter():
            global ready
            total = 0
            for i in range(1000):
                total += i
            ready = True
        def main():
            t = threading.Thread(target=setter)
            t.start()
            while not ready:
                pass
            t.join()
            return "done"
    """)
    assert outcome.status == "ok" and outcome.observations["value"] == "done"


def test_a_spin_lock_yields_to_its_holder(tmp_path):
    outcome = run_program(tmp_path, """
        import threading
        lock = threading.Lock()
        log = []
        def holder():
            with lock:
                for i in range(500):
                    log.append(i)
        def main():
            t = threading.Thread(target=holder)
            t.start()
            while not lock.acquire(blocking=False):
                pass
            lock.release()
            t.join()
            return len(log)
    """)
    assert outcome.status == "ok" and outcome.observations["value"] == 500


def test_a_long_computation_is_not_a_busy_wait(tmp_path):
    # Its local variables change on every turn of the loop: it computes, it does not wait.
    outcome = run_program(tmp_path, """
        import threading, time
        shared = {"n": 7}
        def main():
            t = threading.Thread(target=time.sleep, args=(1,))
            t.start()
            total = 0
            for i in range(20000):
                total += i * shared["n"]
            t.join()
            return total
    """)
    assert outcome.status == "ok" and outcome.observations["value"] == 7 * sum(range(20000))
