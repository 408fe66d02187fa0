"""What scenarios can observe (grader/harness/child/probe.py), through real child interpreters."""

from __future__ import annotations

from .harness_helpers import run_program

OBSERVE = """
def observe(module, probe, **kwargs):
    result = module.main(probe, **kwargs)
    return {"value": probe.encode(result), "errors": probe.thread_errors(),
            "asleep": probe.most_asleep_at_once()}
"""


def _observe(tmp_path, source, **kwargs):
    outcome = run_program(tmp_path, source, scenario=OBSERVE, function="observe", **kwargs)
    assert outcome.status == "ok", (outcome.status, outcome.result)
    return outcome.observations, outcome


def test_an_exception_that_ends_a_thread_is_recorded_with_its_line_and_still_printed(tmp_path):
    obs, outcome = _observe(tmp_path, """
        import threading
        def work():
            raise ValueError("no desk")
        def main(probe):
            t = threading.Thread(target=work, name="customer-1")
            t.start()
            t.join()
    """)
    (error,) = obs["errors"]
    assert error["thread"] == "customer-1" and error["type"] == "ValueError" and error["message"] == "no desk"
    assert error["stack"][-1]["line"] == 4
    assert "ValueError: no desk" in outcome.output  # as Python prints it


def test_most_asleep_at_once_counts_overlapping_sleeps(tmp_path):
    obs, _ = _observe(tmp_path, """
        import threading, time
        def main(probe):
            ts = [threading.Thread(target=time.sleep, args=(1,)) for _ in range(4)]
            [t.start() for t in ts]; [t.join() for t in ts]
            time.sleep(1)  # alone, after the others
    """)
    assert obs["asleep"] == 4


def test_a_queues_log_says_who_polled_and_how_full_it_got(tmp_path):
    obs, _ = _observe(tmp_path, """
        import queue, threading
        def main(probe):
            q = queue.Queue(maxsize=2)
            def produce():
                for i in range(4):
                    q.put(i)
            t = threading.Thread(target=produce, name="producer")
            t.start()
            try:
                q.get_nowait()
                q.get_nowait()
                q.get_nowait()
            except queue.Empty:
                pass
            t.join()
            return probe.queue_log(q)
    """)
    log = obs["value"]
    assert max(e["size"] for e in log) == 2
    assert [e["outcome"] for e in log if e["op"] == "get_nowait"][-1] == "empty"
    assert {e["thread"] for e in log if e["op"] == "put"} == {"producer"}


def test_run_as_main_waits_for_non_daemon_threads_and_cuts_daemons_off(tmp_path):
    scenario = """
def as_script(module, probe, argv):
    return probe.run_as_main(argv)
"""
    daemon = run_program(tmp_path, """
        import queue, sys, threading, time
        def writer(q, out):
            while True:
                out.append(q.get())
                time.sleep(1)
        if __name__ == "__main__":
            q, out = queue.Queue(), []
            threading.Thread(target=writer, args=(q, out), daemon=True, name="writer").start()
            for i in range(int(sys.argv[1])):
                q.put(i)
            sys.exit(3)
        def main():
            pass
    """, scenario=scenario, function="as_script", argv=["5"])
    assert daemon.status == "ok", daemon.result
    assert daemon.observations == {"exit_status": 3, "daemons_cut_off": ["writer"]}
    forever = run_program(tmp_path, """
        import queue, threading
        def writer(q):
            while True:
                q.get()
        if __name__ == "__main__":
            q = queue.Queue()
            threading.Thread(target=writer, args=(q,), name="writer").start()
            q.put("line")
    """, scenario=scenario, function="as_script", argv=[])
    assert forever.status == "deadlock" and forever.result["kind"] == "at_exit"
    stuck = next(t for t in forever.result["threads"] if t["name"] == "writer")
    assert stuck["stack"][-1]["code"] == "q.get()"


def test_held_threads_wait_while_the_main_thread_sleeps_and_go_when_it_blocks(tmp_path):
    obs, _ = _observe(tmp_path, """
        import threading, time
        def main(probe):
            done = []
            probe.hold_other_threads_while_main_runs()
            t = threading.Thread(target=lambda: done.append("work"))
            t.start()
            time.sleep(5)              # sleeping does not let the held thread run ...
            before = list(done)
            t.join()                   # ... waiting for it does
            return [before, done]
    """)
    assert obs["value"] == [[], ["work"]]


def test_a_held_thread_stays_held_while_the_main_thread_starts_another(tmp_path):
    # Regression: during a later start(), threads started earlier ran to their end.
    obs, _ = _observe(tmp_path, """
        import threading, time
        def main(probe):
            done = []
            probe.hold_other_threads_while_main_runs()
            first = threading.Thread(target=lambda: done.append("first"))
            second = threading.Thread(target=lambda: done.append("second"))
            first.start()
            second.start()
            before = list(done)
            first.join(); second.join()
            return [before, sorted(done)]
    """)
    assert obs["value"] == [[], ["first", "second"]]


