"""Fixed: collections.Counter updated under one lock."""
import collections
import threading


def main(words=("a", "b", "a", "a"), n_threads=2):
    counts = collections.Counter()
    lock = threading.Lock()

    def add(chunk):
        for w in chunk:
            with lock:
                counts[w] += 1

    chunks = [words[i::n_threads] for i in range(n_threads)]
    threads = [threading.Thread(target=add, args=(c,)) for c in chunks]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return dict(counts)
