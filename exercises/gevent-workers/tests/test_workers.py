"""Hidden checks for gevent-workers. Each test is one check named in exercise.yaml.

Each case runs once, in its own child (greenlets switch only where they yield: one run shows the one
order there is). The checks read what run_workers returned or raised, the greenlets started while it
ran (their target, `dead`, `exception`, where a live one waits), and in which greenlet the student's
worker ran. The rule for taking turns is read from the returned order alone (see _turn_broken). No
check measures time.
"""

import pytest

from grader.harness.judge.api import describe, expect, listed, phrase

# (n_tasks, names): always at least twice as many tasks as workers, or none
CASES = [(6, ["A", "B", "C"]), (10, ["A", "B"]), (7, ["A", "B", "C"]), (0, ["A", "B"]), (5, ["A"])]
JUDGE_CASE = (5, ["X", "Y"])


@pytest.fixture(scope="module")
def runs(student):
    return [(n, names, student.record("run_case", n_tasks=n, names=names)) for n, names in CASES]


def _call(n, names):
    return f"run_workers({n}, {names!r})"


def _line(stack):
    last = stack[-1] if stack else {}
    return last.get("line", "?"), last.get("code", "")


def _waiting(greenlets):
    """The greenlets still waiting, as `N: code`, the same places counted once (a place has no words:
    it reads the same in every language), and those that never ran, in words the catalog translates."""
    places = {}
    not_started = 0
    for g in greenlets:
        if g["dead"]:
            continue
        if not g["ran"]:
            not_started += 1
            continue
        line, code = _line(g["where"])
        text = f"{line}: `{code}`"
        places[text] = places.get(text, 0) + 1
    parts = [text if k == 1 else f"{text} ×{k}" for text, k in places.items()]
    if not_started:
        parts.append(phrase("not started") if not_started == 1 else phrase("not started ×{k}", k=not_started))
    return listed(parts)


def _must_return(n, names, obs):
    """run_workers returned; otherwise the check fails saying how it ended."""
    if obs["outcome"] == "returned":
        return
    error = obs["error"]
    line, code = _line(error["stack"])
    # It checks empty() already: telling it to would be wrong (issue 23, item 5).
    expect(not (obs["loop_exit"] and obs.get("stale_checks")),
           "{call} raised LoopExit (\"This operation would block forever\") at line {line} (`{code}`): every "
           "greenlet was waiting for something that could never come ({where}). worker() checks `tasks.empty()`, "
           "then yields before `tasks.get()`: meanwhile another greenlet takes the last task, and the get waits "
           "on an empty queue for ever. Greenlets switch only where they yield: take the task right after the "
           "check, with no yield in between, or use `tasks.get_nowait()` and return on `gevent.queue.Empty`.",
           call=_call(n, names), line=line, code=code, where=_waiting(obs["greenlets"]))
    expect(not obs["loop_exit"],
           "{call} raised LoopExit (\"This operation would block forever\") at line {line} (`{code}`): every "
           "greenlet was waiting for something that could never come ({where}). A worker that calls "
           "`tasks.get()` on an empty queue waits for a task nobody will put. Stop when the queue is empty: "
           "`while not tasks.empty():` before each `tasks.get()`, or `tasks.get_nowait()` and return on "
           "`gevent.queue.Empty`.",
           call=_call(n, names), line=line, code=code, where=_waiting(obs["greenlets"]))
    expect(False, "{call} raised {error} (\"{text}\") at line {line} (`{code}`).",
           call=_call(n, names), error=error["type"], text=error["message"], line=line, code=code)


def _pairs(n, names, obs):
    got = obs["got"]
    expect(got["kind"] == "pairs", "{call} returned {got}; it must return the list `done` of (name, task) pairs "
           "that the workers filled, in the order they did them.", call=_call(n, names),
           got=describe(got.get("value")))
    return got["pairs"]


def _turn_broken(pairs, names):
    """The first task done out of turn: a worker taking its (k+1)-th task while another worker has done
    fewer than k (that one was waiting, and tasks were left). None when the workers took turns."""
    count = {name: 0 for name in names}
    for i, (name, task) in enumerate(pairs):
        if name not in count:
            continue
        count[name] += 1
        behind = min(names, key=lambda other: (count[other], names.index(other)))
        if count[name] - count[behind] >= 2:
            return {"at": i, "name": name, "task": task, "nth": count[name], "other": behind,
                    "other_count": count[behind]}
    return None


