import threading


class Inventory:
    def __init__(self):
        self.lock = threading.Lock()
        self.stock = {}

    def _add_locked(self, item, n):
        # the caller already holds self.lock
        if n <= 0:
            raise ValueError(f"cannot add {n} of {item}")
        self.stock[item] = self.stock.get(item, 0) + n

    def add(self, item, n):
        with self.lock:
            self._add_locked(item, n)

    def restock(self, items):
        """Add every (item, n) of the dict `items` as one step: nobody sees half a restock."""
        with self.lock:
            bad = [(item, n) for item, n in items.items() if n <= 0]
            if bad:
                raise ValueError(f"cannot add {bad[0][1]} of {bad[0][0]}")
            for item, n in items.items():
                self._add_locked(item, n)

    def snapshot(self):
        with self.lock:
            return dict(self.stock)
