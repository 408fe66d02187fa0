"""Scenarios for race-counter; they run in the child, next to the student's module, and only observe."""

import threading


def _observed_counter(module, probe):
    """A subclass of the student's Counter that logs reads, writes, sleeps and overlapping calls."""
    base = module.Counter
    log = {"calls": 0, "inside": 0, "max_inside": 0, "reads": {}, "calls_detail": []}

    class Observed(base):
        @property
        def value(self):
            name = threading.current_thread().name
            log["reads"].setdefault(name, len(probe.sleeps(name)))
            return self.__dict__["_observed_value"]

        @value.setter
        def value(self, new):
            name = threading.current_thread().name
            read_at = log["reads"].pop(name, None)
            if read_at is not None:
                between = probe.sleeps(name)[read_at:]
                log["calls_detail"].append(sum(s["seconds"] for s in between))
            self.__dict__["_observed_value"] = new

        def decrement(self):
            log["calls"] += 1
            log["inside"] += 1
            log["max_inside"] = max(log["max_inside"], log["inside"])
            try:
                return super().decrement()
            finally:
                log["inside"] -= 1

    return Observed, log


def call_run(module, probe, n, start):
    Observed, log = _observed_counter(module, probe)
    module.Counter = Observed
    result = module.run(n, start)
    return {
        "result": probe.encode(result),
        "decrement_calls": log["calls"],
        "max_inside": log["max_inside"],
        "max_threads": probe.max_alive() - 1,  # not counting the scenario's own thread
        "work_between": log["calls_detail"],
    }


def run_cases(module, probe, cases, repeats):
    """run(n, start) for every case, `repeats` times each, fresh threads and counter each time."""
    return {"results": [[n, start, probe.encode(module.run(n, start))]
                        for n, start in cases for _ in range(repeats)]}


def judge_threads(module, probe, n, start):
    Observed, log = _observed_counter(module, probe)
    counter = Observed(start)
    threads = [threading.Thread(target=counter.decrement) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"value": probe.encode(counter.value), "work_between": log["calls_detail"]}
