import gevent
from gevent.queue import Queue


def worker(name, tasks, done):
    for task in list(tasks.queue):  # a copy of what is waiting: nothing is taken out
        done.append((name, task))
        gevent.sleep(0)


def run_workers(n_tasks, names):
    """Let one greenlet per name share n_tasks tasks; return [(name, task), ...] in the order done."""
    tasks = Queue()
    for i in range(n_tasks):
        tasks.put(i)
    done = []
    gevent.joinall([gevent.spawn(worker, name, tasks, done) for name in names])
    return done
