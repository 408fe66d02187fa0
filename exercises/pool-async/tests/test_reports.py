"""Hidden checks for pool-async. Each test is one check named in exercise.yaml.

Nothing here depends on timing. The test's server (HoldingServer) decides when each task may run:
no task runs before the parent first waits for a result or joins its pool (the gate), and in the
failing run task 5 stays held until the parent joins the pool or waits for task 5's own result,
and task 1 until task 4's exception has reached the parent (or the parent waits for task 1). So a
program that raises at the first failure raises while task 5 is certainly unfinished, one that
raises the first exception to arrive raises task 4's, and a program that waits is never blocked.
Overlap is proven at the rendezvous (two worker processes inside the test's task at once).
"""

import os

import pytest

from grader.harness.judge.api import HoldingServer, describe, expect

WORKERS = 2
N_FILES = 6
N_JUDGE = 8
N_FAIL = 7
FAIL = (1, 4)
LOWEST = 1
HELD = 5
HOLDS = {
    HELD: {"join", f"wait:{HELD}", "wait:all"},  # wait:all: a map's result, ready once all are done
    LOWEST: {"received:4", f"wait:{LOWEST}"},  # task 4's exception reaches the parent first
}
LINES = 1000


def _run(student, scenario, server, **kwargs):
    try:
        return student.record(scenario, address=server.address, workers=WORKERS, **kwargs), server
    except BaseException:
        server.close()
        raise


@pytest.fixture(scope="module")
def files_run(student):
    """make_reports(6, folder, workers=2) with the student's long_time_task."""
    server = HoldingServer()
    yield _run(student, "write_reports", server, n=N_FILES)
    server.close()


@pytest.fixture(scope="module")
def judge_run(student):
    """make_reports(8, folder, workers=2, task) with the test's task, overlap proven at the rendezvous."""
    server = HoldingServer()
    yield _run(student, "judge_tasks", server, n=N_JUDGE, overlap=True)
    server.close()


@pytest.fixture(scope="module")
def failing_run(student):
    """make_reports(7, folder, workers=2, task) where tasks 1 and 4 raise, tasks 1 and 5 held."""
    server = HoldingServer(holds=HOLDS, fail=FAIL)
    yield _run(student, "judge_tasks", server, n=N_FAIL)
    server.close()


def _pairs(obs):
    """The dict make_reports returned, or None if it returned something else."""
    result = obs["result"]
    if "pairs" not in result:
        return None
    return {(k if type(k) is int else repr(k)): v for k, v in result["pairs"]}


def _shown(value, folder):
    """A value as a message shows it: the random folder's path reads `folder`."""
    text = describe(value)
    return text.replace(folder, "folder") if isinstance(value, str) else text


def _before(server, event):
    """The items whose task had ended when `event` first happened (None if it never did)."""
    marks = server.events(event)
    if not marks:
        return None
    seq = marks[0]["seq"]
    return {e["item"] for e in server.log if e["event"] == "end" and e["seq"] < seq}


def _started_before_return(server):
    marks = server.events("returned") + server.events("raised")
    end = marks[0]["seq"] if marks else len(server.log)
    return [e for e in server.log if e["event"] == "start" and e["seq"] < end]


def _error(raised):
    return f"{raised['type']}: {raised['message']}"


