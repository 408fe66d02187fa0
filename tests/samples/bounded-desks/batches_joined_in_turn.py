import threading


def open_office(customers, desks, handle):
    """Serve every customer in its own thread by calling handle(customer); return the results in order."""
    results = [None] * len(customers)

    def visit(i, customer):
        try:
            results[i] = handle(customer)
        except Exception:
            results[i] = None

    threads = [threading.Thread(target=visit, args=(i, c)) for i, c in enumerate(customers)]
    for start in range(0, len(threads), desks):
        batch = threads[start:start + desks]  # one customer per desk
        for t in batch:
            t.start()
        for t in batch:
            t.join()
    return results
