"""integrity.Threads: the kernel's list of threads against what the harness accounts for, exactly and
without waiting. A thread that a start() has asked the OS for but that has not run its first line
yet is in the kernel's list only: counting it as unknown ended an honest answer `tampered` on a
loaded machine (it used to be asked for again for 100 ms, and a new thread could take longer)."""

from __future__ import annotations

import _thread
import os
import threading

import pytest

from grader.harness.child import integrity

pytestmark = pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="needs Linux's /proc/self/task")


class RawThread:
    """An OS thread that threading does not know, held at its first line until released: a thread
    between the kernel's list and its first line, for as long as the test needs."""

    def __init__(self, on_first_line=None) -> None:
        self.go, self.done, self.running = _thread.allocate_lock(), _thread.allocate_lock(), _thread.allocate_lock()
        self.go.acquire()
        self.done.acquire()
        self.running.acquire()
        self.on_first_line = on_first_line
        self.let_go = False
        _thread.start_new_thread(self._run, ())
        self.running.acquire()  # it exists in the kernel's list from here

    def _run(self) -> None:
        self.running.release()
        self.go.acquire()
        if self.on_first_line is not None:
            self.on_first_line()
        self.done.acquire()

    def first_line(self) -> None:
        self.go.release()
        self.let_go = True

    def end(self) -> None:
        if not self.let_go:
            self.first_line()
        self.done.release()


def _announced(threads: integrity.Threads) -> tuple[RawThread, threading.Event]:
    """A thread started as threading's start() does: announced first, and `started` at its first line."""
    started = threading.Event()

    def first_line():
        threads.started()
        started.set()

    threads.announced(1)
    return RawThread(first_line), started


def test_a_thread_announced_and_not_yet_running_is_not_unknown():
    threads = integrity.Threads()
    threads.start()
    raw, started = _announced(threads)
    try:
        assert threads.unknown() == 0  # before: 1, after asking the kernel again for 100 ms
        raw.first_line()
        started.wait()
        assert threads.unknown() == 0  # now by its id
        assert threads.starting == 0
    finally:
        raw.end()


def test_a_thread_nobody_announced_is_unknown_at_once():
    threads = integrity.Threads()
    threads.start()
    raw = RawThread()
    try:
        assert threads.unknown() == 1
        detail = threads.detail()  # the kernel's view of it, for the teacher's record
        assert len(detail["threads"]) == 1 and detail["starting"] == 0, detail
        tid, state = detail["threads"][0].split(" ")[:2]
        assert int(tid) not in {t.native_id for t in threading.enumerate()} and state in "RSD", detail
    finally:
        raw.end()


def test_a_start_the_os_refused_leaves_nothing_announced():
    threads = integrity.Threads()
    threads.start()
    threads.announced(1)
    threads.announced(-1)
    raw = RawThread()
    try:
        assert threads.unknown() == 1
    finally:
        raw.end()


def test_a_thread_of_the_last_run_that_leaves_threadings_list_late_is_not_unknown():
    """Seen in one run and still in the kernel's list when the next begins: it stays accounted for."""
    threads = integrity.Threads()
    threads.start()
    raw, started = _announced(threads)
    try:
        raw.first_line()
        started.wait()
        threads.start()  # the next run
        assert threads.unknown() == 0
    finally:
        raw.end()
