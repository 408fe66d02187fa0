import threading


def open_office(customers, desks, handle):
    """Serve every customer in its own thread by calling handle(customer); return the results in order."""
    results = [None] * len(customers)
    free_desks = threading.Semaphore(desks)

    def visit(i, customer):
        free_desks.acquire()
        results[i] = handle(customer)
        free_desks.release()

    threads = [threading.Thread(target=visit, args=(i, c)) for i, c in enumerate(customers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results
