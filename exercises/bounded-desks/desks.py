import threading


def open_office(customers, desks, handle):
    """Serve every customer in its own thread by calling handle(customer); return the results in order.

    TODO: the office has only `desks` desks: never more than `desks` calls of handle() at once.
    """
    results = [None] * len(customers)

    def visit(i, customer):
        results[i] = handle(customer)

    threads = [threading.Thread(target=visit, args=(i, c)) for i, c in enumerate(customers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results
