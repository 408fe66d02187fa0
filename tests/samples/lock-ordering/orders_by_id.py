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
        return
    first, second = sorted((src, dst), key=id)
    with first.lock:
        time.sleep(0.001)  # audit log
        with second.lock:
            if src.balance < amount:
                raise ValueError("insufficient funds")
            src.balance -= amount
            dst.balance += amount
