import sys


def writer(q, path):
    """Not needed: main() writes the file itself."""


def main(path, n=100):
    with open(path, "w", encoding="utf-8") as f:
        for i in range(n):
            f.write(f"line {i}\n")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
