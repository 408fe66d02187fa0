"""The judge's HTTP server for the crawler exercises: it decides when each response is sent.

"Every request was in flight at once" and "at most `limit` requests in flight" cannot be proven by
timing, and a result list built in completion order is wrong only when the responses come back in
another order than the URLs'. So the server holds every response and sends them one at a time, in
an order it chooses (the last URL of the pages is answered first), and only when the child is
quiet: every greenlet waits, nothing more will be asked until a response comes. The child says so
(grader.harness.child.http_watch: gevent's hub found nothing to do) with how many connections it
has opened and how much of each response it has read; the server waits until it has received every
one of those requests and the last response has been read whole, counts the requests it holds (the
requests in flight: nothing else can change), and answers the next. So a gevent answer is seen with
exactly as many requests in flight as it keeps, and finishes them in the server's order, on every
run.

A program whose waits the child cannot see (a blocking socket that was never patched, threads) is
never quiet: once `bound` real seconds pass with held requests and no word from the child, the
server answers everything held and from then on answers at once, and the run has shown how many
requests were in flight until then. A sequential program therefore costs one bound, not one per
URL. The bound is for liveness only; a gevent answer reports within milliseconds.

Pages are named by their path; a path in `fail` gets no response: its connection is closed as soon
as its turn comes. The server listens on 127.0.0.1 where the children are (a socket the fork server
made in their network namespace), so URLs use an IP address and no resolver is involved.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from dataclasses import dataclass, field

from ..child.http_watch import CONTROL
from . import fork_client
from .child_runner import minimal_env

# A second reporting connection while one is open: not the watch's (one per run, connected before
# the student's function is called, closed with the run's child). Whoever opened it wrote the
# watch's first line to pass for it; the plugin ends each check of this judge `tampered`.
FORGED: list[dict] = []

MAX_HEAD = 16 * 1024
MAX_CONNECTIONS = 256  # a program opening more is answered by closed connections, not judge threads
HELD, ANSWERED, CLOSED = "held", "answered", "closed"


@dataclass
class Ticket:
    """One request, in the order the server received it."""

    seq: int
    path: str
    port: int  # the client's port: how the child's report names the connection
    conn: socket.socket = field(repr=False)
    state: str = HELD
    # what is sent, once answered (the child reports how much it has read)
    response: bytes = field(default=b"", repr=False)
    release: threading.Event = field(default_factory=threading.Event, repr=False)


@dataclass
class Quiet:
    """The child's last word: what it had opened and read when it found nothing to do."""

    opened: int = 0
    read: dict = field(default_factory=dict)  # client port -> bytes read
    ended: set = field(default_factory=set)  # client ports read to the end or closed
    order: list = field(default_factory=list)  # client ports in the order the child opened them
    seq: int = -1


