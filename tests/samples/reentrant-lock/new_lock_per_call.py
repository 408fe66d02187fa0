import threading


class Inventory:
    def __init__(self):
        self.stock = {}

    def add(self, item, n):
        with threading.Lock():
            if n <= 0:
                raise ValueError(f"cannot add {n} of {item}")
            self.stock[item] = self.stock.get(item, 0) + n

    def restock(self, items):
        """Add every (item, n) of the dict `items` as one step: nobody sees half a restock."""
        with threading.Lock():
            for item, n in items.items():
                self.add(item, n)

    def snapshot(self):
        with threading.Lock():
            return dict(self.stock)
