import threading


class Inventory:
    def __init__(self):
        self.lock = threading.RLock()
        self.stock = {}

    def add(self, item, n):
        with self.lock:
            if n <= 0:
                raise ValueError(f"cannot add {n} of {item}")
            self.stock[item] = self.stock.get(item, 0) + n

    def restock(self, items):
        """Add every (item, n) of the dict `items` as one step: nobody sees half a restock."""
        with self.lock:
            for item, n in items.items():
                self.add(item, n)

    def snapshot(self):
        with self.lock:
            return dict(self.stock)
