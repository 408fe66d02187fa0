"""Hidden checks for word-tally. Each test is one check named in exercise.yaml."""

from collections import Counter

from grader.harness.judge.api import describe, expect

CASES = [
    ("the cat and the hat and the bat".split(), 4),
    ("a b a c a b d a".split(), 3),
    (["x"] * 9, 2),
    ([], 4),                        # no words
    (["solo", "solo", "pair"], 1),  # one thread
    (["one", "two"], 5),            # more threads than words
]

# Small on purpose, so that the one-pause round tries every pause: with n_threads=2 the chunks are
# ["a", "b"] and ["a", "a"], so both threads add "a".
EXPLORED_WORDS, EXPLORED_THREADS = ["a", "a", "b", "a"], 2
JUDGE_THREADS = [["a", "a"], ["a", "b"]]  # the test's threads, each adding its words to one Tally


def _counts(got, call):
    expect(got["kind"] == "dict", "{call} gave {got}, not a dict that maps each word to its count.",
           call=call, got=describe(got.get("value")))
    return got["counts"]


def _lost(got, want):
    """How many additions are missing (a negative number: extra ones)."""
    total = sum(v for v in got.values() if type(v) is int)
    return sum(want.values()) - total


def test_count_words_exact(student):
    obs = student.run("count_cases", cases=CASES)
    for case in obs["results"]:
        want = dict(Counter(case["words"]))
        got = _counts(case["got"], f"count_words({case['words']}, {case['n']})")
        expect(got == want, "count_words({words}, n_threads={n}) returned {got}, expected {want}.",
               words=case["words"], n=case["n"], got=got, want=want)

    want = dict(Counter(EXPLORED_WORDS))

    def exact(obs):
        got = _counts(obs["got"], f"count_words({EXPLORED_WORDS}, {EXPLORED_THREADS})")
        expect(got == want,
               "count_words({words}, n_threads={n}) returned {got}, not {want}: {lost} {lost:word was|words were} lost "
               "under this schedule. Two threads read the same count of a word and both stored that count plus one, "
               "so one addition overwrote the other: `self.counts[word] = self.counts.get(word, 0) + 1`, like "
               "`self.counts[word] += 1`, is a read and then a write, and a thread can be switched out between "
               "the two. On a laptop CPython rarely shows this: only one thread runs Python code at a time (the "
               "GIL), it is made to hand over only every 5 ms or so (sys.getswitchinterval()), and add() takes "
               "far less than a microsecond, so a switch seldom lands inside it. Seldom is not never: under load, "
               "with more threads, on another interpreter or a free-threaded Python it happens, so a program that "
               "printed the right counts a thousand times proves nothing. Make the read and the write one step "
               "for the other threads: one threading.Lock per Tally, created in __init__ and held over both (or "
               "let each thread count apart and merge after join(), with add() still locked).",
               words=EXPLORED_WORDS, n=EXPLORED_THREADS, got=got, want=want, lost=_lost(got, want))

    student.explore("count_once", exact, words=EXPLORED_WORDS, n_threads=EXPLORED_THREADS)


def test_add_is_thread_safe(student):
    want = dict(Counter(w for words in JUDGE_THREADS for w in words))

    def nothing_lost(obs):
        got = _counts(obs["got"], "Tally.counts")
        expect(got == want,
               "The test's own threads called add() on one Tally (one thread per list: {per_thread}); Tally.counts "
               "ended as {got}, not {want}: {lost} {lost:addition was|additions were} lost under this schedule. add() "
               "itself must be safe, whatever count_words() does: a lock in count_words(), or counting apart in each "
               "thread, does not protect the test's calls. Each Tally needs one lock, created in __init__ (not per "
               "call, not per word created on first use, which is itself a check-then-act), held from the read of the "
               "count to the write. On a laptop CPython seldom switches threads inside add(), so the loss hides "
               "there and a run that counts right proves nothing; the test switches at exactly that point.",
               per_thread=JUDGE_THREADS, got=got, want=want, lost=_lost(got, want))

    student.explore("add_from_threads", nothing_lost, per_thread=JUDGE_THREADS)


def test_uses_n_threads(student):
    words = ("red green blue red green red " * 4).split()
    for n in (3, 5):
        obs = student.run("counting_threads", words=words, n_threads=n)
        want = dict(Counter(words))
        got = _counts(obs["got"], f"count_words(words, {n})")
        expect(got == want, "count_words(words, n_threads={n}) returned {got}, expected {want}.",
               n=n, got=got, want=want)
        counting = obs["counting_threads"]
        expect(len(counting) == n,
               "count_words(words, n_threads={n}) counted its words in {count} {count:thread|threads} other than the "
               "caller's ({threads}), not {n}. Start n_threads threads, give each its share of the words, and let each "
               "count its share.", n=n, count=len(counting), threads=counting)
        expect(obs["started_before_first_join"] >= min(n, obs["starts"]),
               "count_words(words, n_threads={n}) joined a thread after starting only {started} of them: the "
               "threads then run one after another, not together. Start them all first, then join them all.",
               n=n, started=obs["started_before_first_join"])


def test_counts_is_the_dict(student):
    words = ["b", "a", "b", "c", "b"]
    want = dict(Counter(words))
    obs = student.run("one_thread", words=words)
    before = _counts(obs["before"], "Tally().counts")
    expect(before == {}, "A new Tally's counts is {got}, not an empty dict.", got=before)
    after = _counts(obs["after"], "Tally.counts")
    expect(after == want, "After add() of {words} from one thread, Tally.counts is {got}, not {want}. Keep "
           "`counts` as the dict (word to count) that add() updates: the test reads it.",
           words=words, got=after, want=want)
    returned = _counts(obs["returned"], f"count_words({words}, 2)")
    expect(returned == want, "count_words({words}, 2) returned {got}, not {want}.",
           words=words, got=returned, want=want)


def test_fresh_count_each_call(student):
    words, n = ["up", "down", "up"], 2
    obs = student.run("twice", words=words, n_threads=n)
    first = _counts(obs["first"], "count_words")
    second = _counts(obs["second"], "count_words")
    expect(first == second,
           "count_words({words}, {n}) returned {first} the first time and {second} the second: counts left "
           "over from one call end up in the next. Each call must count with a new Tally.",
           words=words, n=n, first=first, second=second)
