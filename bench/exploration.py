"""What schedule exploration costs and how fast it finds the races (a benchmark: no threshold here).

Prints, on this machine:
1. for each racy program of tests/explore_cases/: the schedules tried until the failing one
   (run 0 included) and the milliseconds from start to the replayed, reported failure
   (target: every one within 300 schedules, most within 50);
2. a full budget on correct programs (nothing to stop at) with 2, 4 and 10 threads: CPU seconds of
   the judge and of its scenario children together (target: under 1 s per explored scenario);
3. the tracing's cost on unexplored scenarios: the checks' own scenarios of the three exercises'
   reference solutions, each run in a fresh child with and without the student's bytecodes traced
   (target: under 10 %);
4. a busy-waiting semaphore answer, its whole exercise graded (was about 9 s; target under 1 s).
RUNS (default 5) repetitions of each; medians, with min and max.
"""

from __future__ import annotations

import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from samples import ROOT

from grader.harness.judge import explore, fork_client
from grader.harness.judge.child_runner import minimal_env, run_scenario
from grader.host import packs
from grader.host.grading import grade_submission
from tests.explore_cases.cases import CASES, explore_case, outcome

RUNS = int(os.environ.get("RUNS", "5"))
TICK = os.sysconf("SC_CLK_TCK")

# (program, kwargs, want) of correct programs for a full budget, by thread count
FULL_BUDGET = {
    n: [("counter_in_method_locked", {"n_threads": n}, 3 * n),
        ("queue_get_nowait", {"n_threads": n, "items": n}, list(range(n)))]
    for n in (2, 4, 10)
}

# The scenarios the checks of the three exercises run, with their arguments (from exercises/*/tests).
UNEXPLORED = {
    "race-counter": [("run_cases", {"cases": [[100, 100], [50, 80], [10, 10], [3, 1000]], "repeats": 3}),
                     ("judge_threads", {"n": 60, "start": 100}), ("judge_threads", {"n": 20, "start": 50}),
                     ("call_run", {"n": 30, "start": 30}), ("call_run", {"n": 25, "start": 40})],
    "semaphore-handoff": [("run_values", {"values": [42, "parcel", 7], "repeats": 2}),
                          ("consumer_waits", {"value": 99, "preset": True}),
                          ("consumer_waits", {"value": 5, "preset": False}),
                          ("producer_signals", {"value": 11}), ("run_semaphores", {"value": 3})],
    "parallel-primes": [("count_cases", {"cases": [[list(range(2, 200)), 2], [[], 4], [[7, 8], 4]]})],
}


def cpu_seconds() -> float:
    """This process's CPU time plus that of the fork server and every scenario child it reaped."""
    own = os.times()
    total = own.user + own.system
    server = fork_client.server(minimal_env())._proc
    if server is not None and server.poll() is None:
        with open(f"/proc/{server.pid}/stat", encoding="ascii") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        total += sum(int(v) for v in fields[11:15]) / TICK  # utime, stime, cutime, cstime
    return total


def med(values):
    return statistics.median(values), min(values), max(values)


def found_cases():
    print("1. Time to find each race (schedules tried incl. run 0; ms to the reported failure)")
    for name, case in CASES.items():
        if case["found"] == "never":
            continue
        schedules, millis = [], []
        for _ in range(RUNS):
            start = time.perf_counter()
            status, schedule, _ = outcome(explore_case(name))
            millis.append((time.perf_counter() - start) * 1000)
            schedules.append(schedule)
        assert status == case["found"], (name, status)
        print(f"   {name:<36} {status:<9} schedules {statistics.median(schedules):>4.0f}   "
              f"{med(millis)[0]:7.0f} ms ({min(millis):.0f}-{max(millis):.0f})")


