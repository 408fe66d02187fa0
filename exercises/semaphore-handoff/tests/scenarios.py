"""Scenarios for semaphore-handoff; they run in the child and only observe."""

import threading
import time


def run_values(module, probe, values, repeats):
    return {"results": [[v, probe.encode(module.run(v))] for v in values for _ in range(repeats)]}


def consumer_waits(module, probe, value, preset):
    """Start consumer() with the test's own Semaphore(0); look at it before and after one release."""
    mailbox = module.Mailbox()
    if preset:
        mailbox.item = value
    ready = threading.Semaphore(0)
    got = []
    c = threading.Thread(target=lambda: got.append(module.consumer(mailbox, ready)), name="consumer")
    c.start()
    time.sleep(1.0)  # virtual: returns once the consumer can go no further on its own
    before = probe.thread_state(c)
    finished_before = probe.finished(c)
    if not preset:
        mailbox.item = value
    ready.release()
    c.join(timeout=1.0)
    waited_on = before["waiting_on"]
    return {
        "blocked_on_ready": before["status"] == "blocked" and waited_on is ready,
        "status_before": before["status"],
        "waited_on": probe.primitive(waited_on) if waited_on is not None and waited_on is not ready else None,
        "finished_before_release": finished_before,
        "returned_before_release": probe.encode(got[0]) if finished_before and got else None,
        "finished_after_release": probe.finished(c),
        "got": probe.encode(got[0]) if got else None,
        "sleeps": len(probe.sleeps("consumer")),
    }


def producer_signals(module, probe, value):
    """Run producer() with the test's own Semaphore(0); note the mailbox at each release."""
    mailbox = module.Mailbox()
    ready = threading.Semaphore(0)
    at_release = []
    probe.on_release(ready, lambda sem: at_release.append(probe.encode(mailbox.item)))
    p = threading.Thread(target=module.producer, args=(mailbox, ready, value), name="producer")
    p.start()
    p.join(timeout=5.0)
    return {"items_at_release": at_release, "releases": probe.primitive(ready)["releases"],
            "finished": probe.finished(p), "item": probe.encode(mailbox.item)}


def run_semaphores(module, probe, value):
    module.run(value)
    return {"created": probe.created("Semaphore") + probe.created("BoundedSemaphore")}
