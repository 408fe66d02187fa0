"""Fixed with threading.local: each thread counts its own, the totals are added after join."""
import threading

local = threading.local()


def work(per_thread, totals):
    local.count = 0
    for _ in range(per_thread):
        local.count += 1
    totals.append(local.count)


def main(n_threads=2, per_thread=3):
    totals = []
    threads = [threading.Thread(target=work, args=(per_thread, totals)) for _ in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(totals)
