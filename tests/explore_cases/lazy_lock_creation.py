"""A lock per key, created on first use with check-then-act: two threads can each create one."""
import threading

locks = {}
balances = {}


def deposit(key):
    if key not in locks:
        locks[key] = threading.Lock()
    with locks[key]:
        balances[key] = balances.get(key, 0) + 1


def main(n_threads=2):
    locks.clear()
    balances.clear()
    threads = [threading.Thread(target=deposit, args=("acct",)) for _ in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return balances["acct"]
