"""Turn what ended a hidden test into the structured verdict the host reads (pure functions)."""

from __future__ import annotations

import linecache
import re
from typing import Any

from .causes import deadlock_cause
from .child_runner import Outcome
from .failures import CheckFailed, NotReproduced, ScenarioProblem

FAULT_LINE = re.compile(r'File "(?P<file>[^"]+)", line (?P<line>\d+) in (?P<func>\S+)')
STUDENT_OUTPUT_IN_VERDICT = 8 * 1024


def verdict_for(exc: BaseException | None, student_file: str) -> dict:
    """The verdict of one test's call phase; None exception means the judge saw it pass."""
    if exc is None:
        return {"status": "passed"}
    if isinstance(exc, CheckFailed):
        message: dict[str, Any] = {"text": exc.message}
        if exc.template is not None:  # translatable: the pack's English and what fills it
            message = {"msgid": exc.template, "params": exc.details, "text": exc.message}
        return _with_interleaving({"status": "failed", "message": message, "details": exc.details}, exc)
    if isinstance(exc, ScenarioProblem):
        return _with_interleaving(outcome_verdict(exc.outcome, student_file, searched=bool(exc.interleaving)), exc)
    if isinstance(exc, NotReproduced):
        # Fail closed: a failure the grader cannot show twice earns nothing, and is not blamed either.
        return {"status": "error", "message": {"id": "explore_not_reproduced", "params": {"schedule": exc.schedule}}}
    # An error in judge code: fail closed, and never show judge source or tracebacks.
    return {"status": "error", "message": {"id": "judge_error"}}


def _with_interleaving(verdict: dict, exc) -> dict:
    if getattr(exc, "interleaving", None):
        verdict["interleaving"] = exc.interleaving
    if getattr(exc, "per_call", None):
        verdict["per_call"] = exc.per_call
    return verdict


def outcome_verdict(outcome: Outcome, student_file: str, searched: bool = False) -> dict:
    """`searched`: the outcome is that of a schedule the search found (it comes with its interleaving)."""
    result = outcome.result
    verdict: dict = {"phase": outcome.phase}
    if outcome.status == "deadlock":
        # the cause when the judge can name it (causes.py), else what kind of deadlock it was
        cause = deadlock_cause(result, student_file)
        verdict.update(status="deadlock", message=cause or {"id": f"deadlock_{result.get('kind', 'all_blocked')}"},
                       threads=collapse_threads(result.get("threads", [])))
    elif outcome.status == "busy_wait":
        # It would never end: a timeout, found at once instead of at the backstop.
        verdict.update(status="timeout", message={"id": "busy_wait"},
                       threads=collapse_threads(result.get("threads", [])))
    elif outcome.status == "timeout":
        waits = "timeout_process_wait" if waiting_on_processes(outcome.fault_dump, student_file) else "timeout"
        verdict.update(status="timeout", message={"id": waits},
                       threads=collapse_threads(fault_threads(outcome.fault_dump, student_file,
                                                              outcome.thread_names)))
    elif outcome.status == "tampered":
        # The student's code reached for the harness: the run ended there (child/guard.py, integrity.py).
        what = str(result.get("what", "?"))[:200]
        if what == "forged_result":
            refusal: dict = {"id": "tampered_forged_result"}
        elif what == "unknown_thread":
            # detail: the kernel's view of those threads, kept in the teacher's record (integrity.Threads.detail)
            refusal = {"id": "tampered_unknown_thread", "params": {"count": result.get("count"),
                                                                   "detail": result.get("detail")}}
        elif result.get("replaced"):
            refusal = {"id": "tampered_replaced", "params": {"what": what}}
        else:
            refusal = {"id": "tampered", "params": {"what": what, "line": result.get("line"),
                                                    "code": str(result.get("code", ""))[:200]}}
        verdict.update(status="tampered", message=refusal)
    elif outcome.status == "memory":
        verdict.update(status="crash", message={"id": "memory_limit"})
    elif outcome.status == "judge_error":
        verdict.update(status="error", message={"id": "judge_error"})
    elif outcome.status == "syntax_error":
        verdict.update(status="error", message={"id": "syntax_error", "params": {
            "line": result.get("line"), "message": result.get("message"), "code": result.get("code")}})
    elif outcome.status == "exit":
        verdict.update(status="crash", message={"id": f"exit_{outcome.phase or 'scenario'}", "params": {
            "code": result.get("code")}}, stack=result.get("stack", []))
    elif outcome.status == "thread_exception":  # an explored run in which a thread died (explore.thread_died)
        stack = result.get("stack") or []
        kind, text = result.get("type"), result.get("message")
        params = {"thread": result.get("thread"), "error": f"{kind}: {text}" if text else kind,
                  "type": kind, "message": text}
        message = "exception_thread_outside"
        if stack:
            params.update(line=stack[-1].get("line"), code=stack[-1].get("code"))
            # found by the search: a check and the step that relied on it, another thread in between
            message = "exception_thread_schedule" if searched else "exception_thread"
        verdict.update(status="error", message={"id": message, "params": params}, stack=stack)
    elif outcome.status == "exception":
        where = "worker" if result.get("in_worker") else (outcome.phase or "scenario")
        verdict.update(status="error", message={"id": f"exception_{where}", "params": {
            "type": result.get("type"), "message": result.get("message")}}, stack=result.get("stack", []))
    else:
        verdict.update(status="crash", message={"id": f"crash_{outcome.phase or 'start'}", "params": {
            "code": outcome.exit_code}})
    if outcome.call:
        verdict["call"] = outcome.call  # which case: the judge's last call into the student's file
    if outcome.output:
        verdict["output"] = outcome.output[:STUDENT_OUTPUT_IN_VERDICT]
        verdict["output_truncated"] = outcome.output_truncated or len(outcome.output) > STUDENT_OUTPUT_IN_VERDICT
        verdict["output_bytes"] = outcome.output_bytes
    return verdict


