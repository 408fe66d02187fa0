import threading
from collections import Counter


class Tally:
    def __init__(self):
        self.counts = Counter()

    def add(self, word):
        self.counts[word] += 1  # still a read, an add and a write


def count_words(words, n_threads=4):
    """Count words with n_threads threads sharing one Tally; return {word: count}."""
    tally = Tally()
    chunks = [words[i::n_threads] for i in range(n_threads)]

    def count_chunk(chunk):
        for w in chunk:
            tally.add(w)

    threads = [threading.Thread(target=count_chunk, args=(c,)) for c in chunks]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return tally.counts
