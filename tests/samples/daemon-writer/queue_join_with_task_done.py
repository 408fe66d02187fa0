import queue
import sys
import threading


def writer(q, path):
    with open(path, "w", encoding="utf-8") as f:
        while True:
            line = q.get()
            f.write(line + "\n")
            f.flush()
            q.task_done()


def main(path, n=100):
    q = queue.Queue()
    t = threading.Thread(target=writer, args=(q, path), daemon=True)
    t.start()
    for i in range(n):
        q.put(f"line {i}")
    q.join()  # every line is written, but the writer lives on, waiting in q.get()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
