"""Hidden checks for semaphore-handoff. Each test is one check named in exercise.yaml."""

from grader.harness.judge.api import describe, describe_status, expect

VALUES = [42, "parcel", 7]
REPEATS = 2


def test_run_returns_value(student):
    obs = student.run("run_values", values=VALUES, repeats=REPEATS)
    for value, got in obs["results"]:
        expect(got == value and type(got) is type(value),
               "run({value!r}) returned {got}: the consumer read the mailbox before the producer had filled "
               "it. It must wait in ready.acquire() until the producer calls ready.release().",
               value=value, got=describe(got))


def test_consumer_blocks_until_release(student):
    obs = student.run("consumer_waits", value=99, preset=True)
    expect(not obs["finished_before_release"],
           "With the item already in the mailbox but nothing released, consumer() returned {got} at once. "
           "It must block in ready.acquire() until the producer releases, whatever the mailbox holds.",
           got=describe(obs["returned_before_release"]))
    if obs["waited_on"] is not None:
        site = obs["waited_on"].get("site") or {}
        expect(False, "consumer() waited on something else (the {kind} created at line {line}) instead of the "
               "`ready` semaphore it was given. Wait on `ready` itself.", kind=obs["waited_on"]["kind"],
               line=site.get("line", "?"))
    expect(obs["blocked_on_ready"], "Before anything was released, consumer() was {status}, not blocked in "
           "ready.acquire().", status=describe_status(obs["status_before"]))
    expect(obs["finished_after_release"] and obs["got"] == 99,
           "After one ready.release(), consumer() did not return the item (it returned {got}).",
           got=describe(obs["got"]))


def test_consumer_does_not_poll(student):
    obs = student.run("consumer_waits", value=5, preset=False)
    expect(obs["sleeps"] == 0, "consumer() called time.sleep {sleeps} times while waiting. Sleeping or polling "
           "wastes time and still races; block in ready.acquire() instead.", sleeps=obs["sleeps"])
    expect(not obs["finished_before_release"], "consumer() returned {got} before the item was there.",
           got=describe(obs["returned_before_release"]))


def test_producer_stores_before_release(student):
    obs = student.run("producer_signals", value=11)
    releases = obs["items_at_release"]
    expect(len(releases) >= 1, "producer() never called ready.release(): the consumer would wait forever.")
    expect(releases[0] == 11, "producer() released `ready` while the mailbox still held {item}: the consumer "
           "could wake and read it before the item is stored. Store the item first, then release.",
           item=describe(releases[0]))
    expect(len(releases) == 1, "producer() released `ready` {n} times; release exactly once per item.",
           n=len(releases))


def test_run_starts_semaphore_at_zero(student):
    obs = student.run("run_semaphores", value=3)
    initials = [s["initial"] for s in obs["created"]]
    expect(0 in initials, "run() created semaphores with starting values {initials}; the handoff needs 0.",
           initials=initials)
