"""Fixed: the check and the set under one lock."""
import threading

started = False
runs = []
lock = threading.Lock()


def start_once():
    global started
    with lock:
        if started:
            return
        started = True
    runs.append("work")


def main():
    global started
    started = False
    runs.clear()
    threads = [threading.Thread(target=start_once) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return len(runs)
