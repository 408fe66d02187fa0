"""Entry point of the child interpreter that runs one scenario against the student's module.

    python -I bootstrap.py REQUEST_FD RESULT_FD FAULT_FD

The judge writes a JSON request line to REQUEST_FD: the student's file, the scenario, and the first
schedule to run it under (`"run"`, a spec for strategies.from_spec; the first schedule by default).
The child installs the instrumentation and runs the scenario once per schedule, each time on a
freshly executed copy of the student's module. After each run it writes a `{"event": "result"}` line
to RESULT_FD (with `"last": true` when it is about to leave) and reads the next line from
REQUEST_FD: another `{"run": spec}` (schedule exploration, judge/explore.py), or the end of the pipe,
and then it leaves. `{"event": "phase", ...}` lines say how far a run got.

A run that does not end normally (deadlock, busy wait, exception) is always the child's last: its
threads cannot be unwound. A run that leaves threads behind is the last too, so that every run
starts with the main thread alone. The child leaves with os._exit, so that no leftover thread can
keep it alive. FAULT_FD receives faulthandler's dump of every thread when a run passes its backstop
(a busy loop the scheduler cannot see): the judge asks for it with SIGUSR2, or the real-time outer
limit fires.
"""

import faulthandler
import functools
import gc
import json
import os
import signal
import sys
import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from grader.harness.child.scheduler import WaitingOn

THREAD_DEATHS_SENT = 10  # of a run's thread deaths, at most this many go to the judge

if __name__ == "__main__":
    # Importable as grader.harness.child.* with no installation: the package root is three up.
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))


def main(argv):
    req_fd, res_fd, fault_fd = (int(a) for a in argv[1:4])
    requests = os.fdopen(req_fd, "rb")
    request = json.loads(requests.readline().decode("utf-8"))
    fault_file = os.fdopen(fault_fd, "w")
    # The backstop is the judge's, on the run's own clock (judge/scenario_clock.py): it asks for every
    # thread's stack with SIGUSR2, then kills. Here only the real-time outer limit, however starved.
    backstop = request.get("outer_backstop", request["backstop"])
    faulthandler.register(signal.SIGUSR2, file=fault_file, all_threads=True, chain=False)
    faulthandler.dump_traceback_later(backstop, exit=True, file=fault_file)
    _yield_to_the_judge(request.get("nice", 0))
    channel = _Channel(res_fd)

    from grader.harness.child import events, install, probe, sites, strategies, stuck
    from grader.harness.child.scheduler import frames_of

    student_file = request["student_file"] = os.path.realpath(request["student_file"])
    my_pid = os.getpid()
    # A deadlock result's own seal: its facts may earn a check points (a queue bounded until the
    # deadlock). Not the ok results' seal: this one is reachable from on_deadlock's closure (which the
    # static screen flags), and forging a deadlock gains little; an ok result's seal is not reachable.
    deadlock_seal = request.pop("deadlock_seal", "")

    def on_deadlock(found):
        if os.getpid() != my_pid:  # a forked worker: no channel of its own
            os.write(2, f"deadlock in worker process {os.getpid()}\n".encode())
            os._exit(70)
        sched = install.scheduler()
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
        status = "busy_wait" if found.kind == "busy_wait" else "deadlock"
        result = {"status": status, "kind": found.kind, "threads": threads, "virtual_time": sched.now,
                  "call": install.last_call()}
        if status == "deadlock":
            try:  # what the judge names the cause from (judge/causes.py); never at the cost of the report
                result["facts"] = stuck.facts(sched)
            except Exception:  # noqa: BLE001
                pass
        channel.final(result, deadlock_seal)

    cpu_slot = request.get("cpu_slot")
    install.install(student_file, on_deadlock, tracing=request.get("tracing", True),
                    cpu_slot=cpu_slot if isinstance(cpu_slot, int) else None)
    install.scheduler().log_steps = bool(request.get("steplog"))  # an exploration's (judge/schedule_tree.py)
    channel.schedule_info = _schedule_info

    def thread_named(ident, name):
        if os.getpid() == my_pid:
            channel.send({"event": "thread", "ident": f"0x{ident:016x}", "name": name})

    install.ON_THREAD_NAMED = thread_named
    thread_named(threading.get_ident(), "MainThread")
    # Only here, in this frame's locals: an ok result carries it, and the student's code reaches no
    # frame (guard.py), so a result line it writes on the pipe itself lacks it (child_runner.py).
    seal = request.pop("seal", "")
    sys.path.insert(0, os.path.dirname(student_file))

    channel.send({"event": "phase", "phase": "import"})
    try:
        student_code = _compile_student(student_file)
    except BaseException as exc:  # noqa: BLE001 - a syntax error is a result
        channel.final(_failure("import", exc))
    try:
        scenario_code = compile(request["scenario_source"], "<judge scenario>", "exec")
    except Exception as exc:  # noqa: BLE001 - the judge's own mistake, never the student's
        channel.final({"status": "judge_error", "message": f"{type(exc).__name__}: {exc}"[:500]})
    install.STUDENT_CODE = student_code
    tracer = install.tracer()
    tracer.scan(student_code)
    tracer.scan(scenario_code)  # the scenario may write the student's objects' attributes
    begin, verify = _guard(student_file, request, my_pid, channel)  # before any of the student's code runs
    gc.collect()
    gc.freeze()  # what is here now is never collected: each run's own garbage is cheap to find

    spec = request.get("run")
    trace = bool(request.get("trace"))
    while True:
        # Armed again here: the time it took to start and install (long on a loaded machine) is
        # not the student's; the judge's own deadline restarts at the phase message too.
        faulthandler.dump_traceback_later(backstop, exit=True, file=fault_file)
        install.new_run(strategies.from_spec(spec), events.Recorder() if trace else None)
        begin()  # after the backstop's watchdog thread is armed: it is the harness's
        result = _one_run(channel, request, student_code, scenario_code, probe, verify)
        faulthandler.cancel_dump_traceback_later()
        if install.scheduler().leftovers():
            channel.final(result, seal)  # the next run must start alone: a fresh child takes over
        channel.result(result, seal=seal)
        gc.collect()
        line = requests.readline()
        if not line:
            os._exit(0)
        message = json.loads(line.decode("utf-8"))
        spec, trace = message["run"], bool(message.get("trace"))


