"""Fixed: the lazy creation itself under one lock (setdefault would do too)."""
import threading

locks = {}
balances = {}
creating = threading.Lock()


def lock_for(key):
    with creating:
        if key not in locks:
            locks[key] = threading.Lock()
        return locks[key]


def deposit(key):
    with lock_for(key):
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
