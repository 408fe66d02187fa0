"""Two locks taken in opposite orders, no sleep between the acquires."""
import threading

a = threading.Lock()
b = threading.Lock()


def one():
    with a:
        with b:
            pass


def two():
    with b:
        with a:
            pass


def main():
    t1, t2 = threading.Thread(target=one), threading.Thread(target=two)
    t1.start()
    t2.start()
    t1.join()
    t2.join()
    return "done"
