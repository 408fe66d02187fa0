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
    chunks = [words[i::n_threads] for i in range(n_threads)]

    def count_chunk(chunk):
        for w in chunk:
            tally.add(w)

    for c in chunks:
        t = threading.Thread(target=count_chunk, args=(c,))
        t.start()
        t.join()  # one thread at a time
    return tally.counts
