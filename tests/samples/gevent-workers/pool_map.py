from functools import partial

import gevent
from gevent.pool import Pool
from gevent.queue import Queue


def worker(name, tasks, done):
    while not tasks.empty():
        task = tasks.get()
        done.append((name, task))
        gevent.sleep(0)


def run_workers(n_tasks, names):
    """Let one greenlet per name share n_tasks tasks; return [(name, task), ...] in the order done."""
    tasks = Queue()
    for i in range(n_tasks):
        tasks.put(i)
    done = []
    pool = Pool(max(len(names), 1))
    pool.map(partial(worker, tasks=tasks, done=done), names)
    return done
