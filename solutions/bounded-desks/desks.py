import threading


def open_office(customers, desks, handle):
    """Serve every customer in its own thread by calling handle(customer); return the results in order.

    The office has only `desks` desks: never more than `desks` calls of handle() at once.
    """
    results = [None] * len(customers)
    free_desks = threading.BoundedSemaphore(desks)  # one unit per desk

    def visit(i, customer):
        with free_desks:  # wait for a desk; it is given back even if handle() raises
            try:
                results[i] = handle(customer)
            except Exception:
                results[i] = None  # this customer got no result; the others are still served

    threads = [threading.Thread(target=visit, args=(i, c)) for i, c in enumerate(customers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results
