"""The raw interleaving of one schedule: what each thread did, at which line of the student's file.

Only a replayed failing schedule records events. Each event is plain JSON: the thread's name, the
student's line and its source text, and an operation id with parameters (rendered in the student's
language on the host). A preemption is an event of its own (`paused`, marked `pre`) at the line
where the thread was stopped. The judge turns the
events into the short trace a student reads (judge/interleaving.py).
"""

from __future__ import annotations

import linecache
from collections import deque

from . import sites
from .scheduler import ThreadState, WaitingOn, is_internal

HEAD, TAIL = 3000, 3000  # events kept from the start and from the end of a long schedule

# Every operation an event can name; each has its sentence, `trace_<op>`, in the host's catalogs.
TRACE_OPS = frozenset({
    # threads
    "starts", "sleeps", "joins", "paused",
    # Lock, RLock, Semaphore, Event, Condition (primitives.py)
    "acquired", "acquired_again", "acquire_failed", "acquire_timed_out", "released", "saw_locked",
    "saw_unlocked", "sem_acquired", "sem_acquire_failed", "sem_released", "saw_set", "saw_unset",
    "event_set", "event_cleared", "event_waited", "cond_woken", "notified",
    "waits", "waits_owned", "waits_queue_empty", "waits_queue_full", "waits_queue_tasks",
    # queue.Queue (queues.py)
    "queue_found_empty", "queue_found_full", "queue_saw_empty", "queue_saw_items", "queue_saw_full",
    "queue_saw_room", "queue_saw_size", "queue_got", "queue_got_last", "queue_put", "queue_task_done",
    "queue_joined",
    # the student's bytecodes (tracing.py); update_name is a read and a write merged by the judge
    "read_name", "read_item", "read_in", "write_name", "write_item", "update_name",
})
_BYTECODE_OPS = {("read", "[]"): "read_item", ("read", "in"): "read_in", ("write", "[]"): "write_item"}


class Recorder:
    def __init__(self):
        self.head: list[dict] = []
        self.tail: deque[dict] = deque(maxlen=TAIL)
        self.dropped = 0
        self._last: dict[int, dict] = {}  # id(ThreadState) -> its latest event
        # id(primitive) -> (the primitive, kept so its id is not reused; its number in this recording)
        self._prims: dict[int, tuple[object, int]] = {}

    # ----------------------------------------------------------------- what happened
    def op(self, st, op: str, params: dict | None = None, site: dict | None = None) -> dict | None:
        """`st` did `op` (a primitive's or a queue's) at its innermost line of the student's file."""
        site = site if site is not None else sites.student_site(3)
        if site is None:
            return None  # the judge's own code: not the student's to read
        return self._add(st, site["line"], site["code"], op, params)

    def bytecode(self, st, frame, kind: str, name: str) -> None:
        """`st` is about to run a bytecode that reads or writes shared state (tracing.py)."""
        line = frame.f_lineno
        code = linecache.getline(frame.f_code.co_filename, line).strip()
        op = _BYTECODE_OPS.get((kind, name))
        self._add(st, line, code, op or f"{kind}_name", None if op else {"name": name})

    def parked(self, st: ThreadState, status: str, waiting_on: WaitingOn, seconds: float | None) -> None:
        site = sites.student_site(3)
        if site is None or is_internal(waiting_on):
            return
        waits_for = getattr(waiting_on, "_waits_for", None)
        if status == "sleeping":
            self._add(st, site["line"], site["code"], "sleeps", {"seconds": round(seconds or 0, 6)})
        elif status == "joining":
            self._add(st, site["line"], site["code"], "joins", {"thread": getattr(waiting_on, "name", "?")})
        elif waits_for:  # a queue's condition (queues.py)
            self._add(st, site["line"], site["code"], f"waits_{waits_for}", None)
        else:
            params = {"prim": self.prim(waiting_on)}
            owner = getattr(waiting_on, "owner", None)
            if owner:
                params["owner"] = owner
            self._add(st, site["line"], site["code"], "waits_owned" if owner else "waits", params)

    def prim(self, prim) -> dict:
        """`prim`'s label with `id`, its number in this recording: two locks made on the same line
        (one per account) read alike, and the picture of the interleaving must tell them apart."""
        number = self._prims.setdefault(id(prim), (prim, len(self._prims) + 1))[1]
        return {**prim_label(prim), "id": number}

    def started(self, st, thread_name: str) -> None:
        self.op(st, "starts", {"thread": thread_name})

    def finished(self, st) -> None:
        last = self._last.get(id(st))
        if last is not None:
            last["end"] = True

    def paused(self, st, at: str) -> None:
        """The scheduler switched away from `st`, which could have gone on, at a point of kind `at`
        (read, write: a bytecode of the student's; op: an operation on a primitive or a queue)."""
        site = sites.student_site(3)
        if site is not None:
            self._add(st, site["line"], site["code"], "paused", {"at": at})["pre"] = True

    # ----------------------------------------------------------------- out
    def events(self) -> dict:
        return {"events": self.head + list(self.tail), "dropped": self.dropped,
                "cut_at": len(self.head) if self.dropped else None}

    def _add(self, st, line: int, code: str, op: str, params: dict | None) -> dict:
        event = {"t": st.name, "line": line, "code": code, "op": op}
        if params:
            event["p"] = params
        if len(self.head) < HEAD:
            self.head.append(event)
        else:
            if len(self.tail) == TAIL:
                self.dropped += 1
            self.tail.append(event)
        self._last[id(st)] = event
        return event


def prim_label(prim) -> dict:
    """How a primitive is named in a trace: its kind and the line that created it, if the student's."""
    site = getattr(prim, "site", None)
    return {"kind": getattr(prim, "kind", type(prim).__name__), "line": site["line"] if site else None}