def _guard(student_file: str, request: dict, my_pid: int, channel: "_Channel"):
    """The audit hook (guard.py), and the checks of the harness's patches and of the kernel's list of
    threads (integrity.py): at each thread's start, and at the end of each run (the returned
    functions: `begin` at a run's start, `verify` at its end). A finding ends the run,
    closed: status `tampered`, zero points."""
    from grader.harness.child import guard, install, integrity

    def on_tampered(found: dict) -> None:
        if os.getpid() != my_pid:
            # A forked worker shares the judge's pipe but not its runs: it says so in one line (a
            # write under PIPE_BUF is never interleaved with another process's), and the judge ends
            # the run in progress `tampered`, however the parent ends (workers dying can hang a pool).
            # A forgery of this line only costs its writer: it can never make a run pass.
            channel.notice({"event": "worker_tampered", "pid": os.getpid(),
                            **{k: str(v)[:200] for k, v in found.items()}})
            os._exit(71)
        channel.final({"status": "tampered", **found, "call": install.last_call()})

    tracing = request.get("tracing", True)
    tracer = install.tracer()
    global_trace = tracer.global_trace
    guard.install(student_file, on_tampered)

    def replaced(what: str | None) -> None:
        if what is not None:
            on_tampered({"what": what, "replaced": True})

    def unknown(threads: integrity.Threads) -> None:
        count = threads.unknown()
        if count:
            on_tampered({"what": "unknown_thread", "count": count, "detail": threads.detail()})

    # The snapshot checked at each thread's start is reachable from install.ON_THREAD_START: the run's
    # end compares with its own, reachable from nothing the student's code can get at.
    at_start: list[integrity.Snapshot] = []
    threads_at_start, threads_at_end = integrity.Threads(), integrity.Threads()

    def thread_starts() -> None:
        threads_at_start.started()
        threads_at_end.started()
        replaced(at_start[0].changed())
        unknown(threads_at_start)

    def thread_announced(count: int) -> None:
        threads_at_start.announced(count)
        threads_at_end.announced(count)

    install.ON_THREAD_START = thread_starts
    install.ON_THREAD_ANNOUNCED = thread_announced
    at_start.append(integrity.Snapshot())
    at_end = integrity.Snapshot(classes=True)

    def begin() -> None:
        threads_at_start.start()
        threads_at_end.start()

    def verify() -> None:
        unknown(threads_at_end)
        replaced(at_end.changed())
        replaced("tracer.enabled" if tracer.enabled != tracing or tracer.global_trace is not global_trace else None)
        replaced(integrity.tracer_changed(global_trace, tracing))

    return begin, verify


def _one_run(channel, request, student_code, scenario_code, probe, verify) -> dict:
    """Import the student's module afresh and run the scenario once (gc off: no finalizer runs mid-run)."""
    from grader.harness.child import install, sites, tracing

    gc.disable()
    install.tracer().install()  # the main thread from here to the scenario's end: not the harness's set-up
    try:
        channel.send({"event": "phase", "phase": "import"})  # also the judge's deadline restarting
        try:
            module = _import_student(request["module"], request["student_file"], student_code)
        except BaseException as exc:  # noqa: BLE001 - whatever the student raised is a result
            channel.final(_failure("import", exc))
        channel.send({"event": "phase", "phase": "scenario"})
        namespace: dict[str, Any] = {"__name__": sites.SCENARIO_MODULE}
        try:
            exec(scenario_code, namespace)
            scenario = namespace[request["function"]]
        except Exception as exc:  # noqa: BLE001 - the judge's own mistake, never the student's
            channel.final({"status": "judge_error", "message": f"{type(exc).__name__}: {exc}"[:500]})
        try:
            observations = scenario(module, probe, **request.get("kwargs", {}))
        except BaseException as exc:  # noqa: BLE001
            channel.final({**_failure("scenario", exc), "call": install.last_call()})
        verify()  # the tracer, the scheduler and their patches are still the harness's
        # A thread that died of an uncaught exception fails an explored run whatever the scenario
        # observed (judge/explore.py): the first few, in the order they died.
        return {"status": "ok", "observations": observations, "virtual_time": install.scheduler().now,
                "thread_deaths": install.THREAD_DEATHS[:THREAD_DEATHS_SENT]}
    finally:
        tracing.settrace(None)
        gc.enable()


