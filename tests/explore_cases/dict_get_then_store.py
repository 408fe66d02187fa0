"""d[k] = d.get(k, 0) + 1: the get and the store are two steps (the tutorial's word tally)."""
import threading


def main(words=("a", "b", "a", "a"), n_threads=2):
    counts = {}

    def add(chunk):
        for w in chunk:
            counts[w] = counts.get(w, 0) + 1

    chunks = [words[i::n_threads] for i in range(n_threads)]
    threads = [threading.Thread(target=add, args=(c,)) for c in chunks]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return counts
