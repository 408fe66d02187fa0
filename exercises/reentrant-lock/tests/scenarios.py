"""Scenarios for reentrant-lock; they run in the child, next to the student's module, and only observe."""

import threading


def _inventory(module, before):
    inv = module.Inventory()
    for item, n in before.items():
        inv.add(item, n)
    return inv


def _locks(inv):
    """The instrumented Lock/RLock objects an Inventory keeps as attributes."""
    return [v for v in vars(inv).values() if isinstance(v, threading.Lock)]


def _free_locks_held_by_me(probe, inv):
    """Release whatever the calling thread (or nobody alive) still holds, so the run can end: an
    RLock only if this thread holds it, a Lock whoever took it (any thread may release a Lock)."""
    for lock in _locks(inv):
        for _ in range(100):
            held = probe.primitive(lock)
            if not held["count"]:
                break
            if held["kind"] == "RLock" and held["owner"] != threading.current_thread().name:
                break
            lock.release()


def _outcome(probe, call):
    try:
        return {"returned": probe.encode(call()), "raised": None, "value_error": False}
    except Exception as exc:  # noqa: BLE001 - what the student raised is an observation
        return {"returned": None, "raised": type(exc).__name__, "message": str(exc)[:200],
                "value_error": isinstance(exc, ValueError)}


def _other_thread_adds(probe, inv, item):
    """Another thread calls add(item, 1): does it get through, or is the lock still taken?"""
    other = threading.Thread(target=inv.add, args=(item, 1), name="other")
    other.start()
    other.join(timeout=1.0)  # virtual time
    state = probe.thread_state(other)
    locks = [{"kind": held["kind"], "owner": held["owner"]} for held in map(probe.primitive, _locks(inv))]
    done = probe.finished(other)
    if not done:
        _free_locks_held_by_me(probe, inv)
        other.join()
    return {"other_add_finished": done, "other_status": state["status"], "locks_after": locks}


def restock_once(module, probe, before, items):
    inv = _inventory(module, before)
    result = _outcome(probe, lambda: inv.restock(items))
    return {"outcome": result, "stock": probe.encode(inv.stock),
            "snapshot": probe.encode(inv.snapshot())}


def invalid_restock(module, probe, before, items):
    """A restock with a bad count, in the scenario's own thread; then another thread's add."""
    inv = _inventory(module, before)
    result = _outcome(probe, lambda: inv.restock(items))
    after = probe.encode(dict(inv.stock))
    lock_seen = [{"kind": probe.primitive(lock)["kind"], "locked": lock.locked()} for lock in _locks(inv)]
    later = _other_thread_adds(probe, inv, "check")
    return {"outcome": result, "stock_after": after, "locks_right_after": lock_seen, **later,
            "final": probe.encode(dict(inv.stock)), "errors": probe.encode(probe.thread_errors())}


def invalid_add(module, probe, before, item, n):
    inv = _inventory(module, before)
    result = _outcome(probe, lambda: inv.add(item, n))
    after = probe.encode(dict(inv.stock))
    later = _other_thread_adds(probe, inv, "check")
    return {"outcome": result, "stock_after": after, **later}


def restock_vs_snapshot(module, probe, before, items, snapshots):
    """One thread restocks while another takes snapshots; each snapshot is encoded when taken."""
    inv = _inventory(module, before)
    seen = []

    def look():
        for _ in range(snapshots):
            seen.append(probe.encode(inv.snapshot()))

    threads = [threading.Thread(target=inv.restock, args=(items,), name="restocker"),
               threading.Thread(target=look, name="looker")]
    probe.start_and_join(threads)
    return {"seen": seen, "final": probe.encode(dict(inv.stock)),
            "errors": probe.encode(probe.thread_errors())}


def concurrent_updates(module, probe, before, plans):
    """Each plan is one thread's calls, in order: ["add", item, n] or ["restock", {item: n}]."""
    inv = _inventory(module, before)

    def work(plan):
        for call in plan:
            if call[0] == "add":
                inv.add(call[1], call[2])
            else:
                inv.restock(call[1])

    threads = [threading.Thread(target=work, args=(plan,), name=f"worker-{i + 1}")
               for i, plan in enumerate(plans)]
    probe.start_and_join(threads)
    return {"final": probe.encode(dict(inv.stock)), "errors": probe.encode(probe.thread_errors())}


def restock_cases(module, probe, cases):
    return {"results": [restock_once(module, probe, before, items) for before, items in cases]}


def invalid_restock_cases(module, probe, cases):
    return {"results": [invalid_restock(module, probe, before, items) for before, items in cases]}


def invalid_add_cases(module, probe, before, cases):
    return {"results": [invalid_add(module, probe, before, item, n) for item, n in cases]}
