"""Scenarios for pool-async; they run in the child, next to the student's module, and only observe.
Every comparison happens in the test.

make_reports always gets a task of the test's (probe.JudgeTask): each
call waits at the test's server until the test lets it run, so what ran before make_reports
returned or raised is decided by the test, never by how fast the workers were. With `inner`, the
judge's task runs the student's own long_time_task in between. PoolWatch tells the test when this
process waits for a result, receives one, joins or terminates its pool, and when make_reports
returned or raised.
"""

import os

LINES = 1000
COMPLETE = "".join(f"{j}\n" for j in range(LINES))


def _folder(name):
    folder = os.path.join(os.getcwd(), name)
    os.makedirs(folder, exist_ok=True)
    return folder


def _call(module, probe, address, n, workers, task, folder):
    """make_reports(n, folder, workers=workers, task=task), and what it returned or raised."""
    watch = probe.PoolWatch(address)
    pools = probe.PoolTracker()
    try:
        result = module.make_reports(n, folder, workers=workers, task=task)
    except Exception as exc:  # noqa: BLE001 - the test reports it; the student's code is done here
        watch.mark("raised")  # first: the test's log puts it before anything that follows
        failed = isinstance(exc, probe.TaskFailed)
        raised = {"type": type(exc).__name__, "message": str(exc)[:300],
                  "item": probe.encode(exc.item) if failed else None,
                  "token": exc.token if failed and type(exc.token) is str else None}
        result = None
    else:
        watch.mark("returned")
        raised = None
    if type(result) is dict:  # pairs: probe.encode would turn the keys into strings
        shown = {"pairs": [[probe.encode(k), probe.encode(v)] for k, v in list(result.items())[:100]]}
    else:
        shown = {"value": probe.encode(result)}
    return {"result": shown, "raised": raised, "pools": pools.report(), "children_left": probe.live_children(),
            "pid": os.getpid(), "folder": folder}


def write_reports(module, probe, address, n, workers):
    """make_reports with the student's long_time_task (held by the test's task around it), and the
    files in the folder right after."""
    folder = _folder("reports")
    obs = _call(module, probe, address, n, workers, probe.JudgeTask(address, inner=module.long_time_task), folder)
    files = {}
    for name in sorted(os.listdir(folder))[:50]:
        try:
            with open(os.path.join(folder, name), encoding="utf-8", errors="replace") as fh:
                text = fh.read()
        except OSError:
            text = ""
        files[name] = {"lines": text.count("\n"), "complete": text == COMPLETE}
    obs["files"] = files
    return obs


def judge_tasks(module, probe, address, n, workers, overlap=False):
    """make_reports with the test's task alone; the server decides which calls fail or wait."""
    return _call(module, probe, address, n, workers, probe.JudgeTask(address, overlap=overlap), _folder("judge"))
