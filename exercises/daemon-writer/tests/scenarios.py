"""Scenarios for daemon-writer; they run in the child and only observe.

Other threads are held while the main thread runs or sleeps (probe.hold_other_threads_while_main_runs):
a writer runs only once main() waits for something (a join, a queue's join) or the program ends.
So "sleep a while and hope the writer is done" finds it not done, on every run.
"""

import os
import threading
import warnings


def _lines(path):
    try:
        with open(path, encoding="utf-8") as fh:
            return fh.read().splitlines()
    except OSError:
        return None


def as_script(module, probe, n):
    """`python writer.py out.txt N`: the student's file as __main__, then Python's exit."""
    path = os.path.abspath("script-out.txt")
    probe.hold_other_threads_while_main_runs()
    ended = probe.run_as_main([path, str(n)])
    return {**ended, "lines": _lines(path)}


def call_main(module, probe, n, existing=None, hold=True):
    """main(path, n) called directly; what the file holds and which threads live when it returns.
    With hold=False, the first schedule: the writer runs as soon as it starts, before any line."""
    path = os.path.abspath(f"main-{n}.txt")
    if existing is not None:
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(existing)
    me = threading.current_thread()
    if hold:
        probe.hold_other_threads_while_main_runs()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        module.main(path, n)
    lines = _lines(path)
    alive = [t.name for t in threading.enumerate() if t is not me and t.is_alive()]
    deprecated = sorted({(str(w.message).split(" is deprecated")[0].split(")")[0] + ")", w.lineno)
                         for w in caught if issubclass(w.category, DeprecationWarning)
                         and os.path.realpath(w.filename) == os.path.realpath(module.__file__)})
    return {"lines": lines, "alive": alive, "threads_started": probe.max_alive() - 1,
            "main_sleeps": [s["seconds"] for s in probe.sleeps(me.name)],
            "deprecated": [{"what": what, "line": line} for what, line in deprecated]}
