"""Entry point of the child interpreter that runs one scenario against the student's module.

    python -I bootstrap.py REQUEST_FD RESULT_FD FAULT_FD

The judge writes one JSON request to REQUEST_FD. The child installs the instrumentation, imports the
student's module, runs the requested scenario function and writes JSON lines to RESULT_FD:
`{"event": "phase", ...}` as it goes and one final `{"event": "result", ...}`. Then it leaves with
os._exit, so that no leftover thread can keep it alive. FAULT_FD receives faulthandler's dump of
every thread if the real-time backstop fires (a busy loop the scheduler cannot see).
"""

import faulthandler
import json
import os
import sys

if __name__ == "__main__":
    # Importable as grader.harness.child.* with no installation: the package root is three up.
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))


def main(argv):
    req_fd, res_fd, fault_fd = (int(a) for a in argv[1:4])
    with os.fdopen(req_fd, "rb") as fh:
        request = json.loads(fh.read().decode("utf-8"))
    fault_file = os.fdopen(fault_fd, "w")
    faulthandler.dump_traceback_later(request["backstop"], exit=True, file=fault_file)
    _yield_to_the_judge(request.get("nice", 0))
    channel = _Channel(res_fd)

    from grader.harness.child import install, probe, sites
    from grader.harness.child.scheduler import frames_of

    student_file = os.path.realpath(request["student_file"])
    my_pid = os.getpid()

    def on_deadlock(found):
        if os.getpid() != my_pid:  # a forked worker: no channel of its own
            os.write(2, f"deadlock in worker process {os.getpid()}\n".encode())
            os._exit(70)
        sched = install.SCHED
        culprits = {id(t) for t in found.threads}
        threads = []
        for st in sched.alive_tracked():
            frame = frames_of(st.ident) if st.ident is not None else None
            waiting = st.waiting_on
            threads.append({
                "name": st.name,
                "status": st.status,
                "involved": id(st) in culprits,
                "waiting_on": _describe_wait(waiting),
                "stack": sites.student_stack(frame) if frame is not None else [],
            })
        channel.final({"status": "deadlock", "kind": found.kind, "threads": threads,
                       "virtual_time": sched.now})

    install.install(student_file, on_deadlock)
    sys.path.insert(0, os.path.dirname(student_file))

    channel.send({"event": "phase", "phase": "import"})
    try:
        module = _import_student(request["module"], student_file)
    except BaseException as exc:  # noqa: BLE001 - whatever the student raised is a result
        channel.final(_failure("import", exc))
    channel.send({"event": "phase", "phase": "scenario"})

    try:
        namespace = {"__name__": "judge_scenario"}
        exec(compile(request["scenario_source"], "<judge scenario>", "exec"), namespace)
        scenario = namespace[request["function"]]
    except Exception as exc:  # noqa: BLE001 - the judge's own mistake, never the student's
        channel.final({"status": "judge_error", "message": f"{type(exc).__name__}: {exc}"[:500]})
    try:
        observations = scenario(module, probe, **request.get("kwargs", {}))
    except BaseException as exc:  # noqa: BLE001
        channel.final(_failure("scenario", exc))
    channel.final({"status": "ok", "observations": observations, "virtual_time": install.SCHED.now})


def _describe_wait(waiting):
    if waiting is None:
        return None
    if hasattr(waiting, "describe"):
        info = {"what": waiting.describe()}
        owner = getattr(waiting, "owner", None)
        if owner:
            info["owner"] = owner
        return info
    return {"what": f"thread {waiting.name} to finish"}


def _import_student(name, path):
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # picklable by reference in worker processes
    spec.loader.exec_module(module)
    return module


def _failure(phase, exc):
    from grader.harness.child import sites

    if isinstance(exc, SyntaxError) and exc.filename and os.path.realpath(exc.filename) == sites.STUDENT_FILE:
        return {"status": "syntax_error", "phase": phase, "line": exc.lineno,
                "message": exc.msg, "code": (exc.text or "").strip()}
    if isinstance(exc, SystemExit):
        return {"status": "exit", "phase": phase, "code": repr(exc.code)[:200],
                "stack": sites.student_traceback(exc.__traceback__)}
    try:
        text = str(exc)[:500]
    except Exception:  # noqa: BLE001 - a student exception whose __str__ fails
        text = "<unprintable>"
    return {"status": "exception", "phase": phase, "type": type(exc).__name__, "message": text,
            "stack": sites.student_traceback(exc.__traceback__)}


def _yield_to_the_judge(nice):
    """Before any student code: at the memory limit the kernel kills student code, not the judge;
    and with `nice`, a fork bomb's hundreds of spinning processes leave the judge the CPU to end them."""
    try:
        with open("/proc/self/oom_score_adj", "w") as fh:
            fh.write("1000")
    except OSError:
        pass
    if nice:
        os.nice(nice)


class _Channel:
    """JSON lines to the judge. Final results leave the process at once."""

    def __init__(self, fd):
        self.fd = fd

    def send(self, message):
        data = (json.dumps(message, default=repr) + "\n").encode("utf-8")
        while data:
            n = os.write(self.fd, data)
            data = data[n:]

    def final(self, result):
        result["event"] = "result"
        try:
            for stream in (sys.stdout, sys.stderr):
                try:
                    stream.flush()  # the student's buffered prints belong in the report
                except Exception:  # noqa: BLE001
                    pass
            self.send(result)
        finally:
            os._exit(0)


if __name__ == "__main__":
    main(sys.argv)
