import threading


class Inventory:
    def __init__(self):
        # restock() holds the lock while add() takes it again: only an RLock lets the thread
        # that holds it acquire it once more (a Lock would wait for itself forever).
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
            # All or nothing: check every count before changing anything.
            for item, n in items.items():
                if n <= 0:
                    raise ValueError(f"cannot add {n} of {item}")
            for item, n in items.items():
                self.add(item, n)

    def snapshot(self):
        with self.lock:
            return dict(self.stock)