class HeldHttpServer:
    def __init__(self, pages: dict[str, int], *, fail=(), bound: float = 5.0):
        """`pages`: path -> body size (the body is that many bytes); `fail`: paths closed unanswered."""
        self.pages = dict(pages)
        self.fail = set(fail)
        self.bound = bound
        self._listener = fork_client.server(minimal_env()).listen_loopback()
        self.port = self._listener.getsockname()[1]
        self._cond = threading.Condition()
        self._closed = False
        self.tickets: list[Ticket] = []
        self.answer_order: list[str] = []  # paths, in the order their turn came
        self.in_flight: list[int] = []  # requests held at each decision (answering one, or giving up)
        self.gave_up = False  # the bound passed without the child being quiet
        self.reports = 0
        self._quiet = Quiet()
        self._last_progress = time.monotonic()
        self._accepted = 0
        self._controls = 0  # reporting connections open now: the watch's, one at a time
        self._answered_at = -1  # the report an answer was decided on; the next one needs a newer report
        for target in (self._accept_loop, self._decide_loop):
            threading.Thread(target=target, daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}/{path.lstrip('/')}"

    @property
    def max_in_flight(self) -> int:
        return max(self.in_flight, default=0)

    def summary(self) -> dict:
        """What the server saw, as plain data for the verdicts."""
        with self._cond:
            return {"requests": [t.path for t in self.tickets], "answer_order": list(self.answer_order),
                    "in_flight": list(self.in_flight), "max_in_flight": self.max_in_flight,
                    "gave_up": self.gave_up, "reports": self.reports,
                    "unanswered": [t.path for t in self.tickets if t.state == HELD]}

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()
            for ticket in self.tickets:
                ticket.release.set()
        self._listener.close()

    # ----------------------------------------------------------------- connections
    def _accept_loop(self) -> None:
        while not self._closed:
            try:
                conn, peer = self._listener.accept()
            except OSError:
                return
            self._accepted += 1
            if self._accepted > MAX_CONNECTIONS:
                conn.close()
                continue
            threading.Thread(target=self._serve, args=(conn, peer[1]), daemon=True).start()

    def _serve(self, conn: socket.socket, port: int) -> None:
        with conn:
            head = _read_head(conn)
            if head is None:
                return
            if head.startswith(CONTROL):
                with self._cond:
                    self._controls += 1
                    alone = self._controls == 1
                try:
                    if alone:
                        self._read_reports(conn, head[len(CONTROL):])
                    else:
                        FORGED.append({"what": "forged_report", "port": self.port})
                finally:
                    with self._cond:
                        self._controls -= 1
                return
            try:
                method, target = head.split(b"\r\n", 1)[0].split(b" ")[:2]
                path = target.decode("ascii", "replace").split("?", 1)[0].lstrip("/")
            except ValueError:
                return
            with self._cond:
                ticket = Ticket(seq=len(self.tickets), path=path, port=port, conn=conn)
                self.tickets.append(ticket)
                self._progress()
            ticket.release.wait()
            if self._closed or ticket.state == CLOSED:
                return
            try:
                conn.sendall(ticket.response)
                conn.shutdown(socket.SHUT_WR)
                conn.recv(1)  # until the client closes: the response is wholly in its hands
            except OSError:
                pass

    def _read_reports(self, conn: socket.socket, pending: bytes) -> None:
        buffer = pending
        while True:
            while b"\n" in buffer:
                line, buffer = buffer.split(b"\n", 1)
                try:
                    message = json.loads(line)
                    quiet = Quiet(opened=int(message["opened"]),
                                  read={int(k): int(v) for k, v in message["read"].items()},
                                  ended={int(p) for p in message["ended"]},
                                  order=[p for p in message["order"] if type(p) is int], seq=int(message["seq"]))
                except (ValueError, KeyError, TypeError, AttributeError):
                    continue
                with self._cond:
                    self._quiet = quiet
                    self.reports += 1
                    self._progress()
            try:
                data = conn.recv(65536)
            except OSError:
                return
            if not data:
                return
            buffer += data

    # ----------------------------------------------------------------- decisions
    def _progress(self) -> None:
        self._last_progress = time.monotonic()
        self._cond.notify_all()

    def _held(self) -> list[Ticket]:
        return [t for t in self.tickets if t.state == HELD]

    def _settled(self) -> bool:
        """The child is quiet since the last answer: every request it opened is here, and every
        answered one has been read whole (or closed)."""
        quiet = self._quiet
        if quiet.opened > len(self.tickets):
            return False
        for ticket in self.tickets:
            if ticket.state == HELD:
                continue
            done = ticket.port in quiet.ended or (
                ticket.state == ANSWERED and quiet.read.get(ticket.port, 0) >= len(ticket.response))
            if not done:
                return False
        return quiet.seq > self._answered_at

    def _decide_loop(self) -> None:
        with self._cond:
            while not self._closed:
                held = self._held()
                if not held:
                    self._cond.wait()
                    continue
                if self.gave_up:
                    for ticket in held:
                        self._answer(ticket)
                    continue
                if self._settled():
                    self.in_flight.append(len(held))
                    self._answered_at = self._quiet.seq
                    self._answer(max(held, key=self._turn))
                    continue
                left = self._last_progress + self.bound - time.monotonic()
                if left <= 0:
                    self.gave_up = True
                    self.in_flight.append(len(held))
                    continue
                self._cond.wait(left)

    def _turn(self, ticket: Ticket) -> tuple:
        """Which held request is answered first: the last URL in the pages' order (then the last
        opened), so that finishing order is never the URLs' order. Not the order of arrival here,
        which the server's threads decide."""
        paths = list(self.pages)
        order = self._quiet.order
        return (paths.index(ticket.path) if ticket.path in self.pages else -1,
                order.index(ticket.port) if ticket.port in order else -1)

    def _answer(self, ticket: Ticket) -> None:
        self.answer_order.append(ticket.path)
        if ticket.path in self.fail:
            ticket.state = CLOSED
        else:
            ticket.state = ANSWERED
            ticket.response = _response(self.pages.get(ticket.path))
        ticket.release.set()


def _response(size: int | None) -> bytes:
    """A page of `size` bytes, or a 404 for a path that is not one of the pages."""
    status, body = (b"200 OK", b"x" * size) if size is not None else (b"404 Not Found", b"")
    return (b"HTTP/1.1 " + status + b"\r\nContent-Type: text/plain\r\nContent-Length: " + str(len(body)).encode()
            + b"\r\nConnection: close\r\n\r\n" + body)


def _read_head(conn: socket.socket) -> bytes | None:
    """The request's head (up to the blank line), or the control line and what followed it."""
    data = b""
    while b"\r\n\r\n" not in data and not data.startswith(CONTROL):
        try:
            chunk = conn.recv(4096)
        except OSError:
            return None
        if not chunk:
            return None
        data += chunk
        if len(data) > MAX_HEAD:
            return None
    return data
