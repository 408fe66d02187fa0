"""Hidden checks for process-queue. Each test is one check named in exercise.yaml.

The relay runs real processes; the test holds them (probe.ProcessOrder) so that every racy answer
loses on every run: writers put nothing until the parent joins them, and the reader takes nothing
until the parent needs it. What each process ran, how it was stopped and how it ended comes from
the scenario's records; the verdicts below only compare.
"""

from collections import Counter

import pytest

from grader.harness.judge.api import describe, expect


def _batch(letter, n):
    return [f"{letter}{i}" for i in range(1, n + 1)]


# name: the batches, one writer process each
CASES = {
    "one": [_batch("a", 8)],
    "two": [_batch("a", 6), _batch("b", 6)],
    "five": [_batch("a", 4), _batch("b", 5), [], _batch("d", 3), _batch("e", 6)],
    "empty": [[]],
}
# Over 64 KiB in all, in long strings: more than a pipe holds, so a reader joined before `out` is
# drained can never exit.
LARGE = [[f"{letter}{i}:" + "x" * 10_000 for i in range(1, 25)] for letter in "abc"]
LARGE_KIB = sum(len(v) for batch in LARGE for v in batch) // 1024


@pytest.fixture(scope="module")
def runs(student):
    return {name: student.record("relay_run", batches=batches) for name, batches in CASES.items()}


def _line(record) -> object:
    return (record.get("site") or {}).get("line", "?")


def test_every_value_returned(runs):
    for name, batches in CASES.items():
        obs = runs[name].observations
        got = obs["result"]
        want = [v for batch in batches for v in batch]
        expect(type(got) is list, "relay with {n} {n:writer|writers} returned {got}, not a list.", n=len(batches),
               got=describe(got))
        missing = Counter(want) - Counter(got)
        if missing:
            lost = dict(n=len(batches), k=len(got), total=len(want))
            for stopped in obs["terminated"]:
                expect(False, "relay with {n} {n:writer|writers} returned {k} of the {total} values: it called {how}() "
                       "on the {target} process (line {line}), which kills it wherever it is, before it had forwarded "
                       "them. Let the reader stop by itself when it takes a sentinel, and take values from `out` until "
                       "the reader's last one.",
                       how=stopped["how"], target=stopped["target"] or "", line=_line(stopped),
                       **lost)
            for p in _readers(obs):  # a writer's batch is a list by design; what the reader fills is not
                shared = [kind for kind in ("list", "dict") if kind in p["args"]]
                expect(not shared, "relay with {n} {n:writer|writers} returned {k} of the {total} values. The {target} "
                       "process was given a plain {kind}: processes do not share memory, so what a child process "
                       "appends goes into its own copy, and the parent's stays empty. Values must travel back through "
                       "a multiprocessing Queue.", target=p["target"] or p["class"], kind=shared[0] if shared else "",
                       **lost)
            for event in obs["child_events"]:
                polled = event.get("event") == "empty" and event.get("answer") and event.get("role") == "reader"
                expect(not polled, "relay with {n} {n:writer|writers} returned {k} of the {total} values. The reader "
                       "process asked q.empty() (line {line}) and stopped when it said True: an empty queue only means "
                       "that nothing has been put yet, not that every writer is done. Stop on a sentinel instead.",
                       line=_line(event), **lost)
            for event in obs["child_events"]:
                if event.get("event") != "get_empty" or event.get("role") != "reader":
                    continue
                expect(event.get("how") == "nowait", "relay with {n} {n:writer|writers} returned {k} of the {total} "
                       "values. The reader process's q.get() with a timeout (line {line}) ran out and the reader "
                       "stopped: nothing arriving for a while only means that no writer has put anything yet (a writer "
                       "may be slower than any timeout), not that every writer is done. Stop on a sentinel instead.",
                       line=_line(event), **lost)
                expect(False, "relay with {n} {n:writer|writers} returned {k} of the {total} values. The reader "
                       "process's q.get_nowait() (line {line}) raised queue.Empty and the reader stopped: an empty "
                       "queue only means that nothing has been put yet, not that every writer is done. Stop on a "
                       "sentinel instead.", line=_line(event), **lost)
            expect(False, "relay with {n} {n:writer|writers} returned {k} of the {total} values; {lost} never came "
                   "back (for example {example}). The reader must stop by itself once every writer is done: put one "
                   "sentinel (None) after joining every writer, or let each writer put one and the reader count them; "
                   "the parent takes values from `out` until the reader's last one.",
                   lost=sum(missing.values()), example=repr(sorted(missing)[0]), **lost)
        extra = Counter(got) - Counter(want)
        expect(not extra, "relay with {n} {n:writer|writers} returned {value}, which no writer wrote ({k} "
               "{k:value|values} too many): a sentinel is a signal between processes, not a value; keep it out of the "
               "result, and return each value once.",
               n=len(batches), value=describe(sorted(extra, key=repr)[0]) if extra else "",
               k=sum(extra.values()))


