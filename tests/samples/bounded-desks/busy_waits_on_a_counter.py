import threading


def open_office(customers, desks, handle):
    """Serve every customer in its own thread by calling handle(customer); return the results in order."""
    results = [None] * len(customers)
    busy = [0]  # desks in use

    def visit(i, customer):
        while busy[0] >= desks:
            pass  # wait for a free desk
        busy[0] += 1
        try:
            results[i] = handle(customer)
        except Exception:
            results[i] = None
        finally:
            busy[0] -= 1

    threads = [threading.Thread(target=visit, args=(i, c)) for i, c in enumerate(customers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results
