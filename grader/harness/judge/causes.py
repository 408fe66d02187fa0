"""The cause of a deadlock, named from what the child knew when it stuck (child/stuck.py), beyond the
stuck lines: a message reference that replaces the generic deadlock message, or None (pure functions).

- Sentinels: threads wait in q.get() on an empty queue; the threads that ended did so on taking a
  value that one line put every time (a sentinel), and fewer were put than threads take from the
  queue: "1 sentinel (None) was put for 2 consumers".
- A fixed count: threads wait in q.get() on an empty queue from inside `for ... in range(...)`; or
  threads wait in q.put() on a full queue whose every taker has ended, each having taken its items
  inside such a loop: the consumers count items instead of stopping on a sentinel.
- One object twice: a thread waits for a Lock it holds, in a call whose parameters are one and the
  same object (`transfer(a, a, 5)`) that owns the lock: the fix is to take it once or return early,
  not an RLock.
"""

from __future__ import annotations

import ast


def deadlock_cause(result: dict, student_file: str) -> dict | None:
    facts = result.get("facts")
    if not isinstance(facts, dict):
        return None
    if result.get("kind") == "self":
        for found in facts.get("same_object") or []:
            return {"id": "deadlock_same_object", "params": _same_object(found)}
        return None
    if result.get("kind") != "all_blocked":
        return None  # a circle of locks, or a program that cannot exit: their own messages say it
    for q in facts.get("queues") or []:
        cause = _queue_cause(q, student_file)
        if cause is not None:
            return cause
    return None


def _same_object(found: dict) -> dict:
    first, second = (found.get("names") or ["?", "?"])[:2]
    return {"call": found.get("call"), "first": first, "second": second, "type": found.get("type"),
            "attr": found.get("attr"), "line": found.get("line"), "code": found.get("code"),
            "function": found.get("function")}


def _queue_cause(q: dict, student_file: str) -> dict | None:
    if not q.get("complete", True):
        return None  # the log was cut short: its counts would be wrong
    takers = q.get("takers") or []
    waiting_get, waiting_put = q.get("waiting_get") or [], q.get("waiting_put") or []
    common = {"put": q.get("put", 0), "taken": q.get("taken", 0), "queue_line": q.get("line")}
    if waiting_get and q.get("size") == 0:
        first = waiting_get[0]
        where = {"waiting": len(waiting_get), "line": first.get("line"), "code": first.get("code"), **common}
        sentinel = _sentinel(q, student_file)
        if sentinel is not None:
            return {"id": "deadlock_sentinels", "params": {**where, **sentinel}}
        loop = enclosing_range_loop(student_file, first.get("line"))
        if loop is not None:
            return {"id": "deadlock_fixed_count", "params": {**where, **loop}}
        return None
    maxsize = q.get("maxsize") or 0
    full = waiting_put and maxsize > 0 and q.get("size", 0) >= maxsize
    if full and takers and all(t.get("finished") for t in takers):
        loops = [enclosing_range_loop(student_file, t.get("line")) for t in takers]
        loop = loops[0]
        if loop is None or None in loops:
            return None
        first = waiting_put[0]
        counts = sorted({t.get("n") for t in takers})
        return {"id": "deadlock_fixed_count_full", "params": {
            "waiting": len(waiting_put), "line": first.get("line"), "code": first.get("code"), "maxsize": maxsize,
            "takers": len(takers), "each": counts[0] if len(counts) == 1 else "/".join(map(str, counts)),
            **common, **loop}}
    return None


def _sentinel(q: dict, student_file: str) -> dict | None:
    """The value whose taking ended the threads that ended, when one line put it every time and fewer
    of it were put than threads take from the queue. A thread that took its last item inside
    `for ... in range(...)` ended because it had counted enough, whatever it took last."""
    ended = [t for t in q.get("takers") or [] if t.get("finished") and t.get("last") is not None
             and enclosing_range_loop(student_file, t.get("line")) is None]
    for key in dict.fromkeys(t["last"] for t in ended):
        lines = [p for p in q.get("puts") or [] if p.get("same") == key]
        if not lines:
            continue
        stopped = [t["thread"] for t in ended if t["last"] == key]
        consumers = len(dict.fromkeys([*stopped, *(w.get("thread") for w in q.get("waiting_get") or [])]))
        sentinels = sum(p.get("n", 0) for p in lines)
        if sentinels >= consumers:
            continue
        return {"sentinels": sentinels, "value": key, "put_line": lines[0].get("line"),
                "put_code": lines[0].get("code"), "consumers": consumers, "stopped": len(stopped)}
    return None


def enclosing_range_loop(student_file: str, line) -> dict | None:
    """The innermost `for ... in range(...)` of the student's file whose body holds `line`, as
    {"loop": its header's code, "loop_line": its line}; None when there is none."""
    if not isinstance(line, int):
        return None
    for loop_line, end, header in _range_loops(student_file):
        if loop_line < line <= end:
            return {"loop": header, "loop_line": loop_line}
    return None


def _range_loops(student_file: str) -> list[tuple[int, int, str]]:
    """Every `for ... in range(...)` loop's header line, last line and header (no comment), the
    shortest first: the first that holds a line is the innermost."""
    try:
        with open(student_file, "rb") as fh:
            tree = ast.parse(fh.read())
    except (OSError, SyntaxError, ValueError):
        return []
    loops = [(node.lineno, node.end_lineno or node.lineno,
              f"for {ast.unparse(node.target)} in {ast.unparse(node.iter)}:"[:120]) for node in ast.walk(tree)
             if isinstance(node, ast.For) and isinstance(node.iter, ast.Call)
             and isinstance(node.iter.func, ast.Name) and node.iter.func.id == "range"]
    return sorted(loops, key=lambda loop: loop[1] - loop[0])
