import threading
from collections import Counter


class Tally:
    def __init__(self):
        self.counts = {}

    def add(self, word):
        self.counts[word] = self.counts.get(word, 0) + 1


def count_words(words, n_threads=4):
    """Count words with n_threads threads sharing one Tally; return {word: count}."""
    chunks = [words[i::n_threads] for i in range(n_threads)]
    partial = [Counter() for _ in chunks]

    def count_chunk(i):
        partial[i].update(chunks[i])  # each thread its own Counter: nothing shared

    threads = [threading.Thread(target=count_chunk, args=(i,)) for i in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    total = Counter()
    for c in partial:
        total.update(c)
    return dict(total)
