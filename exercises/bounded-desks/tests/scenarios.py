"""Scenarios for bounded-desks; they run in the child, next to the student's module, and only observe.

The test passes its own `handle`: it notes who comes in and goes out at which virtual instant,
takes that customer's time at the desk with time.sleep (virtual), and returns a ticket, or raises
for the customers in `fail`. Every comparison happens in the test.
"""

import time


class CustomerLeft(Exception):
    """What the test's handle raises for a customer in `fail`."""


def office(module, probe, customers, desks, durations, fail=()):
    seconds = dict(zip(customers, durations))
    visits = probe.Visits("handle()")

    def handle(customer):
        with visits.inside(customer):
            time.sleep(seconds.get(customer, 1))
            if customer in fail:
                raise CustomerLeft(f"customer {customer} left angry")
            return f"ticket {customer}"

    result = module.open_office(list(customers), desks, handle)
    created = []
    for kind in ("Semaphore", "BoundedSemaphore", "Lock", "RLock", "Condition"):
        created += [{"kind": p["kind"], "line": (p["site"] or {}).get("line"),
                     "code": (p["site"] or {}).get("code", ""), "initial": p.get("initial")}
                    for p in probe.created(kind)]
    return {
        "result": probe.encode(result),
        "log": visits.log,
        "errors": [{"thread": e["thread"], "type": e["type"], "message": e["message"], "stack": e["stack"]}
                   for e in probe.thread_errors()],
        "created": created,
        "end": probe.now(),
    }