def test_batch_order_kept(runs):
    seen_whole = 0
    for name, batches in CASES.items():
        got = runs[name].observations["result"]
        if type(got) is not list:
            continue
        for batch in batches:
            if len(batch) < 2 or not set(batch) <= set(got):
                continue
            seen_whole += 1
            order = [v for v in got if v in set(batch)]
            expect(order == batch, "relay with {n} {n:writer|writers} returned one writer's values in the order "
                   "{order}, where it wrote {batch}: one reader taking them from one queue keeps each writer's order, "
                   "and so must the way they come back.", n=len(batches),
                   order=describe(order), batch=describe(batch))
    expect(seen_whole, "No writer's values came back whole, so the order could not be checked: make every value "
           "come back first (every_value_returned).")


def test_large_values_no_deadlock(student, runs):
    # A reader killed while it streams long values may die in the middle of one, and the parent then
    # waits for the rest of it or not, by luck: a relay that terminates its reader is judged by the
    # small cases' runs, where the test holds the reader, and is not run here.
    for name in CASES:
        for stopped in runs[name].observations["terminated"]:
            expect(False, "relay calls {how}() on the {target} process (line {line}): with {kib} KiB of values to "
                   "forward, a reader stopped from outside may even die in the middle of one. Let it stop by itself.",
                   kib=LARGE_KIB, how=stopped["how"], target=stopped["target"] or "", line=_line(stopped))
    obs = student.record("relay_run", batches=LARGE, hold_reader=False, digest=True).observations
    got = obs["result"]
    want = [[v.split(":", 1)[0], len(v)] for batch in LARGE for v in batch]
    complete = type(got) is list and len(got) == len(want) and sorted(
        tuple(g) for g in got if type(g) is list) == sorted(tuple(w) for w in want)
    expect(complete,
           "With 3 writers of 24 values of 10 000 characters ({kib} KiB in all), relay returned {k} values where "
           "{total} were written.", kib=LARGE_KIB, k=len(got) if type(got) is list else 0, total=len(want))


def _readers(obs):
    return [p for p in obs["processes"] if p["role"] == "reader"]


def test_reader_ends_by_itself(runs):
    for name, batches in CASES.items():
        obs = runs[name].observations
        for stopped in obs["terminated"]:
            expect(False, "relay called {how}() on the {target} process (line {line}). A process stopped from "
                   "outside may be anywhere: in the middle of forwarding a value, or holding a queue's lock. Let the "
                   "reader end by itself: it returns when it takes the sentinel.", how=stopped["how"],
                   target=stopped["target"] or "", line=_line(stopped))
        readers = _readers(obs)
        expect(readers, "relay started no process running read(), so no reader process could end by itself (see "
               "separate_processes).")
        for reader in readers:
            expect(reader["exitcode"] is not None, "relay with {n} {n:writer|writers} returned, and the reader process "
                   "was still running {s} seconds later: it never takes a sentinel, so it waits in q.get() for ever.",
                   n=len(batches), s=5)
            expect(reader["exitcode"] == 0, "relay with {n} {n:writer|writers}: the reader process ended with exit "
                   "code {code}, not 0: it died of an exception instead of returning (its traceback is in the output).",
                   n=len(batches), code=reader["exitcode"])


def test_processes_joined(runs):
    for name, batches in CASES.items():
        obs = runs[name].observations
        expect(obs["processes"], "relay started no process, so there was none to join (see separate_processes).")
        for p in obs["processes"]:
            expect(p["joined"], "relay with {n} {n:writer|writers} returned without joining the {target} process "
                   "started at line {line}: join() every process you start, after it has been told to stop, so that "
                   "none is left running.", n=len(batches), target=p["target"] or p["class"],
                   line=_line(p))


def test_separate_processes(runs):
    for name, batches in CASES.items():
        obs = runs[name].observations
        processes = obs["processes"]
        if not processes:
            expect(obs["threads"] <= 1, "relay ran write and read in threads, not processes. Threads share one "
                   "interpreter (and its GIL) and its memory; this exercise is about processes, which share nothing "
                   "and talk only through what you send them: multiprocessing.Process with a multiprocessing.Queue.")
            expect(False, "relay started no process: write and read ran in the calling process. Start one "
                   "multiprocessing.Process per batch running write, and one running read.")
        writers = [p for p in processes if p["role"] == "writers"]
        expect(len(writers) == len(batches), "relay with {n} {n:writer|writers} started {k} {k:process|processes} "
               "running write: one per batch, so that the writers run at the same time.", n=len(batches),
               k=len(writers))
        expect(len(_readers(obs)) == 1, "relay with {n} {n:writer|writers} started {k} {k:process|processes} running "
               "read, where one reader takes everything.", n=len(batches), k=len(_readers(obs)))


def test_no_qsize(runs):
    for name in CASES:
        obs = runs[name].observations
        calls = obs["qsize_calls"] + [e for e in obs["child_events"] if e.get("event") == "qsize"]
        if calls:
            expect(False, "relay called qsize() (line {line}). A multiprocessing Queue's qsize() raises "
                   "NotImplementedError on macOS, and where it works it is only a guess: values may still be on "
                   "their way. Count on a sentinel instead: take values until the reader's last one.",
                   line=_line(calls[0]))
