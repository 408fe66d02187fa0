"""Scenarios for bounded-desks; they run in the child, next to the student's module, and only observe.

The judge passes its own `handle`: it notes who comes in and goes out at which virtual instant,
takes that customer's time at the desk with time.sleep (virtual), and returns a ticket, or raises
for the customers in `fail`. Every comparison happens in the judge.
"""

import threading
import time


class JudgeError(Exception):
    """What the judge's handle raises for a customer in `fail`."""


def office(module, probe, customers, desks, durations, fail=()):
    seconds = dict(zip(customers, durations))
    log = []
    inside = []

    def handle(customer):
        inside.append(customer)
        log.append({"event": "enter", "customer": customer, "at": probe.now(), "inside": len(inside),
                    "thread": threading.current_thread().name})
        try:
            time.sleep(seconds.get(customer, 1))
            if customer in fail:
                raise JudgeError(f"customer {customer} left angry")
            return f"ticket {customer}"
        finally:
            inside.remove(customer)
            log.append({"event": "leave", "customer": customer, "at": probe.now(), "inside": len(inside),
                        "thread": threading.current_thread().name})

    result = module.open_office(list(customers), desks, handle)
    created = []
    for kind in ("Semaphore", "BoundedSemaphore", "Lock", "RLock", "Condition"):
        created += [{"kind": p["kind"], "line": (p["site"] or {}).get("line"),
                     "code": (p["site"] or {}).get("code", ""), "initial": p.get("initial")}
                    for p in probe.created(kind)]
    return {
        "result": probe.encode(result),
        "log": log,
        "errors": [{"thread": e["thread"], "type": e["type"], "message": e["message"], "stack": e["stack"]}
                   for e in probe.thread_errors()],
        "created": created,
        "end": probe.now(),
    }