def collapse_threads(threads: list[dict]) -> list[dict]:
    """A run of consecutive threads stuck the same way (same state, same wait, same lines) as one
    entry: `name` is the first, `last` the last and `count` how many, so 99 waiters read as one line,
    not 99. Only consecutive ones: "Thread-1 ... Thread-10 (9 threads)" with Thread-9 stuck elsewhere
    would name a range that is not what it counts."""
    out: list[dict] = []
    last_key = None
    for t in threads:
        key = repr((t.get("status"), t.get("involved"), t.get("waiting_on"), t.get("stack")))
        if out and key == last_key:
            out[-1]["count"] += 1
            out[-1]["last"] = t.get("name")
            continue
        out.append({**t, "count": 1})
        last_key = key
    for entry in out:
        if entry["count"] == 1:
            del entry["count"]
    return out


def waiting_on_processes(dump: str, student_file: str) -> bool:
    """Whether every thread stopped in the student's code was inside multiprocessing (a process's
    join, a queue's get, a pipe): then the time ran out waiting for another process, not looping."""
    waiting = None
    in_student = False
    innermost = None  # the file of the current thread's innermost frame (faulthandler prints it first)
    for raw in dump.splitlines():
        line = raw.strip()
        if line.startswith(("Thread 0x", "Current thread 0x")):
            innermost = None
            in_student = False
            continue
        m = FAULT_LINE.search(line)
        if not m:
            continue
        if innermost is None:
            innermost = m.group("file")
        if m.group("file") == student_file and not in_student:
            in_student = True
            inside = "/multiprocessing/" in innermost.replace("\\", "/")
            waiting = inside if waiting is None else waiting and inside
    return bool(waiting)


def fault_threads(dump: str, student_file: str, names: dict | None = None) -> list[dict]:
    """faulthandler's dump of every thread, trimmed to the student's lines; threads by their Python
    name where the child told it (`names`: "0x<ident>" -> name)."""
    threads = []
    current = None
    for raw in dump.splitlines():
        line = raw.strip()
        if line.startswith(("Thread 0x", "Current thread 0x")):
            ident = "0x" + line.split("0x", 1)[1].split(" ", 1)[0]
            current = {"name": (names or {}).get(ident, f"thread {ident}"), "stack": []}
            threads.append(current)
            continue
        m = FAULT_LINE.search(line)
        if m and current is not None and m.group("file") == student_file:
            lineno = int(m.group("line"))
            current["stack"].append({"line": lineno, "function": m.group("func"),
                                     "code": linecache.getline(student_file, lineno).strip()})
    for t in threads:
        t["stack"].reverse()  # faulthandler prints innermost first
    return [t for t in threads if t["stack"]]
