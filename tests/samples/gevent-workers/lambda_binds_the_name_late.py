import gevent
from gevent.queue import Queue


def worker(name, tasks, done):
    while not tasks.empty():
        task = tasks.get()
        done.append((name, task))
        gevent.sleep(0)  # yields after each task


def run_workers(n_tasks, names):
    tasks = Queue()
    for i in range(n_tasks):
        tasks.put(i)
    done = []
    # each lambda reads `name` when it runs: by then the loop has ended, so every one says the last name
    jobs = [gevent.spawn(lambda: worker(name, tasks, done)) for name in names]
    gevent.joinall(jobs)
    return done
