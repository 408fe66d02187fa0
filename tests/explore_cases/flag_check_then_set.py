"""if not started: started = True; work(): two threads can both see False and both work."""
import threading

started = False
runs = []


def start_once():
    global started
    if not started:
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