def test_reports_written(files_run, judge_run):
    run, _ = files_run
    obs = run.observations
    folder = obs["folder"]
    raised = obs["raised"]
    expect(raised is None, "make_reports({n}, folder, workers={w}) with long_time_task raised {error}.",
           n=N_FILES, w=WORKERS, error=_error(raised) if raised else "")
    got = _pairs(obs)
    expect(got is not None, "make_reports({n}, folder, workers={w}) returned {got}, not a dict.", n=N_FILES,
           w=WORKERS, got=describe(obs["result"].get("value")))
    missing = [i for i in range(N_FILES) if i not in got]
    expect(not missing, "make_reports({n}, folder, workers={w}) returned a dict without the {missing:task|tasks} "
           "{missing}: collect every task's result (apply_async's callback, or get() on each AsyncResult once all are "
           "submitted) and wait for them (close() and join()) before returning.", n=N_FILES, w=WORKERS,
           missing=missing)
    extra = sorted(str(k) for k in got if k not in range(N_FILES))
    expect(not extra, "make_reports({n}, folder, workers={w}) returned a dict with the {extra:key|keys} {extra}: its "
           "keys must be the task numbers 0 to {last}, as int.", n=N_FILES, w=WORKERS, extra=extra, last=N_FILES - 1)
    for i in range(N_FILES):
        want = os.path.join(folder, f"report-{i}.txt")
        value = got[i]
        expect(isinstance(value, str) and os.path.normpath(value) == want,
               "make_reports returned {got} for task {i}, not the path of folder/report-{i}.txt: "
               "long_time_task(i, folder) must write report-<i>.txt in `folder` and return its path "
               "(os.path.join(folder, ...)), and make_reports must return what each task returned.",
               got=_shown(value, folder), i=i)
    files = obs["files"]
    for i in range(N_FILES):
        name = f"report-{i}.txt"
        expect(files or name in files, "After make_reports({n}, folder, workers={w}), the folder holds no file at "
               "all: task i must write report-<i>.txt in `folder`, and make_reports must wait for every task "
               "before it returns.", n=N_FILES, w=WORKERS)
        expect(name in files, "After make_reports({n}, folder, workers={w}), the folder holds {names} but no "
               "{name}: task i must write a file of its own, report-<i>.txt (the tutorial's tasks all "
               "overwrite process_text.txt).", n=N_FILES, w=WORKERS, name=name, names=", ".join(sorted(files)))
        expect(files[name]["complete"], "{name} holds {k} {k:line|lines}, not the {lines} lines 0 to {last} that "
               "long_time_task writes: each task must write its whole file, and make_reports must wait for "
               "every task before it returns.", name=name, k=files[name]["lines"], lines=LINES, last=LINES - 1)

    run, server = judge_run
    obs = run.observations
    expect(obs["raised"] is None, "With the test's own task, make_reports({n}, folder, workers={w}, task) "
           "raised {error}.", n=N_JUDGE, w=WORKERS, error=_error(obs["raised"]) if obs["raised"] else "")
    got = _pairs(obs)
    expect(got is not None, "With the test's own task, make_reports({n}, folder, workers={w}, task) returned "
           "{got}, not a dict.", n=N_JUDGE, w=WORKERS, got=describe(obs["result"].get("value")))
    values = {server.value_of(i): i for i in range(N_JUDGE)}
    for i in range(N_JUDGE):
        value = got.get(i)
        if value in values and value != server.value_of(i):
            expect(False, "With the test's own task, make_reports({n}, folder, workers={w}, task) returned task "
                   "{j}'s result for task {i}: map each i to what task i itself returned (apply_async's callback "
                   "does not know i: bind it, e.g. callback=functools.partial(store, i)).", n=N_JUDGE,
                   w=WORKERS, i=i, j=values[value])
        expect(value == server.value_of(i), "With the test's own task, make_reports({n}, folder, workers={w}, "
               "task) returned {got} for task {i}, not what task({i}, folder) returned: call the `task` it is "
               "given (not long_time_task), and return a dict mapping each i to what task i returned.",
               n=N_JUDGE, w=WORKERS, i=i, got=_shown(value, obs["folder"]))


def test_tasks_overlap(judge_run):
    run, server = judge_run
    obs = run.observations
    parent = obs["pid"]
    started = _started_before_return(server)
    expect(started, "The test's task never ran before make_reports returned: make_reports({n}, folder, "
           "workers={w}, task) did not wait for any result (no get(), no join()). The test lets a task start "
           "only once the parent waits for the results, so work left to the pool after make_reports returns "
           "(or ended by a `with` block's terminate()) is work never done. Call close() and join() (or get() "
           "each result) before returning.", n=N_JUDGE, w=WORKERS)
    pids = {e["pid"] for e in started} - {parent}
    expect(pids, "Every call of task ran in the calling process itself, not in worker processes: the pool "
           "must run them (apply_async(task, args=(i, folder))), not make_reports.")
    expect(server.stats.overlap_seen and len(pids) >= 2,
           "task never ran in two worker processes at the same moment ({k} worker {k:process|processes} seen, "
           "workers={w}). Submit every task with apply_async first, and only then wait for the results "
           "(callbacks and close()/join(), or get() on each AsyncResult after the loop): get() right after "
           "each apply_async waits for that task before the next one is even submitted.", k=len(pids),
           w=WORKERS)


def test_never_in_the_parent(judge_run):
    run, server = judge_run
    parent = run.observations["pid"]
    calls = server.events("arrive")
    here = sum(1 for e in calls if e["pid"] == parent)
    expect(here == 0, "{k} of the {n} calls of task ran in the calling process itself, not in a worker "
           "process of the pool.", k=here, n=len(calls))


