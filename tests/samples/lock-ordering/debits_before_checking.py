import threading
import time


class Account:
    def __init__(self, number, balance=0):
        self.number = number
        self.balance = balance
        self.lock = threading.Lock()


def transfer(src, dst, amount):
    """Move amount from src to dst while holding both accounts' locks."""
    if src is dst:
        return  # nothing moves; and a Lock cannot be taken twice by one thread
    # Every transfer takes the two locks in the same order (by account number, which is unique),
    # so no two transfers can each hold one lock while waiting for the other's.
    first, second = sorted((src, dst), key=lambda account: account.number)
    with first.lock:
        time.sleep(0.001)  # audit log
        with second.lock:
            src.balance -= amount  # takes the money first, checks after (inside the locks: no race)
            if src.balance < 0:
                raise ValueError("insufficient funds")  # ...and keeps it: src stays overdrawn
            dst.balance += amount
