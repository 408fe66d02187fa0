import queue
import sys
import threading

STOP = None  # put after the last line: the writer ends when it takes it


def writer(q, path):
    with open(path, "a", encoding="utf-8") as f:
        while True:
            line = q.get()
            if line is STOP:
                return
            f.write(line + "\n")


def main(path, n=100):
    q = queue.Queue()
    t = threading.Thread(target=writer, args=(q, path))
    t.start()
    for i in range(n):
        q.put(f"line {i}")
    q.put(STOP)
    t.join()  # main() returns only once every line is written and the writer has ended


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
