"""The child's side of the judge's HTTP server (grader.harness.judge.held_http): what the student's
code did with its connections, and when it had nothing left to do.

While installed, the socket class (gevent's once monkey-patched, the standard one otherwise) counts
each connection to the judge's port as it is opened (before the connect, so that a greenlet still
connecting is counted), with the OS thread and the student's line that opened it, and how much of
each response has been read. When gevent's hub in the scenario's thread finds nothing to do (an
idle watcher, armed again by every connect and read: every greenlet waits), the child tells the
server, over a connection of its own made with the unpatched `_socket`, what it has opened and read.
The server answers the next response only then (see held_http.py).
"""

from __future__ import annotations

import _socket
import _thread
import json
import socket
import sys
import weakref
from typing import Any, Literal

from . import gevent_support, sites

CONTROL = b"JUDGE-QUIET\r\n"  # the first line of the reporting connection (the server reads it)
WRAPPED = ("connect", "connect_ex", "recv", "recv_into", "close")


class HttpWatch:
    """`with HttpWatch(port) as watch:` around the student's call (or `watch.call(function, ...)`);
    `report()` then has each connection to the judge's port and the student's monkey.patch_* calls."""

    def __init__(self, port: int):
        self.port = port
        self.thread = _thread.get_native_id()  # the scenario's thread
        self.connections: list[dict] = []
        self._by_socket: weakref.WeakKeyDictionary[Any, dict] = weakref.WeakKeyDictionary()  # socket -> its record
        self._read: dict[int, int] = {}  # local port -> bytes read
        self._ended: set[int] = set()  # local ports read to the end, or closed
        self._seq = 0
        self._idle: Any = None  # gevent's idle watcher (gevent has no types)
        self._control: _socket.socket | None = None
        self._restore: list[tuple[type, str, object]] = []

    # -- install -----------------------------------------------------------------------------------
    def __enter__(self) -> HttpWatch:
        self._control = control = _socket.socket(_socket.AF_INET, _socket.SOCK_STREAM)
        control.connect(("127.0.0.1", self.port))
        control.sendall(CONTROL)
        for cls in _socket_classes():
            for name in WRAPPED:
                if hasattr(cls, name):
                    self._restore.append((cls, name, vars(cls).get(name)))
                    setattr(cls, name, self._wrap(name, getattr(cls, name)))
        try:
            from gevent import get_hub

            self._idle = get_hub().loop.idle(ref=False)
        except Exception:  # noqa: BLE001 - no gevent loop here: never quiet, the server's bound applies
            self._idle = None
        return self

    def __exit__(self, *exc) -> Literal[False]:
        for cls, name, original in reversed(self._restore):
            if original is None:
                delattr(cls, name)
            else:
                setattr(cls, name, original)
        if self._idle is not None:
            self._idle.stop()
        if self._control is not None:
            try:
                self._control.close()
            except OSError:
                pass
        return False

    def report(self) -> dict:
        return {"connections": self.connections, "patches": list(gevent_support.CALLS)}

    def call(self, function, *args, **kwargs) -> dict:
        """function(*args, **kwargs) watched: what it returned (encoded) or raised, and the report."""
        from .probe import encode

        try:
            outcome = {"outcome": "returned", "result": encode(function(*args, **kwargs))}
        except Exception as exc:  # noqa: BLE001 - whatever the student's code raised is the result
            outcome = {"outcome": "raised", "error": sites.student_error(exc)}
        return {**outcome, **self.report()}

    # -- observing ---------------------------------------------------------------------------------
    def _wrap(self, name, original):
        watch = self

        if name in ("connect", "connect_ex"):
            def connect(sock, address, *args, **kwargs):
                record = watch._opening(sock, address)
                try:
                    return original(sock, address, *args, **kwargs)
                finally:
                    if record is not None:
                        record["port"] = _local_port(sock)
                        watch._arm()
            return connect

        if name in ("recv", "recv_into"):
            def receive(sock, *args, **kwargs):
                result = original(sock, *args, **kwargs)
                record = watch._by_socket.get(sock)
                if record is not None and record["port"] is not None:
                    n = result if type(result) is int else len(result)
                    watch._read[record["port"]] = watch._read.get(record["port"], 0) + n
                    if n == 0:
                        watch._ended.add(record["port"])
                    watch._arm()
                return result
            return receive

        def close(sock, *args, **kwargs):
            record = watch._by_socket.get(sock)
            try:
                return original(sock, *args, **kwargs)
            finally:
                if record is not None and record["port"] is not None:
                    watch._ended.add(record["port"])
                    watch._arm()
        return close

    def _opening(self, sock, address) -> dict | None:
        if not (isinstance(address, tuple) and len(address) >= 2 and address[1] == self.port
                and address[0] in ("127.0.0.1", "localhost")):
            return None
        gevent = sys.modules.get("gevent")
        record = {"port": None, "scenario_thread": _thread.get_native_id() == self.thread,
                  # in a greenlet gevent started, not in a thread's own (main) greenlet
                  "in_greenlet": gevent is not None and isinstance(gevent.getcurrent(), gevent.Greenlet),
                  "site": sites.student_site(3)}
        self.connections.append(record)
        self._by_socket[sock] = record
        return record

    def _arm(self) -> None:
        if self._idle is not None and _thread.get_native_id() == self.thread and not self._idle.active:
            self._idle.start(self._quiet)

    def _quiet(self) -> None:
        """In gevent's hub: every greenlet waits. Tell the server what it can count on."""
        self._idle.stop()
        self._seq += 1
        message = {"seq": self._seq, "opened": len(self.connections), "read": self._read,
                   "ended": sorted(self._ended), "order": [c["port"] for c in self.connections]}
        try:
            if self._control is not None:
                self._control.sendall((json.dumps(message) + "\n").encode())
        except OSError:
            pass  # the server has gone: its bound ends the run


def _socket_classes() -> list[type]:
    """The classes a connection to the judge can be made with: socket.socket as it is now (gevent's
    after patch_socket) and gevent's own, if gevent.socket was imported without patching."""
    classes: list[type] = [socket.socket]
    gevent_socket = sys.modules.get("gevent._socket3")
    if gevent_socket is not None and gevent_socket.socket not in classes:
        classes.append(gevent_socket.socket)
    return classes


def _local_port(sock) -> int | None:
    try:
        return sock.getsockname()[1]
    except (OSError, IndexError, TypeError):
        return None