def test_every_task_done_once(runs):
    for n, names, run in runs:
        obs = run.observations
        _must_return(n, names, obs)
        pairs = _pairs(n, names, obs)
        tasks = [task for _, task in pairs]
        missing = [t for t in range(n) if t not in tasks]
        twice = sorted({t for t in tasks if tasks.count(t) > 1})
        extra = sorted({t for t in tasks if t not in range(n)}, key=repr)
        expect(not missing,
               "{call} returned {got}: {missing:task|tasks} {missing} {missing:is|are} not there. Every task must be "
               "done once and recorded in the list `done` that run_workers returns: pass that list to every worker, "
               "and return only after every greenlet has ended (`gevent.joinall(greenlets)`).",
               call=_call(n, names), got=pairs, missing=missing)
        expect(not twice and not extra,
               "{call} returned {got}: {twice:task|tasks} {twice} {twice:was|were} done more than once. Each task must "
               "be taken out of the queue by exactly one worker, with `tasks.get()` (or `tasks.get_nowait()`): looking "
               "at the queue's items leaves them there for the others.",
               call=_call(n, names), got=pairs, twice=twice or extra)
        strangers = sorted({repr(name) for name, _ in pairs if name not in names})
        expect(not strangers,
               "{call} returned {got}: {strangers} is not one of the names given. Each pair must be "
               "(name, task), with the name of the worker that did the task.",
               call=_call(n, names), got=pairs, strangers=", ".join(strangers))


def test_workers_take_turns(runs):
    for n, names, run in runs:
        obs = run.observations
        _must_return(n, names, obs)
        pairs = _pairs(n, names, obs)
        broken = _turn_broken(pairs, names)
        if broken is None and n >= len(names):
            idle = [name for name in names if name not in [p[0] for p in pairs]]
            expect(not idle, "{call} returned {got}: {idle} did no task at all. Every worker must take part: "
                   "start one greenlet per name, each running worker, and wait for all of them before returning.",
                   call=_call(n, names), got=pairs, idle=", ".join(idle))
        if broken is None:
            continue
        doers = sorted({p[0] for p in pairs})
        in_main = [c for c in obs["calls"] if c["in_main"]]
        workers = [c for c in obs["calls"] if not c["in_main"]]
        if in_main:
            expect(False,
                   "{call} returned {got}: {name} did every task, before any greenlet ran. worker() ran in the main "
                   "greenlet, {k} {k:time|times}: `gevent.spawn(worker(name, tasks, done))` calls worker at once, to "
                   "compute what to spawn, and the first call empties the queue. Pass the function and its "
                   "arguments instead: `gevent.spawn(worker, name, tasks, done)`.",
                   call=_call(n, names), got=pairs, name=broken["name"], k=len(in_main))
        if len({c["greenlet"] for c in workers}) < len(names):
            expect(False,
                   "{call} returned {got}: worker() ran in {k} {k:greenlet|greenlets} for {names} {names:name|names}, "
                   "so {idle} never got a turn. Start one greenlet per name: `[gevent.spawn(worker, name, tasks, done) "
                   "for name in names]`, then join them all.",
                   call=_call(n, names), got=pairs, k=len({c["greenlet"] for c in workers}), names=len(names),
                   idle=", ".join(name for name in names if name not in doers) or broken["other"])
        named = [c for c in workers if c["name"] is not None]
        greenlets, given = {c["greenlet"] for c in named}, {c["name"] for c in named}
        if len(greenlets) > 1 and len(given) < len(greenlets):
            # Each greenlet ran worker, and yields may well be there: the names are what went wrong.
            expect(False,
                   "{call} returned {got}: worker() ran in {k} greenlets, but they were given no name but "
                   "{given}. A `lambda: worker(name, tasks, done)` reads `name` when the greenlet runs, after the "
                   "loop has ended, so every one sees its last value. Pass the name when spawning: "
                   "`gevent.spawn(worker, name, tasks, done)` (or `lambda name=name: ...`).",
                   call=_call(n, names), got=pairs, k=len(greenlets), given=", ".join(sorted(given)))
        if len(doers) == 1 and not obs.get("yields"):
            expect(False,
                   "{call} returned {got}: {name} did all {n} tasks in a row while {others} waited. Greenlets switch "
                   "only where they yield, and worker() never yields between two tasks, so the first greenlet keeps "
                   "the CPU until the queue is empty. Yield after each task: `gevent.sleep(0)` inside the loop.",
                   call=_call(n, names), got=pairs, name=doers[0], n=n,
                   others=", ".join(name for name in names if name != doers[0]))
        expect(False,
               "{call} returned {got}: {name} took task {task} (its task number {nth}) while {other} had done only "
               "{fewer}, with tasks left. The workers must take turns: each one does one task and then yields "
               "(`gevent.sleep(0)`) so that every other worker does one before it takes the next.",
               call=_call(n, names), got=pairs, name=broken["name"], task=broken["task"], nth=broken["nth"],
               other=broken["other"], fewer=broken["other_count"])


