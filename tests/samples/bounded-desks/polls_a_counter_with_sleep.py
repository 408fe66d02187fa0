import threading
import time


def open_office(customers, desks, handle):
    """Serve every customer in its own thread by calling handle(customer); return the results in order."""
    results = [None] * len(customers)
    lock = threading.Lock()
    busy = [0]  # desks in use

    def visit(i, customer):
        while True:
            with lock:
                if busy[0] < desks:
                    busy[0] += 1
                    break
            time.sleep(0.1)  # all desks taken: look again soon
        try:
            results[i] = handle(customer)
        except Exception:
            results[i] = None
        finally:
            with lock:
                busy[0] -= 1

    threads = [threading.Thread(target=visit, args=(i, c)) for i, c in enumerate(customers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results
