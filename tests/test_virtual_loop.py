"""The asyncio event loop on the virtual clock (grader/harness/child/virtual_loop.py), through real
child interpreters: waits take virtual time only, the standard library's tools work on it, and what
a scenario needs to see (pending tasks, a loop stuck for ever, blocking sleeps) comes back as data."""

from __future__ import annotations

from .harness_helpers import run_program

SCENARIO = """
from grader.harness.child import virtual_loop

def on_loop(module, probe, **kwargs):
    ran = virtual_loop.run(lambda: module.main(probe, **kwargs))
    return {"ran": ran, "blocking": virtual_loop.blocking_sleeps(), "sleeps": len(probe.sleeps()),
            "now": probe.now()}
"""


def _run(tmp_path, source, **kwargs):
    outcome = run_program(tmp_path, source, scenario=SCENARIO, function="on_loop", **kwargs)
    assert outcome.status == "ok", (outcome.status, outcome.result)
    return outcome.observations


def test_asyncio_sleep_takes_virtual_time_and_waits_overlap(tmp_path):
    obs = _run(tmp_path, """
        import asyncio, time
        async def nap(seconds):
            await asyncio.sleep(seconds)
            return time.monotonic()
        async def main(probe):
            start = time.monotonic()
            ends = await asyncio.gather(nap(3), nap(1), nap(2))
            return [end - start for end in ends], asyncio.get_running_loop().time() - start
    """)
    ran = obs["ran"]
    assert ran["outcome"] == "returned" and ran["pending"] == []
    assert ran["value"] == [[3.0, 1.0, 2.0], 3.0]  # they waited together: 3 virtual seconds, not 6
    assert ran["end"] == 3.0
    assert obs["blocking"] == [] and obs["sleeps"] == 0  # the loop's own waits are no time.sleep


def test_semaphore_queue_wait_for_and_task_group_work_on_it(tmp_path):
    obs = _run(tmp_path, """
        import asyncio
        async def main(probe):
            sem = asyncio.Semaphore(2)
            inside, most = 0, 0
            async def one(i):
                nonlocal inside, most
                async with sem:
                    inside += 1
                    most = max(most, inside)
                    await asyncio.sleep(1)
                    inside -= 1
                return i
            async with asyncio.TaskGroup() as tg:
                tasks = [tg.create_task(one(i)) for i in range(5)]
            q = asyncio.Queue()
            for i in range(4):
                q.put_nowait(i)
            got = []
            async def worker():
                while True:
                    item = await q.get()
                    await asyncio.sleep(item)
                    got.append(item)
                    q.task_done()
            workers = [asyncio.create_task(worker()) for _ in range(2)]
            await q.join()
            for w in workers:
                w.cancel()
            await asyncio.gather(*workers, return_exceptions=True)
            try:
                await asyncio.wait_for(asyncio.sleep(10), timeout=0.5)
                timed_out = False
            except asyncio.TimeoutError:
                timed_out = True
            done, pending = await asyncio.wait([asyncio.create_task(asyncio.sleep(s)) for s in (1, 2)])
            return [t.result() for t in tasks], most, got, timed_out, len(done), len(pending)
    """)
    ran = obs["ran"]
    assert ran["outcome"] == "returned", ran
    assert ran["value"] == [[0, 1, 2, 3, 4], 2, [0, 1, 2, 3], True, 2, 0]
    # 5 one-second visits two at a time: 3 s; the queue: 0+2 and 1+3 in two workers: 4 s; then 0.5 s; then 2 s
    assert ran["end"] == 3 + 4 + 0.5 + 2


def test_a_time_sleep_inside_a_coroutine_blocks_the_loop_and_is_reported_with_its_line(tmp_path):
    obs = _run(tmp_path, """
        import asyncio, time
        async def polite(i):
            time.sleep(1)
            await asyncio.sleep(1)
        async def main(probe):
            await asyncio.gather(*(polite(i) for i in range(3)))
    """)
    assert obs["ran"]["outcome"] == "returned"
    assert obs["ran"]["end"] == 4.0  # three blocking seconds one after another, then one awaited together
    assert [(b["at"], b["seconds"], b["site"]["line"]) for b in obs["blocking"]] == [(0.0, 1, 4), (1.0, 1, 4),
                                                                                      (2.0, 1, 4)]
    assert obs["blocking"][0]["site"]["code"] == "time.sleep(1)"


def test_a_sleep_in_a_thread_of_the_loop_is_not_a_blocking_one(tmp_path):
    obs = _run(tmp_path, """
        import asyncio, time
        def work(x):
            time.sleep(2)
            return x * 10
        async def main(probe):
            loop = asyncio.get_running_loop()
            a = asyncio.to_thread(work, 1)
            b = loop.run_in_executor(None, work, 2)
            return await asyncio.gather(a, b, asyncio.sleep(1, result=3))
    """)
    assert obs["ran"]["outcome"] == "returned", obs["ran"]
    assert obs["ran"]["value"] == [10, 20, 3]
    assert obs["ran"]["end"] == 2.0
    assert obs["blocking"] == [] and obs["sleeps"] == 2


def test_a_loop_where_every_task_awaits_for_ever_says_where_they_wait(tmp_path):
    obs = _run(tmp_path, """
        import asyncio
        async def stuck(sem):
            async with sem:
                return 1
        async def main(probe):
            sem = asyncio.Semaphore(0)
            await asyncio.sleep(2)
            return await asyncio.gather(stuck(sem), stuck(sem))
    """)
    ran = obs["ran"]
    assert ran["outcome"] == "stuck" and ran["end"] == 2.0
    where = [(t["coroutine"], [w["line"] for w in t["where"]]) for t in ran["waiting"]]
    assert where == [("main", [9]), ("stuck", [4]), ("stuck", [4])]


def test_tasks_still_pending_when_the_coroutine_returns_are_listed(tmp_path):
    obs = _run(tmp_path, """
        import asyncio
        async def slow():
            await asyncio.sleep(5)
        async def main(probe):
            task = asyncio.create_task(slow())
            await asyncio.sleep(1)
            return "early"
    """)
    ran = obs["ran"]
    assert ran["outcome"] == "returned" and ran["value"] == "early" and ran["end"] == 1.0
    assert ran["pending"] == [{"coroutine": "slow", "where": [{"line": 4, "function": "slow",
                                                               "code": "await asyncio.sleep(5)"}]}]


def test_an_exception_out_of_the_coroutine_comes_back_with_its_line(tmp_path):
    obs = _run(tmp_path, """
        import asyncio
        async def boom():
            await asyncio.sleep(1)
            raise KeyError("x")
        async def main(probe):
            return await asyncio.gather(boom(), asyncio.sleep(3))
    """)
    ran = obs["ran"]
    assert ran["outcome"] == "raised" and ran["error"]["type"] == "KeyError" and ran["end"] == 1.0
    assert [s["line"] for s in ran["error"]["stack"]] == [7, 5]
    assert len(ran["pending"]) == 1  # gather does not cancel the other awaitable


def test_a_student_s_own_asyncio_run_gets_a_virtual_loop_too(tmp_path):
    obs = _run(tmp_path, """
        import asyncio
        def main(probe):
            return asyncio.run(asyncio.sleep(30, result="slept"))
    """)
    assert obs["ran"] == {"outcome": "not_awaitable", "value": "slept", "pending": [], "end": 30.0}