def test_spawns_the_worker_function(runs):
    for n, names, run in runs:
        obs = run.observations
        calls, greenlets = obs["calls"], obs["greenlets"]
        in_main = [c for c in calls if c["in_main"]]
        nothing = [g for g in greenlets if g["runs_nothing"]]
        if in_main or nothing:
            first = in_main[0] if in_main else None
            expect(False,
                   "{call}: worker() ran {k} {k:time|times} in the main greenlet ({before} {before:greenlet|greenlets} "
                   "had been started before the first call), and {empty} of the {started} {started:greenlet|greenlets} "
                   "started had nothing to run. `gevent.spawn(worker(name, tasks, done))` first calls worker(name, "
                   "tasks, done) right there, does all its work, and spawns what it returns: None, a greenlet with "
                   "nothing to do. `gevent.spawn(worker, name, tasks, done)` passes the function and its arguments, "
                   "and gevent calls worker later, inside the new greenlet, where it can take turns with the others.",
                   call=_call(n, names), k=len(in_main), before=first["started_before"] if first else 0,
                   empty=len(nothing), started=len(greenlets))
        # greenlets that ran worker, or were started to run it (a greenlet never joined may not have run yet)
        ran_in = {c["greenlet"] for c in calls} | {i for i, g in enumerate(greenlets) if g["runs"] == "worker"}
        expect(len(ran_in) >= len(names),
               "{call}: {k} {k:greenlet|greenlets} ran worker() for {names} {names:name|names}. Spawn one greenlet per "
               "name, each running `worker` with that name: `gevent.spawn(worker, name, tasks, done)`.",
               call=_call(n, names), k=len(ran_in), names=len(names))


def test_extra_greenlets_share_the_queue(student):
    n, names = JUDGE_CASE
    obs = student.run("judge_greenlets", n_tasks=n, names=names)
    stuck = [g for g in obs["greenlets"] if not g["dead"]]
    if obs["loop_exit"] or stuck:
        line, code = _line(stuck[0]["where"]) if stuck else ("?", "")
        expect(not obs.get("stale_checks"),
               "The test put tasks 0 to {last} in its own gevent Queue and spawned greenlets running worker(name, "
               "tasks, done) for {names}. They never all ended: {k} {k:greenlet|greenlets} waited at line {line} "
               "(`{code}`). worker() checks `tasks.empty()`, then yields before `tasks.get()`: meanwhile another "
               "greenlet takes the last task, and the get waits on an empty queue for ever. Take the task right after "
               "the check, with no yield in between, or use `tasks.get_nowait()` and return on `gevent.queue.Empty`.",
               last=n - 1, names=names, k=len(stuck), line=line, code=code)
        expect(False,
               "The test put tasks 0 to {last} in its own gevent Queue (nothing else: no sentinel) and spawned "
               "greenlets running worker(name, tasks, done) for {names}. They never all ended: gevent raised "
               "LoopExit (\"This operation would block forever\") with {k} {k:greenlet|greenlets} waiting at line "
               "{line} (`{code}`). worker() itself must stop when the queue is empty, whoever spawns it: a stop sign "
               "that only run_workers puts in its queue is not in the test's. Check `tasks.empty()` before each "
               "`tasks.get()`, or use `tasks.get_nowait()` and return on `gevent.queue.Empty`.",
               last=n - 1, names=names, k=len(stuck), line=line, code=code)
    pairs = obs["done"].get("pairs", [])
    tasks = sorted(task for _, task in pairs)
    expect(tasks == list(range(n)),
           "The test's greenlets ran worker(name, tasks, done) for {names} on a queue holding tasks 0 to {last}; "
           "`done` ended as {got}, not every task once (in the test's own list `done`: fill the list you are "
           "given).", names=names, last=n - 1, got=pairs)
    broken = _turn_broken(pairs, names)
    expect(broken is None,
           "The test's greenlets ran worker(name, tasks, done) for {names} on a queue holding tasks 0 to {last}, "
           "and `done` ended as {got}: they did not take turns. worker() must yield after each task "
           "(`gevent.sleep(0)`), so that the other greenlets run too.", names=names, last=n - 1, got=pairs)


def test_no_greenlet_left_running(runs):
    for n, names, run in runs:
        obs = run.observations
        left = [g for g in obs["greenlets"] if not g["dead"]]
        if not left:
            continue
        _must_return(n, names, obs)
        expect(False,
               "When {call} returned, {k} of the {started} {started:greenlet|greenlets} it started had not ended "
               "({where}), and it returned {got}. A greenlet runs only when the one running yields: without a join, "
               "run_workers returns before the workers did their tasks. Wait for all of them before returning: "
               "`gevent.joinall(greenlets)` (with no timeout).",
               call=_call(n, names), k=len(left), started=len(obs["greenlets"]), where=_waiting(left),
               got=obs["got"].get("pairs", describe(obs["got"].get("value"))))


def test_no_greenlet_dies(runs):
    for n, names, run in runs:
        obs = run.observations
        died = [g for g in obs["greenlets"] if g["error"]]
        if not died:
            continue
        error = died[0]["error"]
        line, code = _line(error["stack"])
        details = dict(call=_call(n, names), k=len(died), type=error["type"], text=error["message"], line=line,
                       code=code)
        expect(error["type"] != "Empty",
               "In {call}, {k} {k:greenlet|greenlets} ended with an exception: {type} at line {line} (`{code}`). "
               "`tasks.get_nowait()` raises Empty when the queue is empty: catch exactly that and return "
               "(`from gevent.queue import Empty`, then `except Empty: return`).", **details)
        expect(False,
               "In {call}, {k} {k:greenlet|greenlets} ended with an exception: {type} (\"{text}\") at line {line} "
               "(`{code}`). gevent prints it and goes on, but that greenlet's work is lost: only an empty queue should "
               "end a worker.", **details)
