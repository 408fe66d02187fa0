"""The virtual clock and deterministic scheduler, observed through real child interpreters."""

from __future__ import annotations

from .harness_helpers import run_program


def _value(tmp_path, source, **kw):
    outcome = run_program(tmp_path, source, **kw)
    assert outcome.status == "ok", (outcome.status, outcome.result, outcome.output)
    return outcome.observations["value"], outcome.observations["now"]


def test_sleep_takes_no_real_time_and_moves_the_clock(tmp_path):
    value, now = _value(tmp_path, """
        import time
        def main():
            t0, m0 = time.time(), time.monotonic()
            time.sleep(3600)
            return [round(time.time() - t0, 6), round(time.monotonic() - m0, 6)]
    """)
    assert value == [3600.0, 3600.0] and now == 3600.0


def test_read_sleep_write_race_loses_every_update_but_one(tmp_path):
    for _ in range(3):
        value, _ = _value(tmp_path, """
            import threading, time
            n = 50
            def work():
                global n
                cur = n
                time.sleep(0.1)
                n = cur - 1
            def main():
                ts = [threading.Thread(target=work) for _ in range(50)]
                [t.start() for t in ts]; [t.join() for t in ts]
                return n
        """)
        assert value == 49


def test_locked_version_never_loses_and_time_adds_up(tmp_path):
    value, now = _value(tmp_path, """
        import threading, time
        from threading import Lock          # imported by name: still instrumented
        lock = Lock()
        n = 50
        def work():
            global n
            with lock:
                cur = n
                time.sleep(0.1)
                n = cur - 1
        def main():
            ts = [threading.Thread(target=work) for _ in range(50)]
            [t.start() for t in ts]; [t.join() for t in ts]
            return [n, type(lock).__module__]
    """)
    assert value == [0, "grader.harness.child.primitives"]
    assert abs(now - 5.0) < 1e-9


def test_earliest_deadline_first_and_equal_deadlines_together(tmp_path):
    value, _ = _value(tmp_path, """
        import threading, time
        order = []
        def sleeper(name, secs):
            time.sleep(secs)
            order.append((name, round(time.monotonic() - start, 6)))
        def main():
            global start
            start = time.monotonic()
            ts = [threading.Thread(target=sleeper, args=a) for a in [("c", 3), ("a", 1), ("b1", 2), ("b2", 2)]]
            [t.start() for t in ts]; [t.join() for t in ts]
            return order
    """)
    assert value == [["a", 1.0], ["b1", 2.0], ["b2", 2.0], ["c", 3.0]]


def test_a_running_thread_holds_back_sleepers(tmp_path):
    # The sleeper may not wake while another thread still has work to do.
    value, _ = _value(tmp_path, """
        import threading, time
        log = []
        def sleeper():
            time.sleep(0.001)
            log.append("woke")
        def main():
            t = threading.Thread(target=sleeper)
            t.start()
            for i in range(200000):
                pass
            log.append("busy done")
            t.join()
            return log
    """)
    assert value == ["busy done", "woke"]


def test_queue_producer_consumer_and_virtual_get_timeout(tmp_path):
    value, now = _value(tmp_path, """
        import queue, threading, time
        def main():
            q = queue.Queue(maxsize=2)
            got = []
            def producer():
                for i in range(5):
                    q.put(i)
                    time.sleep(1)
            def consumer():
                for _ in range(5):
                    got.append(q.get())
            ts = [threading.Thread(target=producer), threading.Thread(target=consumer)]
            [t.start() for t in ts]; [t.join() for t in ts]
            try:
                q.get(timeout=30)
            except queue.Empty:
                got.append("empty")
            return got
    """)
    assert value == [0, 1, 2, 3, 4, "empty"] and now == 35.0


def test_condition_event_rlock_semaphores(tmp_path):
    value, _ = _value(tmp_path, """
        import threading
        def main():
            out = []
            cond = threading.Condition()
            ready = []
            def waiter():
                with cond:
                    cond.wait_for(lambda: ready)
                    out.append("cond")
            t = threading.Thread(target=waiter); t.start()
            with cond:
                ready.append(1); cond.notify()
            t.join()
            ev = threading.Event()
            out.append(ev.wait(timeout=2.5))
            r = threading.RLock()
            with r:
                with r:
                    out.append("rlock")
            b = threading.BoundedSemaphore(1)
            b.acquire(); b.release()
            try:
                b.release()
            except ValueError:
                out.append("bounded")
            s = threading.Semaphore(0)
            out.append(s.acquire(timeout=1))
            out.append(threading.Lock().acquire(blocking=False))
            return out
    """)
    assert value == ["cond", False, "rlock", "bounded", False, True]


