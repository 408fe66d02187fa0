"""counter += 1 in threads started with _thread.start_new_thread (issue 24): the scheduler sees them
as it sees threading's, so the lost update is found. A semaphore says when they are done."""
import _thread
import threading

counter = 0


def work(per_thread, done):
    global counter
    for _ in range(per_thread):
        counter += 1
    done.release()


def main(n_threads=2, per_thread=3):
    global counter
    counter = 0
    done = threading.Semaphore(0)
    for _ in range(n_threads):
        _thread.start_new_thread(work, (per_thread, done))
    for _ in range(n_threads):
        done.acquire()
    return counter
