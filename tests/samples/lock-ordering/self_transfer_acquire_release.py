import threading
import time


class Account:
    def __init__(self, number, balance=0):
        self.number = number
        self.balance = balance
        self.lock = threading.Lock()


def transfer(src, dst, amount):
    """Move amount from src to dst while holding both accounts' locks."""
    low, high = (src, dst) if src.number < dst.number else (dst, src)
    low.lock.acquire()
    high.lock.acquire()
    try:
        time.sleep(0.001)  # audit log
        if src.balance < amount:
            raise ValueError("insufficient funds")
        src.balance -= amount
        dst.balance += amount
    finally:
        high.lock.release()
        low.lock.release()
