class Hits:
    def __init__(self):
        self.count = 0

    def hit(self):
        self.count += 1
