import threading


def open_office(customers, desks, handle):
    """Serve every customer in its own thread by calling handle(customer); return the results in order."""
    results = [None] * len(customers)
    changed = threading.Condition()
    busy = 0

    def visit(i, customer):
        nonlocal busy
        with changed:
            changed.wait_for(lambda: busy < desks)
            busy += 1
        try:
            results[i] = handle(customer)
        except Exception:
            results[i] = None
        finally:
            with changed:
                busy -= 1
                changed.notify()

    threads = [threading.Thread(target=visit, args=(i, c)) for i, c in enumerate(customers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results
