"""The judge-supplied `check` function handed to student pools: reports each call to the judge.

Picklable by reference (a class in an importable module), so pool workers can run it. Each call
connects to the judge's rendezvous server, says which process it is in, waits for the server's
"go" (the server holds the first callers, bounded, until two processes are inside at once), then
computes a function the judge can count on its own. Without an address it only computes: a
picklable `work` for cases that check results, not overlap.
"""

from __future__ import annotations

import json
import os
import socket

PREDICATES = {
    "multiple_of_3": lambda n: n % 3 == 0,
    "odd": lambda n: n % 2 == 1,
    "square": lambda n: n * n,
}


class RendezvousCheck:
    def __init__(self, address: str | None, predicate: str = "multiple_of_3", wait_limit: float = 30.0):
        self.address = address
        self.predicate = predicate
        self.parent_pid = os.getpid()  # the scenario's process: calls here are not parallel
        self.wait_limit = wait_limit

    def __call__(self, n):
        if self.address is None:
            return PREDICATES[self.predicate](n)
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.wait_limit)
        try:
            sock.connect(self.address)
            message = {"pid": os.getpid(), "item": n if isinstance(n, int) else repr(n),
                       "in_parent": os.getpid() == self.parent_pid}
            sock.sendall(json.dumps(message).encode() + b"\n")
            read_line(sock)  # "go"
            result = PREDICATES[self.predicate](n)
            # Leave only once the server has counted us out: otherwise the next call, in another
            # process, could arrive before the server saw this one end, and look like overlap.
            sock.sendall(b"done\n")
            read_line(sock)  # "bye"
            return result
        finally:
            sock.close()

    def __repr__(self):
        return f"<judge check {self.predicate}>"


def read_line(sock: socket.socket) -> bytes:
    """One line from the judge's server (the protocol alternates, so nothing past it is read)."""
    data = b""
    while not data.endswith(b"\n"):
        chunk = sock.recv(256)
        if not chunk:
            break
        data += chunk
    return data