def _schedule_info() -> dict:
    """How the run was scheduled: its steps and choices (for replay), and its events if recorded."""
    from grader.harness.child import install, primitives

    sched = install.scheduler()
    info = {"steps": sched.steps, "decisions": sched.decisions, "widths": sched.widths, "chosen": sched.chosen,
            "timed_waits": sched.timed_waits, "diverged": sched.strategy.diverged,
            "sites": primitives.instances_per_site()}
    if sched.log_steps and len(sched.steplog) == sched.steps:  # whole: a run cut short is never foreseen
        info.update(steplog=sched.steplog, created=sched.created)
    if sched.recorder is not None:
        info["trace"] = sched.recorder.events()
    return info


def _describe_wait(waiting: "WaitingOn") -> dict | None:
    """What a stuck thread waits for, as data the host words in the student's language."""
    from grader.harness.child.primitives import Lock, _Primitive
    from grader.harness.child.scheduler import FINISHED

    if waiting is None:
        return None
    if isinstance(waiting, _Primitive):
        if waiting._waits_for:  # a queue's own condition: which way it is stuck
            return {"queue": waiting._waits_for}
        site = waiting.site or {}
        info: dict[str, Any] = {"prim": {"kind": waiting.kind, "line": site.get("line"), "code": site.get("code", "")}}
        owner = waiting._owner_state
        if owner is not None and isinstance(waiting, Lock) and waiting._count:  # only a Lock has an owner
            info["owner"] = owner.name
            info["owner_finished"] = owner.status == FINISHED
        return info
    return {"thread": getattr(waiting, "name", "?")}  # the thread it joins


def _compile_student(path):
    with open(path, "rb") as fh:
        return compile(fh.read(), os.path.realpath(path), "exec", dont_inherit=True)


def _import_student(name, path, code):
    import importlib.util

    module = importlib.util.module_from_spec(_spec(name, path))
    sys.modules[name] = module  # picklable by reference in worker processes
    exec(code, module.__dict__)
    return module


@functools.cache
def _spec(name, path):
    import importlib.util

    return importlib.util.spec_from_file_location(name, path)


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
    failure = {"status": "exception", "phase": phase, "type": sites.shown_type(type(exc)), "message": text,
               "stack": sites.student_traceback(exc.__traceback__)}
    worker = _worker_stack(exc)
    if worker:
        failure["stack"], failure["in_worker"] = worker, True
    return failure


def _worker_stack(exc):
    """The student's lines where a pool's worker process raised `exc` (the pool re-raises it in the
    parent, at the `pool.map` line, and chains the worker's traceback as text)."""
    import linecache
    import re

    from grader.harness.child import sites

    remote = getattr(exc.__cause__, "tb", None)
    if not isinstance(remote, str):
        return []
    stack = []
    for match in re.finditer(r'File "(?P<file>[^"]+)", line (?P<line>\d+), in (?P<func>\S+)', remote):
        if os.path.realpath(match.group("file")) == sites.STUDENT_FILE:
            line = int(match.group("line"))
            stack.append({"line": line, "function": match.group("func"),
                          "code": linecache.getline(sites.STUDENT_FILE, line).strip()})
    return stack


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
    """JSON lines to the judge. A final result leaves the process at once."""

    def __init__(self, fd):
        self.fd = fd
        self.schedule_info = None  # set once the scheduler exists: attached to every result

    def send(self, message):
        data = (json.dumps(message, default=repr) + "\n").encode("utf-8")
        while data:
            n = os.write(self.fd, data)
            data = data[n:]

    def notice(self, message):
        """One short line in one write (a forked worker's: atomic beside the parent's lines)."""
        try:
            os.write(self.fd, (json.dumps(message, default=repr)[:3000] + "\n").encode("utf-8", "replace"))
        except OSError:
            pass  # the student's code closed it: the refusal still stops the worker

    def result(self, result, last=False, seal=""):
        result["event"] = "result"
        result["last"] = last
        if seal:
            result["seal"] = seal
        if self.schedule_info is not None:
            result.setdefault("schedule", self.schedule_info())
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()  # the student's buffered prints belong in the report
            except Exception:  # noqa: BLE001
                pass
        self.send(result)

    def final(self, result, seal=""):
        try:
            self.result(result, last=True, seal=seal)
        finally:
            os._exit(0)


if __name__ == "__main__":
    main(sys.argv)
