import threading


class Tally:
    def __init__(self):
        self.counts = {}
        self.lock = threading.Lock()

    def add(self, word):
        with self.lock:
            self.counts[word] = self.counts.get(word, 0) + 1


def count_words(words, n_threads=4):
    """Count words with n_threads threads sharing one Tally; return {word: count}."""
    tally = Tally()
    for w in words:  # no threads, no race
        tally.add(w)
    return tally.counts
