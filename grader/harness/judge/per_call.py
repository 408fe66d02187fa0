"""Locks and semaphores made anew on every call (pure functions).

The most common wrong answer to a race: `with threading.Lock():` inside `add()`, or a Semaphore made
inside the function each thread runs. Each call makes a lock of its own, so no thread ever waits for
another, and an interleaving names every one of them by the same line. The child counts, per creation
site, the primitives made and how many threads took or released the most shared one
(child/primitives.instances_per_site); this module picks the sites that show the mistake.

A site is made per call when it lies in a function that is not `__init__` (one lock per object, such
as an account's, is right) nor the module, made more than one instance in the run, its instances were
held by more than one thread (a thread alone waits for no other anyway), none was ever used (taken or
released) by two threads nor waited for, and either each held instance was taken once (one per call) or each thread
held just one (one per thread, made in the function the thread runs). One lock per object made in a
factory, or one Semaphore per call of `open_office()` shared by its threads, is held by several
threads or waited for; one lock per word kept in a dict is taken again by later calls: none of them
is reported.
"""

from __future__ import annotations

KINDS = ("Lock", "RLock", "Semaphore", "BoundedSemaphore")
PER_OBJECT = ("__init__", "__new__", "<module>")


def per_call_sites(sites: object) -> list[dict]:
    """The creation sites of `sites` (what the child reported) that made a new lock on each call,
    as `{kind, line, function, instances}`, in the child's order (the order they were first made)."""
    out = []
    for site in sites if isinstance(sites, list) else []:
        if not isinstance(site, dict) or site.get("kind") not in KINDS:
            continue
        if not isinstance(site.get("line"), int) or site.get("function") in PER_OBJECT:
            continue
        values = [site.get(k) for k in ("instances", "held", "most_users", "acquires", "contended",
                                         "threads", "most_per_thread")]
        counts = [n for n in values if isinstance(n, int)]
        if len(counts) != len(values):
            continue
        instances, held, most_users, acquires, contended, threads, most_per_thread = counts
        unshared = instances > 1 and threads > 1 and most_users <= 1 and contended == 0
        if unshared and (acquires == held or most_per_thread == 1):
            out.append({"kind": site["kind"], "line": site["line"], "function": str(site.get("function")),
                        "instances": instances})
    return out
