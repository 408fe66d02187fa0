"""Tries the internet and the Docker host at import; stops the whole run if any connection works."""
import socket

REACHED = []
for host, port in (("1.1.1.1", 80), ("deb.debian.org", 80), ("pypi.org", 443), ("172.17.0.1", 2375),
                   ("172.17.0.1", 22), ("host.docker.internal", 80)):
    try:
        socket.create_connection((host, port), timeout=2).close()
        REACHED.append((host, port))
    except OSError:
        pass
if REACHED:
    raise SystemExit(f"network reached: {REACHED}")