def test_failure_is_raised(failing_run):
    run, server = failing_run
    obs = run.observations
    raised = obs["raised"]
    if raised is None:
        # Tasks that never started raised nothing to ask for: "pass error_callback" would be the wrong
        # advice to an answer that passes it but ends its pool first (issue 23, item 5).
        failing_started = {e["item"] for e in _started_before_return(server)} & set(FAIL)
        expect(failing_started, "make_reports({n}, folder, workers={w}, task) returned before tasks 1 and 4 (the "
               "ones that raise TaskFailed) had even started, so there was no exception yet to raise. The test "
               "starts a task only once the parent waits for the results: wait for every task before returning "
               "(close() and then join(), or get() on each result; a `with Pool(...)` block ends with "
               "terminate()), then raise the exception of the lowest failing i.", n=N_FAIL, w=WORKERS)
        got = _pairs(obs)
        expect(got is None, "make_reports({n}, folder, workers={w}, task) returned a dict with the keys {keys} "
               "although tasks 1 and 4 raised TaskFailed: an exception raised in a pool's task is lost unless you "
               "ask for it. Pass error_callback to apply_async (or call get(), which raises it again), and raise "
               "the exception of the lowest failing i.", n=N_FAIL, w=WORKERS,
               keys=describe(sorted(got, key=str)) if got is not None else "")
        expect(False, "make_reports({n}, folder, workers={w}, task) returned {got} although tasks 1 and 4 raised "
               "TaskFailed: an exception raised in a pool's task is lost unless you ask for it. Pass "
               "error_callback to apply_async (or call get(), which raises it again), and raise the exception "
               "of the lowest failing i.", n=N_FAIL, w=WORKERS, got=describe(obs["result"].get("value")))
    tokens = {server.token_of(i): i for i in FAIL}
    item = tokens.get(raised["token"])
    if item is not None and item != LOWEST:
        expect(False, "make_reports raised the exception of task {got}, but task {want} raised too, and {want} is "
               "the lowest failing i. Task {got}'s exception reached the parent first (the test made it so): "
               "keep each task's exception with its i, and once every task is done raise the one of the lowest "
               "i.", got=item, want=LOWEST)
    expect(item == LOWEST, "make_reports raised {error}, not the exception that task {want} raised (tasks 1 and "
           "4 raised TaskFailed): raise the task's own exception (`raise errors[min(errors)]`), not a new one.",
           error=_error(raised), want=LOWEST)


def test_raises_after_all_tasks_end(failing_run):
    run, server = failing_run
    obs = run.observations
    raised = obs["raised"]
    expect(raised is not None, "make_reports({n}, folder, workers={w}, task) raised nothing although tasks 1 and "
           "4 raised. This check looks at when the exception is raised: make make_reports raise it first (see "
           "failure_is_raised).", n=N_FAIL, w=WORKERS)
    ended = _before(server, "raised")
    unended = sorted(set(range(N_FAIL)) - ended)
    # The pool ran the tasks (a worker called the test's task), and task 5 never ran in the parent:
    # then task 5 was held, or would have been, as it was not even started.
    parent = obs["pid"]
    arrivals = server.events("arrive")
    pooled = any(e["pid"] != parent for e in arrivals)
    held = pooled and not any(e["item"] == HELD and e["pid"] == parent for e in arrivals)
    if HELD in unended and held:
        expect(False, "make_reports raised {error} while task {i} had not finished. The test held task {i} back "
               "until make_reports joined the pool or asked for that task's own result; raising at the first "
               "failure leaves the other tasks running (and the exit of a `with` block terminates them). Wait "
               "for every task first (close() and join(), or get() on every AsyncResult, catching each "
               "exception), then raise.", error=raised["type"], i=HELD)
    expect(not unended, "make_reports raised {error} while task {i} had not finished: raising at the first "
           "failure leaves the other tasks undone. Run every task first (close() and join(), or get() on every "
           "AsyncResult, catching each exception), then raise.", error=raised["type"],
           i=unended[0] if unended else 0)
    for pool in obs["pools"]:
        line = (pool["site"] or {}).get("line", "?")
        expect(pool["shut_down"], "make_reports raised {error} while the {kind} created at line {line} was still "
               "open (close() called: {closed}, join() called: {joined}): close() and join() the pool, then "
               "raise.", error=raised["type"], kind=pool["kind"], line=line, closed=pool["closed"],
               joined=pool["joined"])


def test_pool_closed_and_joined(files_run):
    run, server = files_run
    obs = run.observations
    expect(obs["pools"], "make_reports({n}, folder, workers={w}) created no process pool: run the tasks in a "
           "multiprocessing.Pool.", n=N_FILES, w=WORKERS)
    for pool in obs["pools"]:
        line = (pool["site"] or {}).get("line", "?")
        expect(pool["shut_down"], "The {kind} created at line {line} was not shut down before make_reports "
               "returned (close() called: {closed}, join() called: {joined}): close() it, then join() it, which "
               "waits for every task.", kind=pool["kind"], line=line, closed=pool["closed"],
               joined=pool["joined"])
    ended = _before(server, "terminate")
    if ended is not None:
        unended = sorted(set(range(N_FILES)) - ended)
        expect(not unended, "The pool was terminated (the exit of a `with Pool(...)` block calls terminate()) "
               "while task {i} had not finished: terminate() stops the workers, done or not. Get every result "
               "inside the block, or close() and join() the pool, before it ends.", i=unended[0] if unended else 0)
    left = obs["children_left"]
    expect(not left, "{k} child {k:process was|processes were} still running when make_reports returned.", k=len(left))
