import gevent
from gevent.queue import Queue


def worker(name, tasks, done):
    # Greenlets switch only where they yield: between empty() and get() no other greenlet can run,
    # so checking first and taking after is safe here (with threads it is not: see queue-drain).
    while not tasks.empty():
        task = tasks.get()
        done.append((name, task))
        gevent.sleep(0)  # yield: let the other greenlets take their turn


def run_workers(n_tasks, names):
    """Let one greenlet per name share n_tasks tasks; return [(name, task), ...] in the order done."""
    tasks = Queue()
    for i in range(n_tasks):
        tasks.put(i)
    done = []
    # spawn the function with its arguments: gevent calls it later, in the new greenlet
    gevent.joinall([gevent.spawn(worker, names[0], tasks, done)])
    return done
