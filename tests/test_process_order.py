"""probe.ProcessOrder: the judge holds real processes so that a racy relay loses on every run, and
never holds one that somebody waits for."""

from tests.harness_helpers import run_program

SCENARIO = """
def relay(module, probe, batches, hold_reader=True):
    order = probe.ProcessOrder(hold_reader=hold_reader)
    result = module.relay(batches)
    return {"result": result, **order.report()}
"""

PROGRAM = """
from multiprocessing import Process, Queue


def write(q, values):
    for v in values:
        q.put(v)
    q.put(None)


def read(q, out, writers):
    done = 0
    while done < writers:
        v = q.get()
        if v is None:
            done += 1
        else:
            out.put(v)
    out.put(None)


def relay(batches):
    q, out = Queue(), Queue()
    ps = [Process(target=write, args=(q, b)) for b in batches] + [Process(target=read, args=(q, out, len(batches)))]
    for p in ps:
        p.start()
    {body}
"""

WAITS_RIGHT = """
    got = []
    while (v := out.get()) is not None:
        got.append(v)
    for p in ps:
        p.join()
    return got"""

TERMINATES = """
    for p in ps[:-1]:
        p.join()
    ps[-1].terminate()
    ps[-1].join()
    return []"""


def run(tmp_path, body, **kwargs):
    return run_program(tmp_path, PROGRAM.replace("    {body}", body), SCENARIO, "relay", **kwargs)


def test_an_answer_that_waits_for_the_right_thing_is_never_held_for_ever(tmp_path):
    outcome = run(tmp_path, WAITS_RIGHT, batches=[["a1", "a2"], ["b1"], []])
    assert outcome.ok, outcome.result
    obs = outcome.observations
    assert sorted(obs["result"]) == ["a1", "a2", "b1"]
    assert [p["role"] for p in obs["processes"]] == ["writers", "writers", "writers", "reader"]
    assert all(p["joined"] and p["exitcode"] == 0 for p in obs["processes"])
    assert obs["terminated"] == []


def test_a_reader_terminated_after_the_writers_are_joined_has_forwarded_nothing(tmp_path):
    for _ in range(3):
        outcome = run(tmp_path, TERMINATES, batches=[["a1", "a2"], ["b1"]])
        assert outcome.ok, outcome.result
        obs = outcome.observations
        assert [t["how"] for t in obs["terminated"]] == ["terminate"]
        assert obs["terminated"][0]["site"]["code"] == "ps[-1].terminate()"
        reader = obs["processes"][-1]
        assert reader["role"] == "reader" and reader["exitcode"] == -15  # killed while held, on every run


def test_a_reader_polling_empty_finds_it_empty_before_any_writer_puts(tmp_path):
    source = PROGRAM.replace("        v = q.get()\n", "        if q.empty():\n            break\n        v = q.get()\n")
    body = """
    for p in ps:
        p.join()
    got = []
    while (v := out.get()) is not None:
        got.append(v)
    return got"""
    for _ in range(3):
        outcome = run_program(tmp_path, source.replace("    {body}", body), SCENARIO, "relay", batches=[["a1"], ["b1"]])
        assert outcome.ok, outcome.result
        obs = outcome.observations
        assert obs["result"] == []
        polled = [e for e in obs["child_events"] if e["event"] == "empty"]
        assert polled[0]["answer"] is True and polled[0]["role"] == "reader"
        assert polled[0]["site"]["code"] == "if q.empty():"


def test_a_sentinel_the_parent_put_before_joining_the_writers_is_taken_first_however_slow_its_feeder(tmp_path):
    # The parent's Queue sends through a feeder thread, later; here pickling the sentinel takes a
    # while, and the writers let go by out.get() would put first, unless the judge waits for the
    # parent's puts to be in the pipe before letting a writer go.
    source = PROGRAM.replace("from multiprocessing import Process, Queue", """from multiprocessing import Process, Queue
import time


class SlowToSend:
    def __reduce__(self):
        time.sleep(0.3)
        return (type(None), ())
""")
    body = """
    q.put(SlowToSend())
    got = []
    while (v := out.get()) is not None:
        got.append(v)
    for p in ps:
        p.join()
    return got"""
    for _ in range(3):
        outcome = run_program(tmp_path, source.replace("    {body}", body), SCENARIO, "relay", batches=[["a1", "a2"]])
        assert outcome.ok, outcome.result
        assert outcome.observations["result"] == []  # the reader took the sentinel before any value


