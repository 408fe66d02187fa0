# word-tally: the lost-update race kept, the schedule search blinded (issue 24 (a)): add() turns the
# tracer off and clears its own frame's trace function before the racy read-add-write.
import sys
import threading


class Tally:
    def __init__(self):
        self.counts = {}

    def add(self, word):
        sys.settrace(None)
        sys._getframe().f_trace = None
        self.counts[word] = self.counts.get(word, 0) + 1


def count_words(words, n_threads=4):
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
