import threading


def open_office(customers, desks, handle):
    """Serve every customer in its own thread by calling handle(customer); return the results in order."""
    results = [None] * len(customers)
    free_desks = threading.Semaphore(desks)

    def visit(i, customer):
        try:
            results[i] = handle(customer)
        except Exception:
            results[i] = None
        finally:
            free_desks.release()  # the desk main took for this customer

    threads = []
    for i, c in enumerate(customers):
        free_desks.acquire()  # wait for a free desk before letting the next customer in
        t = threading.Thread(target=visit, args=(i, c))
        t.start()
        threads.append(t)
    for t in threads:
        t.join()
    return results
