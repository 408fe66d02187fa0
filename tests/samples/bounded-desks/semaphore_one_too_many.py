import threading


def open_office(customers, desks, handle):
    """Serve every customer in its own thread by calling handle(customer); return the results in order."""
    results = [None] * len(customers)
    free_desks = threading.Semaphore(desks + 1)

    def visit(i, customer):
        with free_desks:
            try:
                results[i] = handle(customer)
            except Exception:
                results[i] = None

    threads = [threading.Thread(target=visit, args=(i, c)) for i, c in enumerate(customers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results