def test_a_thread_stuck_on_a_queue_says_which_way(tmp_path):
    outcome = run_program(tmp_path, """
        import queue, threading
        def main():
            q = queue.Queue(maxsize=1)
            q.put(1)
            t = threading.Thread(target=q.put, args=(2,), name="producer")
            t.start()
            t.join()
    """)
    assert outcome.status == "deadlock"
    producer = next(t for t in outcome.result["threads"] if t["name"] == "producer")
    assert producer["waiting_on"] == {"queue": "queue_full"}


def test_join_all_gives_threads_virtual_seconds_in_all_and_names_the_ones_left(tmp_path):
    obs, _ = _observe(tmp_path, """
        import threading, time
        def nap(seconds):
            time.sleep(seconds)
        def main(probe):
            threads = [threading.Thread(target=nap, args=(s,), name=f"nap-{s}") for s in (1, 4, 30)]
            start = probe.now()
            left = probe.start_and_join(threads, within=5)
            waited = probe.now() - start
            rest = probe.join_all(left)
            return [[t.name for t in left], waited, [t.name for t in rest], probe.now() - start]
    """)
    left, waited, rest, in_all = obs["value"]
    assert left == ["nap-30"] and waited == 5  # 1 s and 4 s end within the 5 virtual seconds, 30 s does not
    assert rest == [] and in_all == 30  # without `within`, join_all waits for the end


def test_primitive_says_a_locks_owner_and_count_and_an_events_state(tmp_path):
    obs, _ = _observe(tmp_path, """
        import threading, time
        def main(probe):
            lock, rlock, gate = threading.Lock(), threading.RLock(), threading.Event()
            rlock.acquire(); rlock.acquire(); lock.acquire()
            waiter = threading.Thread(target=gate.wait, name="waiter")
            waiter.start()
            held = [probe.primitive(p) for p in (lock, rlock, gate)]
            gate.set(); waiter.join(); lock.release(); rlock.release()
            after = [probe.primitive(p) for p in (lock, rlock, gate)]
            made = [p is q for p, q in zip(probe.created_objects(), (lock, rlock, gate))]
            return [[{k: h[k] for k in ("owner", "count")} for h in held[:2]],
                    [held[2]["set"], held[2]["waiting"], after[2]["set"], after[2]["sets"]],
                    [{k: a[k] for k in ("owner", "count")} for a in after[:2]], made]
    """)
    held, gate, after, made = obs["value"]
    assert held == [{"owner": "MainThread", "count": 1}, {"owner": "MainThread", "count": 2}]
    assert gate == [False, ["waiter"], True, 1]
    assert after == [{"owner": None, "count": 0}, {"owner": "MainThread", "count": 1}]
    assert made == [True, True, True]


def test_a_threads_line_and_the_queue_it_waits_in(tmp_path):
    obs, _ = _observe(tmp_path, """
        import queue, threading, time
        def take(q):
            return q.get()
        def main(probe):
            empty, full = queue.Queue(), queue.Queue(maxsize=1)
            full.put(0)
            taker = threading.Thread(target=take, args=(empty,), name="taker")
            putter = threading.Thread(target=full.put, args=(1,), name="putter")
            probe.start_and_join([taker, putter], within=1)
            states = [probe.thread_state(t) for t in (taker, putter)]
            seen = [[s["queue"] is q, s["queue_wait"]] for s, q in zip(states, (empty, full))]
            where = [probe.student_line(taker), probe.student_stack(taker), probe.student_line(putter)]
            empty.put(1); full.get(); probe.join_all([taker, putter])
            return [seen, where, probe.student_line(taker)]
    """)
    seen, (line, stack, putter_line), after = obs["value"]
    assert seen == [[True, "get"], [True, "put"]]
    assert line == {"line": 4, "function": "take", "code": "return q.get()"} and stack == [line]
    assert putter_line is None  # queue.Queue.put itself: no line of the student's file
    assert after is None  # ended


def test_started_threads_and_their_targets_outlive_the_threads(tmp_path):
    obs, _ = _observe(tmp_path, """
        import threading
        def work():
            pass
        class Worker(threading.Thread):
            def run(self):
                pass
        def main(probe):
            threads = [threading.Thread(target=work, name="w"), Worker(name="own-run")]
            probe.start_and_join(threads)
            return [[t.name, probe.thread_target(t)] for t in probe.started_threads()]
    """)
    assert obs["value"] == [["w", "work"], ["own-run", "Worker"]]
