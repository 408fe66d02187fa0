import threading


class Tally:
    def __init__(self):
        self.counts = {}
        self.lock = threading.Lock()

    def add(self, word):
        with self.lock:
            n = self.counts.get(word, 0)
        self.counts[word] = n + 1  # written after the lock is released


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
