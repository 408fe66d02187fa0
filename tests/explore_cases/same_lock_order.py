"""Fixed: both threads take the locks in the same order."""
import threading

a = threading.Lock()
b = threading.Lock()


def one():
    with a:
        with b:
            pass


def two():
    with a:
        with b:
            pass


def main():
    t1, t2 = threading.Thread(target=one), threading.Thread(target=two)
    t1.start()
    t2.start()
    t1.join()
    t2.join()
    return "done"