def full_budgets():
    print(f"2. A full budget ({explore.DEFAULT_BUDGET} schedules) on correct programs: CPU s (judge + children)")
    from grader.harness.judge.api import expect
    from grader.harness.judge.child_runner import scenario_request
    from tests.explore_cases.cases import CASES_DIR, SCENARIO

    for n, programs in FULL_BUDGET.items():
        for program, kwargs, want in programs:
            cpu, wall = [], []
            for _ in range(RUNS):
                request = scenario_request(student_file=CASES_DIR / f"{program}.py", module="prog",
                                           scenario_source=SCENARIO, function="call_main", kwargs=kwargs)

                def check(obs, want=want):
                    expect(obs["value"] == want, "got {got}", got=obs["value"])

                c0, w0 = cpu_seconds(), time.perf_counter()
                result = explore.explore(request=request, function="call_main", check=check,
                                         budget=explore.DEFAULT_BUDGET, seed=1)
                wall.append(time.perf_counter() - w0)
                cpu.append(cpu_seconds() - c0)
                assert result.schedules == explore.DEFAULT_BUDGET
            print(f"   {n:>2} threads  {program:<28} CPU {med(cpu)[0]:5.2f} s ({min(cpu):.2f}-{max(cpu):.2f})"
                  f"   wall {med(wall)[0]:5.2f} s")


def tracing_overhead():
    print("3. Tracing on unexplored scenarios (the checks' scenarios, reference solutions; each in a fresh child;")
    print(f"   traced and untraced runs alternate, {3 * RUNS} of each; sums of the per-scenario medians)")
    totals = {True: 0.0, False: 0.0}
    # Only the three packs listed above: their scenarios are the tracing-off baseline of issue 9.
    for ex in (e for e in packs.load_all(ROOT / "exercises") if e.slug in UNEXPLORED):
        solution = ROOT / "solutions" / ex.slug / ex.student_file
        source = (ex.tests_dir / "scenarios.py").read_text(encoding="utf-8")
        per = {True: 0.0, False: 0.0}
        for function, kwargs in UNEXPLORED[ex.slug]:
            times = {True: [], False: []}
            for _ in range(3 * RUNS):
                for tracing in (True, False):
                    start = time.perf_counter()
                    got = run_scenario(student_file=solution, module=ex.module, scenario_source=source,
                                       function=function, kwargs=kwargs, backstop=10.0, tracing=tracing)
                    times[tracing].append(time.perf_counter() - start)
                    assert got.ok, (ex.slug, function, got.status)
            for tracing in (True, False):
                per[tracing] += statistics.median(times[tracing])
        for tracing in (True, False):
            totals[tracing] += per[tracing]
        print(f"   {ex.slug:<20} traced {per[True] * 1000:6.0f} ms   untraced {per[False] * 1000:6.0f} ms   "
              f"{(per[True] / per[False] - 1) * 100:+5.1f} %")
    print(f"   {'all':<20} traced {totals[True] * 1000:6.0f} ms   untraced {totals[False] * 1000:6.0f} ms   "
          f"{(totals[True] / totals[False] - 1) * 100:+5.1f} %")


def busy_wait_answer():
    handoff = packs.load_exercise(ROOT / "exercises" / "semaphore-handoff")
    sample = ROOT / "tests" / "samples" / "semaphore-handoff" / "busy_waits_on_item.py"
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy(sample, Path(tmp) / handoff.student_file)
        for _ in range(RUNS):
            start = time.perf_counter()
            result = grade_submission(submission=Path(tmp), student="bench", exercises=["semaphore-handoff"],
                                      sandbox="local")
            times.append(time.perf_counter() - start)
    statuses = {c.name: c.status.value for c in result.exercises[0].checks}
    assert statuses["run_returns_value"] == "timeout", statuses
    print(f"4. Busy-waiting semaphore answer, whole exercise graded: {med(times)[0]:.2f} s "
          f"({min(times):.2f}-{max(times):.2f})")


def main():
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{platform.platform()}; RUNS={RUNS}")
    found_cases()
    full_budgets()
    tracing_overhead()
    busy_wait_answer()


if __name__ == "__main__":
    main()
