import os
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import cpu_count


def long_time_task(i, folder, lines=1000):
    path = os.path.join(folder, f"report-{i}.txt")
    with open(path, "w") as f:
        for j in range(lines):
            f.write(str(j) + "\n")
    return path


def make_reports(n, folder, workers=None, task=long_time_task):
    """Run task(i, folder) for i in range(n) in a pool; return {i: path of task i's file}."""
    with ProcessPoolExecutor(workers or cpu_count()) as ex:  # its exit waits for every task
        futures = {i: ex.submit(task, i, folder) for i in range(n)}
    errors = {i: f.exception() for i, f in futures.items() if f.exception() is not None}
    if errors:
        raise errors[min(errors)]
    return {i: f.result() for i, f in futures.items()}
