"""Hidden checks for race-counter. Each test is one check named in exercise.yaml."""

from grader.harness.judge.api import describe, expect

SIZES = [(100, 100), (50, 80), (10, 10), (3, 1000)]
REPEATS = 3


def test_run_returns_start_minus_n(student):
    obs = student.run("run_cases", cases=SIZES, repeats=REPEATS)
    for n, start, got in obs["results"]:
        want = start - n
        expect(type(got) is int, "run({n}, {start}) returned {got}; it must return the counter's final "
               "value, the int {want}.", n=n, start=start, got=describe(got), want=want)
        expect(got == want, "run({n}, {start}) returned {got}, expected {want}: {lost} of the {n} "
               "decrements were lost. Two threads read the same value, both slept, and both wrote "
               "back that value minus one. Hold one shared lock from the read to the write.",
               n=n, start=start, got=got, want=want, lost=got - want)


def test_decrement_is_thread_safe(student):
    n, start = 60, 100
    obs = student.run("judge_threads", n=n, start=start)
    got = obs["value"]
    expect(got == start - n, "{n} of the test's threads each called decrement() once on Counter({start}); "
           "the value ended at {got}, not {want}. The lock must live with the counter (or be shared by every "
           "caller), not be created inside decrement() or in run().",
           n=n, start=start, got=describe(got), want=start - n)

    # Without a sleep in the window (`self.value -= 1` alone) one run loses nothing by luck of the
    # GIL: the test searches the schedules, switching threads between the read and the write.
    explored_n, explored_start = 2, 10

    def nothing_lost(obs):
        got = obs["value"]
        expect(got == explored_start - explored_n,
               "{n} of the test's threads each called decrement() once on Counter({start}); under the "
               "schedule below the value ended at {got}, not {want}: {lost} {lost:update|updates} lost. Every "
               "decrement must hold one lock, created in __init__, from reading self.value to writing it.",
               n=explored_n, start=explored_start, got=describe(got), want=explored_start - explored_n,
               lost=got - (explored_start - explored_n) if type(got) is int else "?")

    # Two threads, one call each: the one-pause round covers every single switch; 100 schedules
    # (not the default 300) keep a correct answer's grading fast.
    student.explore("judge_threads", nothing_lost, budget=100, n=explored_n, start=explored_start)


def test_keeps_simulated_work(student):
    obs = student.run("judge_threads", n=20, start=50)
    works = obs["work_between"]
    missing = sum(1 for w in works if w < 0.01 - 1e-9)
    expect(len(works) >= 20 and missing == 0,
           "{missing} of {calls} decrements did not sleep 0.01 s between reading self.value and writing it. "
           "Keep time.sleep(0.01) between the read and the write: the exercise is to make that safe, "
           "not to remove it.", missing=missing + max(0, 20 - len(works)), calls=20)


def test_threads_really_overlap(student):
    obs = student.run("call_run", n=30, start=30)
    expect(obs["max_threads"] >= 2, "run() never had two of its threads alive at the same time "
           "(at most {most}). Start all the threads first, then join them.", most=obs["max_threads"])
    expect(obs["max_inside"] >= 2, "No two threads were ever inside decrement() at the same time: the calls "
           "ran one after another. Start every thread before joining any, and lock inside decrement().")


def test_counts_with_decrement(student):
    obs = student.run("call_run", n=25, start=40)
    expect(obs["decrement_calls"] == 25, "run(25, 40) called decrement() {calls} times, not 25.",
           calls=obs["decrement_calls"])
