import threading


class Tally:
    def __init__(self):
        self.counts = {}

    def add(self, word):
        self.counts[word] = self.counts.get(word, 0) + 1


def count_words(words, n_threads=4):
    """Count words with n_threads threads sharing one Tally; return {word: count}."""
    tally = Tally()
    lock = threading.Lock()  # protects count_words' own threads, not anybody else's
    chunks = [words[i::n_threads] for i in range(n_threads)]

    def count_chunk(chunk):
        for w in chunk:
            with lock:
                tally.add(w)

    threads = [threading.Thread(target=count_chunk, args=(c,)) for c in chunks]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return tally.counts
