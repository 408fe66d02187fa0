"""Hidden checks for lock-ordering. Each test is one check named in exercise.yaml.

Account numbers are unique but the accounts are not created in number order. Overlap is measured in
virtual time (threads asleep at the same instant), never by looking for module-level locks.
"""

from grader.harness.judge.api import describe, describe_status, expect

# Every bug these scenarios target shows with one thread paused at one point (or under the first
# schedule), and the scenarios have fewer than 20 such points: the one-pause round tries them all.
BUDGET = 150

OPPOSITE = dict(numbers=[20, 10], balances=[100, 100], plans=[[[0, 1, 10]], [[1, 0, 20]]])
OPPOSITE_WANT = [110, 90]

FIVE = [104, 101, 105, 102, 103]
MANY = dict(numbers=FIVE, balances=[100] * 5,
            plans=[[[i, (i + k) % 5, 3 + (7 * i + 5 * k) % 13] for k in (1, 4, 2, 3, 1, 4)] for i in range(5)])
FEW = dict(numbers=FIVE, balances=[50] * 5, plans=[[[0, 1, 30]], [[2, 1, 20]], [[1, 3, 10], [4, 0, 5]]])
FEW_WANT = [25, 90, 30, 60, 45]

OVERDRAFT = dict(numbers=[30, 10, 20], balances=[100, 0, 0], plans=[[[0, 1, 60]], [[0, 2, 60]]])

INSUFFICIENT = [
    dict(numbers=[20, 10], balances=[50, 10], src=0, dst=1, amount=80),
    dict(numbers=[20, 10], balances=[50, 10], src=1, dst=0, amount=30),
]

DISJOINT = dict(numbers=[104, 101, 105, 102], balances=[100] * 4, plans=[[[0, 1, 10]], [[2, 3, 20]]],
                ledger_seconds=0.01)


def _no_thread_errors(obs):
    for error in obs["errors"]:
        expect(False, "Thread {thread} ended with {type}: {error} (line {line} of your file).",
               thread=error["thread"], type=error["type"], error=error["message"], line=error["line"])


def _all_finished(obs):
    stuck = [t["thread"] for t in obs["unfinished"]]
    expect(not stuck, "After {seconds:g} virtual seconds, {threads} still had not finished their transfers, yet "
           "never stayed blocked: they kept letting go of a lock and trying again at the same moments as each "
           "other, so no one ever got both locks (a livelock). Giving up and retrying does not cure a "
           "lock-order deadlock; take the two locks in one order every transfer agrees on, such as the "
           "account number.", seconds=obs["virtual_time"], threads=", ".join(stuck))


def _transfer_text(numbers, plan):
    return ", ".join(f"transfer(#{numbers[s]}, #{numbers[d]}, {amount})" for s, d, amount in plan)


def _opposite_done(obs):
    _no_thread_errors(obs)
    _all_finished(obs)
    got = obs["balances"]
    total = sum(b for b in got if isinstance(b, (int, float)))
    expect(total == 200, "Accounts #20 and #10 held 100 each; one thread ran transfer(#20, #10, 10) while "
           "another ran transfer(#10, #20, 20). They ended with {got} (total {total}, not 200): an update "
           "was lost, because a balance changed while its account's lock was not held. Hold both locks, "
           "src's and dst's, while changing the balances.", got=describe(got), total=total)
    expect(got == OPPOSITE_WANT, "Accounts #20 and #10 held 100 each; one thread ran transfer(#20, #10, 10) "
           "while another ran transfer(#10, #20, 20). They ended with {got}, expected {want}: the money went "
           "the wrong way. Sort the accounts only to decide which lock to take first; src still pays and "
           "dst still receives.", got=describe(got), want=OPPOSITE_WANT)
    expect(not obs["rejected"], "transfer was refused with ValueError ({rejected}) although both accounts held "
           "enough.", rejected=obs["rejected"])


def test_opposite_transfers_finish(student):
    obs = student.run("transfers", **OPPOSITE)
    _opposite_done(obs)


def test_opposite_transfers_any_schedule(student):
    student.explore("transfers", _opposite_done, budget=BUDGET, **OPPOSITE)


def test_money_is_conserved(student):
    obs = student.run("transfers", **MANY)
    _no_thread_errors(obs)
    _all_finished(obs)
    total = sum(b for b in obs["balances"] if isinstance(b, (int, float)))
    expect(total == 500, "Five threads made 30 transfers among five accounts of 100 each; the balances "
           "ended at {got}, which add up to {total}, not 500: money was created or lost. Both balances must "
           "change while both accounts' locks are held.", got=describe(obs["balances"]), total=total)
    expect(min(obs["balances"]) >= 0, "After many concurrent transfers a balance was negative: {got}.",
           got=describe(obs["balances"]))

    def exact(obs):
        _no_thread_errors(obs)
        _all_finished(obs)
        got = obs["balances"]
        total = sum(b for b in got if isinstance(b, (int, float)))
        texts = dict(first=_transfer_text(FIVE, FEW["plans"][0]), second=_transfer_text(FIVE, FEW["plans"][1]),
                     third=_transfer_text(FIVE, FEW["plans"][2]))
        expect(total == 250, "Five accounts of 50 each; three threads ran {first} | {second} | {third} at the "
               "same time. The balances ended at {got}, which add up to {total}, not 250: an update was lost. "
               "A thread read a balance, another changed it, and the first wrote its stale value back. Change "
               "a balance only while holding that account's lock: both locks, src and dst, for the whole "
               "check-and-move.", got=describe(got), total=total, **texts)
        expect(got == FEW_WANT, "Five accounts of 50 each; three threads ran {first} | {second} | {third} at the "
               "same time. The total is right, but the balances ended at {got}, expected {want}: money went "
               "to the wrong accounts. src pays and dst receives, whatever order the locks are taken in.",
               got=describe(got), want=FEW_WANT, **texts)

    student.explore("transfers", exact, budget=BUDGET, **FEW)


