"""Spins forever at import."""
while True:
    pass
