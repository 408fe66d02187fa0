import threading
import time


class Account:
    def __init__(self, number, balance=0):
        self.number = number
        self.balance = balance
        self.lock = threading.Lock()


bank_lock = threading.Lock()


def transfer(src, dst, amount):
    """Move amount from src to dst while holding both accounts' locks."""
    if src is dst:
        return
    time.sleep(0.001)  # audit log, written before queueing for the bank
    if src.balance < amount:  # fail fast, without waiting for the lock...
        raise ValueError("insufficient funds")
    with bank_lock:
        if src.balance < amount:  # ...and check again once it is ours
            raise ValueError("insufficient funds")
        src.balance -= amount
        dst.balance += amount
