import gevent
from gevent.queue import Queue


def worker(name, tasks, done):
    while not tasks.empty():
        gevent.sleep(0)  # yields between the check and the get: another greenlet may take the last task
        task = tasks.get()
        done.append((name, task))


def run_workers(n_tasks, names):
    tasks = Queue()
    for i in range(n_tasks):
        tasks.put(i)
    done = []
    gevent.joinall([gevent.spawn(worker, name, tasks, done) for name in names])
    return done
