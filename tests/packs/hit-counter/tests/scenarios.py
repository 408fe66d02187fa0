"""Scenarios for the hit-counter test pack."""

import threading


def hit_from_threads(module, probe, threads, hits):
    counter = module.Hits()

    def work():
        for _ in range(hits):
            counter.hit()

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    return {"count": probe.encode(counter.count)}


def fresh(module, probe):
    return {"count": probe.encode(module.Hits().count)}