POLLS_AFTER_A_VALUE = """
from multiprocessing import Process, Queue


def write(q, values):
    for v in values:
        q.put(v)


def read(q, out):
    v = q.get()  # waits for a first value...
    out.put(v)
    while not q.empty():  # ...then takes what is there: the writers may be between two puts
        out.put(q.get())
    out.put(None)


def relay(batches):
    q, out = Queue(), Queue()
    writers = [Process(target=write, args=(q, b)) for b in batches]
    reader = Process(target=read, args=(q, out))
    for p in writers + [reader]:
        p.start()
    {body}
"""

DRAINS_FIRST = """
    got = []
    while (v := out.get()) is not None:
        got.append(v)
    for p in writers + [reader]:
        p.join()
    return got"""

JOINS_WRITERS_FIRST = """
    for w in writers:
        w.join()
    got = []
    while (v := out.get()) is not None:
        got.append(v)
    reader.join()
    return got"""


def test_a_reader_polling_empty_between_values_gets_one_value_on_every_run(tmp_path):
    # Issue 23, 2b: once let go, the writers raced the reader's empty(), and it took 1 to 7 values.
    # A writer now puts only in a turn the reader gives while it waits in a get with nothing to take,
    # and its value is in the pipe before the reader asks again: the answer is "empty", every time.
    batches = [[f"a{i}" for i in range(1, 6)], [f"b{i}" for i in range(1, 6)], []]
    for hold_reader, body in [(True, DRAINS_FIRST), (False, DRAINS_FIRST), (False, JOINS_WRITERS_FIRST)]:
        for _ in range(3):
            outcome = run_program(tmp_path, POLLS_AFTER_A_VALUE.replace("    {body}", body), SCENARIO, "relay",
                                  batches=batches, hold_reader=hold_reader)
            assert outcome.ok, outcome.result
            obs = outcome.observations
            assert obs["result"] in (["a1"], ["b1"]), (hold_reader, obs["result"])
            polled = [e for e in obs["child_events"] if e["event"] == "empty"]
            assert [e["answer"] for e in polled] == [True], (hold_reader, polled)
            assert all(p["exitcode"] == 0 for p in obs["processes"])


def test_a_reader_held_until_the_writers_are_joined_finds_every_value_before_the_queue_is_empty(tmp_path):
    for _ in range(2):
        outcome = run_program(tmp_path, POLLS_AFTER_A_VALUE.replace("    {body}", JOINS_WRITERS_FIRST), SCENARIO,
                              "relay", batches=[["a1", "a2", "a3"], ["b1", "b2"]])
        assert outcome.ok, outcome.result
        assert sorted(outcome.observations["result"]) == ["a1", "a2", "a3", "b1", "b2"]


def test_a_reader_that_polls_until_its_sentinels_is_never_held_for_ever(tmp_path):
    # A poller that waits for the right thing: every "empty" answer gives a writer a turn.
    polls = "        if q.empty():\n            continue\n        v = q.get()\n"
    source = PROGRAM.replace("        v = q.get()\n", polls)
    body = """
    for p in ps[:-1]:
        p.join()
    got = []
    while (v := out.get()) is not None:
        got.append(v)
    ps[-1].join()
    return got"""
    for hold_reader in (True, False):
        outcome = run_program(tmp_path, source.replace("    {body}", body), SCENARIO, "relay",
                              batches=[["a1", "a2"], ["b1"]], hold_reader=hold_reader)
        assert outcome.ok, outcome.result
        assert sorted(outcome.observations["result"]) == ["a1", "a2", "b1"]


def test_a_judge_function_sent_to_another_process_raises_there_instead_of_failing_to_pickle():
    import pickle

    from grader.harness.child.probe import LocalOnly

    calls = []
    fetch = LocalOnly(lambda url: calls.append(url) or url.upper(), "fetch")
    assert fetch("a") == "A" and calls == ["a"]
    sent = pickle.loads(pickle.dumps(fetch))  # what a pool's worker would get
    try:
        sent("b")
    except RuntimeError as exc:
        assert "the fetch given to your code works only in the process it was given in" in str(exc)
    else:
        raise AssertionError("the copy in another process must refuse to run")
    assert calls == ["a"]
