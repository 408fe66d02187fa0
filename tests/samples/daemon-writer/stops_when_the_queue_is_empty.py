import queue
import sys
import threading


def writer(q, path):
    with open(path, "w", encoding="utf-8") as f:
        while True:
            try:
                line = q.get_nowait()
            except queue.Empty:
                return  # nothing left: done?
            f.write(line + "\n")


def main(path, n=100):
    q = queue.Queue()
    t = threading.Thread(target=writer, args=(q, path))
    t.start()
    for i in range(n):
        q.put(f"line {i}")
    t.join()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
