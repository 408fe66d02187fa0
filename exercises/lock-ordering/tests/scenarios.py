"""Scenarios for lock-ordering; they run in the child, next to the student's module, and only observe.

Accounts are made with the student's Account class; their numbers are unique but not in the order the
accounts are created, so that "ordered by number" and "ordered by creation" differ.
"""

import threading
import time


def _accounts(cls, numbers, balances):
    return [cls(number, balance) for number, balance in zip(numbers, balances)]


def _balance(account):
    fields = getattr(account, "__dict__", {})
    return fields["_ledger_balance"] if "_ledger_balance" in fields else account.balance  # no ledger sleep


def _balances(probe, accounts):
    return [probe.encode(_balance(a)) for a in accounts]


def _transfer_thread(module, accounts, plan, rejected, name):
    def work():
        for src, dst, amount in plan:
            try:
                module.transfer(accounts[src], accounts[dst], amount)
            except ValueError:
                rejected.append([src, dst, amount])

    return threading.Thread(target=work, name=name)


def _errors(probe):
    return probe.encode([{"thread": e["thread"], "type": e["type"], "message": e["message"],
                          "line": (e["stack"] or [{}])[-1].get("line")} for e in probe.thread_errors()])


def _module_locks(module):
    return [v for v in vars(module).values() if isinstance(v, threading.Lock)]


def _activity(probe, locks, threads):
    """How many lock acquisitions and sleeps have happened so far: it grows while threads retry."""
    return (sum(probe.primitive(lock)["acquires"] for lock in locks)
            + sum(len(probe.sleeps(t.name)) for t in threads))


def _join_all(probe, threads, patience, locks):
    """Join the threads, giving them `patience` virtual seconds in all. A wait that can never end is
    left to the harness, which reports it with every thread's line (a circle of lock waits is reported
    the moment it forms). Threads still busy after that long, taking locks or sleeping again and again
    without finishing, are retrying forever (a livelock): they are named, and left behind."""
    stuck = probe.join_all(threads, within=patience)
    if not stuck:
        return []
    before = _activity(probe, locks, stuck)
    for t in stuck:
        t.join(timeout=1.0)
    if _activity(probe, locks, stuck) == before:
        for t in stuck:
            t.join()  # nothing moves any more: the harness reports the wait that never ends
    return [{"thread": t.name, "status": probe.thread_state(t)["status"]} for t in stuck if t.is_alive()]


def transfers(module, probe, numbers, balances, plans, patience=10.0):
    """One thread per plan; each plan is a list of [src index, dst index, amount]. ValueErrors are
    counted (the test's threads catch them); anything else ends its thread and is reported."""
    accounts = _accounts(module.Account, numbers, balances)
    rejected = []
    threads = [_transfer_thread(module, accounts, plan, rejected, f"teller-{i + 1}")
               for i, plan in enumerate(plans)]
    for t in threads:
        t.start()
    unfinished = _join_all(probe, threads, patience, [a.lock for a in accounts] + _module_locks(module))
    return {"balances": _balances(probe, accounts), "rejected": rejected, "errors": _errors(probe),
            "unfinished": unfinished, "virtual_time": probe.now()}


def _release_mine(probe, locks):
    me = threading.current_thread().name
    for lock in locks:
        for _ in range(100):
            held = probe.primitive(lock)
            if not held["count"] or held["owner"] != me:
                break
            lock.release()


def insufficient(module, probe, numbers, balances, src, dst, amount):
    """A transfer of more than src holds, in the scenario's own thread; then another thread's
    transfer between the same two accounts, the other way."""
    accounts = _accounts(module.Account, numbers, balances)
    try:
        module.transfer(accounts[src], accounts[dst], amount)
        raised, value_error = None, False
    except Exception as exc:  # noqa: BLE001 - what the student raised is an observation
        raised, value_error = type(exc).__name__, isinstance(exc, ValueError)
    after = _balances(probe, accounts)
    held = [accounts[i].number for i in (src, dst) if accounts[i].lock.locked()]
    other = threading.Thread(target=module.transfer, args=(accounts[dst], accounts[src], 1), name="next-customer")
    other.start()
    other.join(timeout=1.0)  # virtual time
    state = probe.thread_state(other)
    done = probe.finished(other)
    if not done:
        _release_mine(probe, [a.lock for a in accounts] + _module_locks(module))
        other.join(timeout=1.0)
    return {"raised": raised, "value_error": value_error, "after": after, "held_numbers": held,
            "other_finished": done, "other_status": state["status"], "errors": _errors(probe)}


def self_transfer(module, probe, balance, amount):
    account = module.Account(7, balance)
    try:
        module.transfer(account, account, amount)
        raised = None
    except Exception as exc:  # noqa: BLE001 - what the student raised is an observation
        raised = f"{type(exc).__name__}: {exc}"[:200]
    after = probe.encode(account.balance)
    return {"raised": raised, "after": after, "locked_after": account.lock.locked()}


def _most_at_once(intervals):
    """The most intervals open at one instant (one that ends when another starts: not together)."""
    edges = sorted([(start, 1) for start, _ in intervals] + [(end, -1) for _, end in intervals])
    most = inside = 0
    for _, step in edges:
        inside += step
        most = max(most, inside)
    return most


def disjoint_transfers(module, probe, numbers, balances, plans, ledger_seconds, patience=10.0):
    """Transfers between disjoint pairs of accounts, one thread each. The test's ledger takes
    `ledger_seconds` of virtual time to read a balance while the reading thread holds a lock (an
    account's, or one of the module's or of its classes): two transfers that really run at the same
    time are inside such a read at the same moment, and a lock held over the whole transfer keeps them
    apart. Reads under no lock (a check before locking) and the audit-log sleep are not counted."""
    base = module.Account
    locked_reads = []
    shared = _module_locks(module) + [v for cls in vars(module).values() if isinstance(cls, type)
                                      for v in vars(cls).values() if isinstance(v, threading.Lock)]

    def holds_a_lock():
        me = threading.current_thread().name
        return any(isinstance(lock, threading.Lock) and probe.primitive(lock)["owner"] == me
                   for lock in [getattr(a, "lock", None) for a in accounts] + shared)

    class SlowLedger(base):
        @property
        def balance(self):
            if holds_a_lock():
                start = probe.now()
                time.sleep(ledger_seconds)
                locked_reads.append((start, probe.now()))
            return self.__dict__["_ledger_balance"]

        @balance.setter
        def balance(self, value):
            self.__dict__["_ledger_balance"] = value

    accounts = _accounts(SlowLedger, numbers, balances)
    rejected = []
    names = [f"teller-{i + 1}" for i in range(len(plans))]
    threads = [_transfer_thread(module, accounts, plan, rejected, name) for plan, name in zip(plans, names)]
    for t in threads:
        t.start()
    unfinished = _join_all(probe, threads, patience, [a.lock for a in accounts] + shared)
    return {"unfinished": unfinished, "virtual_time": probe.now(), "most_at_once": _most_at_once(locked_reads),
            "locked_reads": len(locked_reads), "balances": _balances(probe, accounts), "rejected": rejected,
            "errors": _errors(probe)}


def insufficient_cases(module, probe, cases):
    return {"results": [insufficient(module, probe, **case) for case in cases]}


def self_transfer_cases(module, probe, balance, amounts):
    return {"results": [self_transfer(module, probe, balance, amount) for amount in amounts]}
