import queue
import sys
import threading


def writer(q, path):
    with open(path, "w", encoding="utf-8") as f:
        while True:
            line = q.get()
            f.write(line + "\n")
            f.flush()


def main(path, n=100):
    q = queue.Queue()
    t = threading.Thread(target=writer, args=(q, path))  # not a daemon: the program waits for it
    t.start()
    for i in range(n):
        q.put(f"line {i}")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
