"""Racy: the reader waits 50 ms for the gate, then goes ahead anyway; the data may not be there yet."""
import threading


def main():
    gate = threading.Event()
    data = []
    seen = []

    def reader():
        gate.wait(0.05)
        seen.append(list(data))

    t = threading.Thread(target=reader)
    t.start()
    data.append(1)
    gate.set()
    t.join()
    return seen[0]
