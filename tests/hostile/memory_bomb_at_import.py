"""Allocates (and touches) memory without end at import."""
hoard = []
while True:
    hoard.append(b"x" * (64 * 1024 * 1024))
