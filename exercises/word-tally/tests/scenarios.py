"""Scenarios for word-tally; they run in the child, next to the student's module, and only observe."""

import threading


def _counts(value):
    """A mapping of counts as plain JSON (a dict subclass such as Counter is read as the dict it is)."""
    if isinstance(value, dict):
        try:
            items = list(dict.items(value))
        except Exception:  # noqa: BLE001 - a student's mapping that cannot be read
            return {"kind": "other", "value": {"__object__": type(value).__qualname__}}
        return {"kind": "dict", "type": type(value).__qualname__,
                "counts": {str(k): v for k, v in items}}
    return {"kind": "other", "value": value}


def count_cases(module, probe, cases):
    """count_words(words, n) for every case, one after another."""
    return {"results": [{"words": words, "n": n, "got": probe.encode(_counts(module.count_words(list(words), n)))}
                        for words, n in cases]}


def count_once(module, probe, words, n_threads):
    return {"got": probe.encode(_counts(module.count_words(list(words), n_threads)))}


def add_from_threads(module, probe, per_thread):
    """One Tally; one judge thread per list of words, each calling tally.add(word) for its words."""
    tally = module.Tally()

    def add_all(words):
        for w in words:
            tally.add(w)

    threads = [threading.Thread(target=add_all, args=(words,), name=f"adder-{k + 1}")
               for k, words in enumerate(per_thread)]
    probe.start_and_join(threads)
    return {"got": probe.encode(_counts(getattr(tally, "counts", None)))}


def one_thread(module, probe, words):
    """A new Tally, then add() from this thread only: what `counts` holds before and after."""
    tally = module.Tally()
    before = _counts(getattr(tally, "counts", None))
    for w in words:
        tally.add(w)
    return {"before": probe.encode(before), "after": probe.encode(_counts(getattr(tally, "counts", None))),
            "returned": probe.encode(_counts(module.count_words(list(words), 2)))}


def counting_threads(module, probe, words, n_threads):
    """count_words with words that note which thread looks them up (every dict or Counter that counts
    a word hashes it, so the threads that hash words are the ones that count) and a Tally.add that
    notes who calls it (for words turned into plain strings first), and the order in which the caller
    started and joined threads."""
    seen = set()
    calls = []
    main = threading.current_thread()

    class Word(str):
        __slots__ = ()

        def __hash__(self):
            seen.add(threading.current_thread().name)
            return str.__hash__(self)

    start, join = threading.Thread.start, threading.Thread.join
    tally_class = getattr(module, "Tally", None)
    add = getattr(tally_class, "add", None)
    if add is not None:
        def noted_add(self, word, *args, **kwargs):
            seen.add(threading.current_thread().name)
            return add(self, word, *args, **kwargs)

        setattr(tally_class, "add", noted_add)

    def noted_start(thread):
        if threading.current_thread() is main:
            calls.append("start")
        return start(thread)

    def noted_join(thread, *args, **kwargs):
        if threading.current_thread() is main:
            calls.append("join")
        return join(thread, *args, **kwargs)

    # setattr, not `Thread.start = ...`: an attribute this file assigns would become a scheduling
    # point wherever the student's code reads an attribute of that name, in every scenario.
    setattr(threading.Thread, "start", noted_start)
    setattr(threading.Thread, "join", noted_join)
    try:
        got = module.count_words([Word(w) for w in words], n_threads)
    finally:
        setattr(threading.Thread, "start", start)
        setattr(threading.Thread, "join", join)
        if add is not None:
            setattr(tally_class, "add", add)
    first_join = calls.index("join") if "join" in calls else len(calls)
    return {"got": probe.encode(_counts(got)), "counting_threads": sorted(seen - {main.name}),
            "started_before_first_join": calls[:first_join].count("start"), "starts": calls.count("start")}


def twice(module, probe, words, n_threads):
    first = _counts(module.count_words(list(words), n_threads))
    second = _counts(module.count_words(list(words), n_threads))
    return {"first": probe.encode(first), "second": probe.encode(second)}
