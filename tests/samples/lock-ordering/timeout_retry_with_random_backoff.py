import random
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
    while True:
        with src.lock:
            time.sleep(0.001)  # audit log
            if dst.lock.acquire(timeout=0.01):
                try:
                    if src.balance < amount:
                        raise ValueError("insufficient funds")
                    src.balance -= amount
                    dst.balance += amount
                    return
                finally:
                    dst.lock.release()
        time.sleep(random.uniform(0, 0.05))  # back off for a random while before trying again
