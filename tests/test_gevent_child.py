"""gevent inside the child interpreter (grader/harness/child/gevent_support.py; the gevent-workers pack)."""

from __future__ import annotations

import pytest

from .harness_helpers import run_program

pytest.importorskip("gevent")

OBSERVE = """
def observe(module, probe, **kwargs):
    return {"value": probe.encode(module.main(probe)), "now": probe.now()}
"""


def _observe(tmp_path, source):
    outcome = run_program(tmp_path, source, scenario=OBSERVE, function="observe")
    assert outcome.status == "ok", (outcome.status, outcome.result)
    return outcome.observations


def test_greenlets_share_a_gevent_queue_in_turns_without_virtual_or_real_waits(tmp_path):
    obs = _observe(tmp_path, """
        import gevent
        from gevent.queue import Queue
        def worker(name, tasks, done):
            while not tasks.empty():
                done.append((name, tasks.get()))
                gevent.sleep(0)
        def main(probe):
            tasks = Queue()
            for i in range(5):
                tasks.put(i)
            done = []
            gevent.joinall([gevent.spawn(worker, n, tasks, done) for n in "AB"])
            return done
    """)
    assert obs["value"] == [["A", 0], ["B", 1], ["A", 2], ["B", 3], ["A", 4]]
    assert obs["now"] == 0


def test_a_get_that_would_block_forever_raises_loop_exit(tmp_path):
    obs = _observe(tmp_path, """
        import gevent
        from gevent.queue import Queue
        def main(probe):
            g = gevent.spawn(Queue().get)
            try:
                gevent.joinall([g])
            except gevent.exceptions.LoopExit:
                return "LoopExit"
    """)
    assert obs["value"] == "LoopExit"


def test_the_tutorials_monkey_patch_all_leaves_the_harness_in_place(tmp_path):
    obs = _observe(tmp_path, """
        from gevent import monkey
        monkey.patch_all()
        import gevent.monkey
        import threading, time
        def main(probe):
            time.sleep(5)  # still the harness's virtual sleep
            return [gevent.monkey.patch_all(), gevent.monkey.patch_time(), type(threading.Lock()).__module__,
                    gevent.monkey.is_module_patched("threading")]
    """)
    assert obs["value"] == [True, None, "grader.harness.child.primitives", False]
    assert obs["now"] == 5
