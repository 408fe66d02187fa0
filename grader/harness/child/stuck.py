"""What a deadlock's explanation needs beyond the stuck lines (bootstrap's on_deadlock), as plain data:

- `queues`: each queue.Queue made in the student's file that is still alive: its maxsize, how many
  items it holds and held at most, how many were put (per line of the student's file, and whether
  that line put one and the same value every time: a sentinel) and taken (per thread, with the
  last value taken and whether the thread has ended since), and which threads wait in its get()
  or put(), at which line;
- `same_object`: a call of the student's whose parameters are one object twice (`transfer(a, a, 5)`)
  while its thread waits for a Lock that belongs to that object.

The judge turns these into the cause it names (judge/causes.py). Nothing here runs student code: only
types, identities and `__dict__` are looked at.
"""

from __future__ import annotations

from . import primitives, sites
from .queues import LOG_LIMIT
from .scheduler import BLOCKED, frames_of

TAKERS_SENT = 40  # of a queue's threads that took items, at most this many go to the judge
_PLAIN = (type(None), bool, int, float, complex, str, bytes)


def facts(sched) -> dict:
    alive = sched.alive_tracked()
    return {"queues": queues(alive), "same_object": same_object(alive)}


def _where(st) -> dict:
    frame = frames_of(st.ident) if st.ident is not None else None
    stack = sites.student_stack(frame) if frame is not None else []
    return stack[-1] if stack else {}


_WAYS = {"queue_empty": "get", "queue_full": "put"}  # a queue's join() waiters are not counted here


def queues(alive) -> list[dict]:
    waiting: dict[int, dict[str, list]] = {}
    for st in alive:
        ref = getattr(st.waiting_on, "_grader_queue", None)
        way = _WAYS.get(getattr(st.waiting_on, "_waits_for", None) or "")
        q = ref() if ref is not None and st.status == BLOCKED else None
        if q is not None and way is not None:
            where = _where(st)
            waiting.setdefault(id(q), {"get": [], "put": []})[way].append(
                {"thread": st.name, "line": where.get("line"), "code": where.get("code", "")})
    names = {st.name for st in alive}
    out = []
    for prim in list(primitives.CREATED):
        ref = getattr(prim, "_grader_queue", None)
        q = ref() if ref is not None and prim._waits_for == "queue_empty" else None
        if q is None:
            continue
        items = q.__dict__.get("_grader_items", [])
        puts: dict = {}
        takers: dict = {}
        for op, thread, line, code, key in items:
            if op == "put":
                entry = puts.setdefault(line, {"line": line, "code": code, "n": 0, "keys": set()})
                entry["n"] += 1
                entry["keys"].add(key)
            else:
                took = takers.setdefault(thread, {"thread": thread, "n": 0})
                took.update(n=took["n"] + 1, last=key, line=line, code=code)
        for entry in puts.values():
            keys = entry.pop("keys")
            entry["same"] = next(iter(keys)) if len(keys) == 1 else None
        for took in takers.values():
            took["finished"] = took["thread"] not in names
        site = prim.site or {}
        stuck = waiting.get(id(q), {"get": [], "put": []})
        out.append({
            "line": site.get("line"), "code": site.get("code", ""), "maxsize": q.maxsize, "size": q._qsize(),
            "most": max((size for *_, size in q.__dict__.get("_grader_log", [])), default=0),
            "put": sum(e["n"] for e in puts.values()), "taken": sum(t["n"] for t in takers.values()),
            "complete": len(items) < LOG_LIMIT, "puts": list(puts.values())[:TAKERS_SENT],
            "takers": list(takers.values())[:TAKERS_SENT], "waiting_get": stuck["get"],
            "waiting_put": stuck["put"],
        })
    return out


def same_object(alive) -> list[dict]:
    found = []
    for st in alive:
        lock = st.waiting_on
        if st.status != BLOCKED or not isinstance(lock, primitives.Lock) or st.ident is None:
            continue
        frame = frames_of(st.ident)
        while frame is not None:
            if frame.f_code.co_filename == sites.STUDENT_FILE:
                twice = _one_object_twice(frame, lock)
                if twice is not None:
                    found.append({"thread": st.name, **twice})
                    break
            frame = frame.f_back
    return found


def _one_object_twice(frame, lock) -> dict | None:
    code = frame.f_code
    names = code.co_varnames[:code.co_argcount + code.co_kwonlyargcount]
    values = frame.f_locals
    for i, first in enumerate(names):
        value = values.get(first)
        if type(value) in _PLAIN:
            continue
        for second in names[i + 1:]:
            if values.get(second) is not value:
                continue
            attr = _attribute_holding(value, lock)
            if attr is None:
                continue
            return {"function": code.co_name, "names": [first, second], "type": type(value).__name__,
                    "attr": attr, "line": frame.f_lineno, "call": sites.call_text(frame),
                    "code": sites._entry(frame)["code"]}
    return None


def _attribute_holding(obj, lock) -> str | None:
    """The name of `obj`'s attribute that is `lock`, read from its __dict__ (no __getattr__ runs)."""
    try:
        attributes = object.__getattribute__(obj, "__dict__")
    except Exception:  # noqa: BLE001 - no __dict__ (slots): nothing to say
        return None
    if type(attributes) is not dict:
        return None
    return next((name for name, value in attributes.items() if value is lock), None)
