import threading
from collections import Counter


class Tally:
    def __init__(self):
        self.counts = {}
        self._lock = threading.Lock()

    def add(self, word):
        with self._lock:
            self.counts[word] = self.counts.get(word, 0) + 1


def count_words(words, n_threads=4):
    """Count words with n_threads threads sharing one Tally; return {word: count}."""
    chunks = [words[i::n_threads] for i in range(n_threads)]
    partial = [None] * n_threads

    def count_chunk(i):
        partial[i] = Counter(chunks[i])  # counted apart, in this thread: nothing shared

    threads = [threading.Thread(target=count_chunk, args=(i,)) for i in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return dict(sum(partial, Counter()))  # merged once every thread is done
