import os
from multiprocessing import Pool, cpu_count


def long_time_task(i, folder, lines=1000):
    path = os.path.join(folder, "process_text.txt")  # every task writes the same file
    with open(path, "w") as f:
        for j in range(lines):
            f.write(str(j) + "\n")
    return path


def make_reports(n, folder, workers=None, task=long_time_task):
    """Run task(i, folder) for i in range(n) in a pool; return {i: path of task i's file}."""
    results, errors = {}, {}
    p = Pool(workers or cpu_count())
    for i in range(n):
        p.apply_async(task, args=(i, folder),
                      callback=lambda value, i=i: results.__setitem__(i, value),
                      error_callback=lambda exc, i=i: errors.__setitem__(i, exc))
    p.close()
    p.join()
    if errors:
        raise errors[min(errors)]
    return results
