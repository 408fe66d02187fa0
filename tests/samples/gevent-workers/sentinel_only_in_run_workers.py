import gevent
from gevent.queue import Queue


def worker(name, tasks, done):
    while True:
        task = tasks.get()
        if task is None:  # the stop sign run_workers puts in, one per worker
            return
        done.append((name, task))
        gevent.sleep(0)


def run_workers(n_tasks, names):
    """Let one greenlet per name share n_tasks tasks; return [(name, task), ...] in the order done."""
    tasks = Queue()
    for i in range(n_tasks):
        tasks.put(i)
    for _ in names:
        tasks.put(None)
    done = []
    gevent.joinall([gevent.spawn(worker, name, tasks, done) for name in names])
    return done