def test_join_with_timeout_and_is_alive(tmp_path):
    value, now = _value(tmp_path, """
        import threading, time
        def main():
            t = threading.Thread(target=time.sleep, args=(10,))
            t.start()
            t.join(timeout=4)
            alive = t.is_alive()
            t.join()
            return [alive, t.is_alive()]
    """)
    assert value == [True, False] and now == 10.0


def test_pools_and_executors_run_under_the_scheduler(tmp_path):
    value, _ = _value(tmp_path, """
        from multiprocessing import Pool
        from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
        import time
        def sq(x):
            return x * x
        def main():
            with Pool(2) as p:
                a = p.map(sq, range(10))
            with ProcessPoolExecutor(2) as ex:
                b = list(ex.map(sq, range(10)))
            with ThreadPoolExecutor(3) as ex:
                c = list(ex.map(lambda x: (time.sleep(0.1), x)[1], range(10)))
            return [sum(a), sum(b), sum(c)]
    """)
    assert value == [285, 285, 45]


def test_busy_loop_is_stopped_by_the_backstop_with_its_line(tmp_path):
    outcome = run_program(tmp_path, """
        def main():
            while True:
                pass
    """, backstop=1.0)
    assert outcome.status == "timeout"
    # the dump lands on either line of the loop, depending on which bytecode was running
    assert 'prog.py", line 3' in outcome.fault_dump or 'prog.py", line 4' in outcome.fault_dump


def test_is_alive_is_false_as_soon_as_the_thread_is_done(tmp_path):
    # Regression: is_alive() used to ask the OS, which may still be tearing the thread down.
    value, now = _value(tmp_path, """
        import threading, time
        def main():
            polls = 0
            t = threading.Thread(target=time.sleep, args=(0.5,))
            t.start()
            while t.is_alive():
                polls += 1
                time.sleep(0.1)
            return polls
    """)
    # At 0.5 both deadlines are equal; they wake in start order, so the poller looks once more
    # (poll 6) before the sleeper ends. A 7th poll would mean is_alive() asked the OS.
    assert value == 6 and abs(now - 0.6) < 1e-9


def test_barrier_timer_and_queue_join(tmp_path):
    value, now = _value(tmp_path, """
        import queue, threading, time
        def main():
            out = []
            barrier = threading.Barrier(3)
            def party(i):
                time.sleep(i)
                barrier.wait()
                out.append(("through", round(time.monotonic() - start, 6)))
            fired = []
            timer = threading.Timer(5, lambda: fired.append(round(time.monotonic() - start, 6)))
            q = queue.Queue()
            def worker():
                while True:
                    item = q.get()
                    time.sleep(1)
                    out.append(("done", item))
                    q.task_done()
            global start
            start = time.monotonic()
            ts = [threading.Thread(target=party, args=(i,)) for i in (1, 2, 3)]
            [t.start() for t in ts]
            timer.start()
            threading.Thread(target=worker, daemon=True).start()
            for i in range(2):
                q.put(i)
            q.join()
            [t.join() for t in ts]
            timer.join()
            return [out, fired]
    """)
    out, fired = value
    assert out == [["done", 0], ["done", 1], ["through", 3.0], ["through", 3.0], ["through", 3.0]]
    assert fired == [5.0] and now == 5.0


def test_a_thread_the_os_refuses_to_start_is_forgotten(tmp_path):
    # Regression: the refused thread stayed in the run queue and was later handed the baton.
    value, now = _value(tmp_path, """
        import threading, time
        def refuse(*args):
            raise RuntimeError("can't start new thread")
        def main():
            real = threading._start_new_thread
            threading._start_new_thread = refuse
            try:
                threading.Thread(target=print).start()
            except RuntimeError as exc:
                error = str(exc)
            finally:
                threading._start_new_thread = real
            t = threading.Thread(target=time.sleep, args=(2,))
            t.start()
            t.join()
            return error
    """)
    assert value == "can't start new thread" and now == 2.0


def test_random_and_the_clock_are_the_same_on_every_run(tmp_path):
    # Unseeded random and real time are not a reason for two gradings to differ: `random` is seeded
    # in every run and every forked process, and the virtual clock starts at the same instant.
    source = """
        import random, threading, time
        def main():
            order = []
            def worker(name):
                time.sleep(random.random())
                order.append((name, round(time.time(), 6)))
            ts = [threading.Thread(target=worker, args=(n,)) for n in "abcde"]
            [t.start() for t in ts]; [t.join() for t in ts]
            return [order, random.randrange(10**9), time.monotonic() >= 1000.0]
    """
    first, _ = _value(tmp_path, source)
    second, _ = _value(tmp_path, source)
    assert first == second
    assert first[0][0][1] > 1_767_225_600.0 and first[2]  # 2026-01-01 plus virtual seconds


