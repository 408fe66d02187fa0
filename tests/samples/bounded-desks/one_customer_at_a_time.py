import threading


def open_office(customers, desks, handle):
    """Serve every customer in its own thread by calling handle(customer); return the results in order."""
    results = [None] * len(customers)

    def visit(i, customer):
        try:
            results[i] = handle(customer)
        except Exception:
            results[i] = None

    for i, c in enumerate(customers):
        t = threading.Thread(target=visit, args=(i, c))
        t.start()
        t.join()
    return results