def test_never_overdraws(student):
    def no_overdraft(obs):
        _no_thread_errors(obs)
        _all_finished(obs)
        got = obs["balances"]
        # A refusal, and still overdrawn: not two checks that both saw 100 (the advice below would tell
        # an answer that checks inside its locks to do so), but a debit made before its check and kept.
        expect(got[0] >= 0 or not obs["rejected"], "Account #30 held 100; two threads each ran transfer(#30, "
               "..., 60) at the same time. One was refused (ValueError), yet the balance ended at {balance}: the "
               "refused transfer took the money before it checked, and kept it when it raised. Check the balance "
               "before changing anything (inside the locks), so that a refused transfer changes nothing.",
               balance=describe(got[0]))
        expect(got[0] >= 0, "Account #30 held 100; two threads each ran transfer(#30, ..., 60) at the same "
               "time, and the balance ended at {balance}: both saw 100 and both took 60. Check the balance "
               "after taking the locks, not before: between an unlocked check and the move, another "
               "transfer can take the money.", balance=describe(got[0]))
        expect(len(obs["rejected"]) == 1 and got in ([40, 60, 0], [40, 0, 60]),
               "Account #30 held 100; two threads each tried to move 60 out of it. Exactly one must succeed "
               "and the other raise ValueError; the balances ended at {got} with {n} {n:transfer|transfers} refused.",
               got=describe(got), n=len(obs["rejected"]))

    student.explore("transfers", no_overdraft, budget=BUDGET, **OVERDRAFT)


def test_insufficient_funds_change_nothing(student):
    runs = student.run("insufficient_cases", cases=INSUFFICIENT)["results"]
    for case, obs in zip(INSUFFICIENT, runs):
        src, dst = case["numbers"][case["src"]], case["numbers"][case["dst"]]
        amount, before = case["amount"], case["balances"]
        expect(obs["raised"] is not None, "transfer(#{src}, #{dst}, {amount}) with only {have} in #{src} returned "
               "without an error. It must raise ValueError and move nothing.", src=src, dst=dst, amount=amount,
               have=before[case["src"]])
        expect(obs["value_error"], "transfer(#{src}, #{dst}, {amount}) with only {have} in #{src} raised {type}, "
               "not ValueError.", src=src, dst=dst, amount=amount, have=before[case["src"]], type=obs["raised"])
        expect(obs["after"] == before, "transfer(#{src}, #{dst}, {amount}) raised, but the balances changed from "
               "{before} to {got}. Check first, change nothing when the money is not there.", src=src,
               dst=dst, amount=amount, before=before, got=describe(obs["after"]))
        expect(not obs["held_numbers"] and obs["other_finished"], "After transfer(#{src}, #{dst}, {amount}) "
               "raised ValueError, the {held:lock of account|locks of accounts} {held} {held:was|were} still taken, "
               "and another thread's transfer(#{dst}, #{src}, 1) was {status} one virtual second later. An exception "
               "must not leave a lock taken: use `with` for both locks (or release them in `finally:`).", src=src,
               dst=dst, amount=amount, held=obs["held_numbers"], status=describe_status(obs["other_status"]))


def test_self_transfer_changes_nothing(student):
    amounts = [30, 100, 1000]
    runs = student.run("self_transfer_cases", balance=100, amounts=amounts)["results"]
    for amount, obs in zip(amounts, runs):
        expect(obs["raised"] is None, "transfer(a, a, {amount}) on an account holding 100 raised {error}. "
               "Moving money from an account to itself changes nothing, whatever the amount: return at once.",
               amount=amount, error=obs["raised"])
        expect(obs["after"] == 100, "transfer(a, a, {amount}) changed the balance from 100 to {got}.",
               amount=amount, got=describe(obs["after"]))
        expect(not obs["locked_after"], "transfer(a, a, {amount}) returned with the account's lock still taken.",
               amount=amount)


def test_disjoint_transfers_overlap(student):
    obs = student.run("disjoint_transfers", **DISJOINT)
    _no_thread_errors(obs)
    _all_finished(obs)
    expect(obs["most_at_once"] >= 2, "transfer(#104, #101, 10) and transfer(#105, #102, 20) share no account, "
           "yet they never ran at the same time: one thread waited until the other's transfer was over "
           "(reading a balance takes a while here, and at most {most} thread was ever reading one "
           "under a lock at a given moment). A lock held for the whole transfer makes the bank "
           "serve one customer at a time. Lock only the two accounts involved (a shared lock, if any, only "
           "while taking the two account locks).", most=obs["most_at_once"])