def test_the_holder_is_never_counted_as_starved(tmp_path):
    # Regression (issue 23): the thread keeping the baton at a point was counted as passed over, so
    # once its count tied with that of a thread waiting as long, it won every tie (it comes first)
    # and the waiting thread never ran. Here the worker, woken by the Event, has waited as many
    # steps as the main thread has spun (both were handed the baton with nobody else runnable), and
    # the spin's own variable changes on every turn (not a busy wait): only the starvation bound
    # lets the worker set the flag. It used to spin until the real-time backstop.
    outcome = run_program(tmp_path, """
        import threading, time
        go = threading.Event()
        flag = False
        def worker():
            global flag
            time.sleep(0.5)
            go.wait()
            flag = True
        def main():
            t = threading.Thread(target=worker)
            t.start()
            time.sleep(1)
            go.set()
            turns = 0
            while not flag:
                turns += 1
            t.join()
            return "done"
    """, backstop=3.0)
    assert outcome.status == "ok", (outcome.status, outcome.fault_dump)
    assert outcome.observations["value"] == "done"
    assert 1000 <= outcome.schedule["steps"] <= 1010  # the worker ran once it had been passed over 1000 times


def test_a_timed_wait_the_schedule_expires_runs_out_at_once_and_the_clock_jumps_to_its_deadline(tmp_path):
    # Issue 23, item 2: a timed wait never ran out while another thread could run. Expiring it is a
    # choice of the schedule (`expire`: the ordinals of timed waits that run out at once): the machine
    # stalls until its deadline, so every sleep due by then ends too; the first schedule expires none.
    import textwrap

    from grader.harness.judge import explore
    from grader.harness.judge.child_runner import scenario_request

    from .harness_helpers import SCENARIO

    path = tmp_path / "prog.py"
    path.write_text(textwrap.dedent("""
        import threading, time
        def main():
            gate, seen = threading.Event(), []
            def worker():
                seen.append((gate.wait(5), time.monotonic() - t0))
            t0 = time.monotonic()
            t = threading.Thread(target=worker)
            t.start()
            time.sleep(1)
            seen.append(("main woke", time.monotonic() - t0))
            gate.set()
            t.join()
            return seen
    """), encoding="utf-8")
    runs = explore._Runs(scenario_request(student_file=path, module="prog", scenario_source=SCENARIO,
                                          function="call_main", backstop=10.0))
    try:
        first = runs.run(explore.FIRST)
        expired = runs.run({"kind": "first", "expire": [0]})
    finally:
        runs.close()
    assert first.observations["value"] == [["main woke", 1.0], [True, 1.0]]
    assert first.schedule["timed_waits"] == 1
    # The worker's wait began before main slept (start() runs a thread to its first block): it runs out
    # at 5.0, and main's sleep, begun after the stall, ends a second later.
    assert expired.observations["value"] == [[False, 5.0], ["main woke", 6.0]]


def test_a_stall_never_cuts_the_judges_own_timed_join_short(tmp_path):
    # The scenario's join(timeout=1.0) measures the student's thread; during a stall that thread did not
    # run, so the judge's deadline moves with the clock. Only the student's timed waits run out early.
    import textwrap

    from grader.harness.judge import explore
    from grader.harness.judge.child_runner import scenario_request

    path = tmp_path / "prog.py"
    path.write_text(textwrap.dedent("""
        import threading, time
        def work():
            time.sleep(0.1)  # the judge is in its join by then
            threading.Event().wait(5)
            time.sleep(0.5)
    """), encoding="utf-8")
    scenario = textwrap.dedent("""
        import threading, time
        def call_main(module, probe):
            t0 = time.monotonic()
            t = threading.Thread(target=module.work)
            t.start()
            t.join(timeout=1.0)
            return {"alive": t.is_alive(), "at": round(time.monotonic() - t0, 6)}
    """)
    runs = explore._Runs(scenario_request(student_file=path, module="prog", scenario_source=scenario,
                                          function="call_main", backstop=10.0))
    try:
        first = runs.run(explore.FIRST)
        expired = runs.run({"kind": "first", "expire": [0]})
    finally:
        runs.close()
    assert first.schedule["timed_waits"] == 1  # the student's wait; the judge's join is not counted
    assert first.observations == {"alive": True, "at": 1.0}
    assert expired.observations == {"alive": False, "at": 5.6}
