"""Holding a student's processes at multiprocessing queue operations, so that racy orders happen on
every run, and recording what the parent did with its processes.

Real processes are not the scheduler's to switch, so a relay whose reader is terminated too early, or
polls `empty()` before the writers start, would lose values on some runs and not others. The judge
makes the unlucky order the only one, and never holds a process that somebody waits for:

- writers go late, one at a time: a process whose target is named `writer_name` (the exercise's
  `write`) waits before each `put` until the parent joins (or asks `is_alive` of) that writer or the
  reader, or reads a queue; and a join lets a writer go only once a reader already started has
  asked its queue for the first time (or ended);
- the reader goes late (optional): a process whose target is named `reader_name` waits before each
  blocking `get` until the parent reads or puts on a queue, or joins (or asks about) the reader, or a
  writer waits on `JoinableQueue.join()` for it;
- once let go, a writer still puts only in a turn, while a reader (started by fork, not ended, not
  waiting at its hold) runs: the reader gives one turn each time it waits in a blocking `get` with
  nothing in the pipe, or is told that nothing is there (an `empty()` that says True, a `qsize()` of
  0, a `get_nowait()` or a `get` with a time limit that raises Empty); a turn is one put, done once
  the value is in the pipe (a writer's feeder thread sends it after `put` returns). Before the
  reader asks about the queue, and after each get, it takes back the turns nobody took and waits
  for the puts made in the others: what it then finds is decided. Which writer takes a turn is left
  to chance; how many values there are is not.

So a reader that polls `empty()` finds it empty, a sentinel put before the writers are joined comes
first, a reader that stops at the first writer's sentinel misses the next writer's values, a
reader that stops when the queue looks empty after a value (the writers sleeping between two puts)
has that one value, and a reader terminated once the writers are joined has forwarded nothing, on
every run, with the reader held (`hold_reader`) or not; an answer that waits for the right thing is
only held until it does: a blocking get, and every "empty" answer to a poller, gives a writer a turn.
A get with a time limit is a question: it is answered from what is in the pipe, and with nothing
there its time runs out at once (the writers wait for a turn, which that answer gives), so a reader
that stops on the first timeout stops early on every run, and one that asks again loses no time.

What the parent put on a queue is in the queue's pipe before a writer is let go (a Queue's feeder
thread sends it later, and a writer let go at once could otherwise be first): so a sentinel put
before the writers are joined is taken before any writer's value, on every run.

The signals are pipes written once and never read: once a byte is in, select() reports the pipe
readable to every process forever, a broadcast that a terminated process cannot break (a
multiprocessing.Condition's notify waits for each sleeper to wake, and a killed one never does).
Processes started by the spawn or forkserver methods inherit none of this: they are not held (and
a reader started so gives no turns: the writers do not wait for them). A second reader leaves the
turns to chance (it is a wrong answer of its own); so does the report, once the student's function
has returned. The turns are a pipe of tokens (a writer takes one with a non-blocking read, so two
writers woken for one token do not both put) and a pipe that counts the puts done.
Children note what they did (a hold, an `empty()` answer, a `qsize()`, a get that found nothing) as
JSON lines appended to a file, which the parent reads back for the judge.
"""

from __future__ import annotations

import json
import os
import queue
import select
import tempfile

from . import primitives, sites

WRITERS, READER = "writers", "reader"


class _Flag:
    """A one-way, cross-process, sticky signal: set once, seen by every process from then on."""

    def __init__(self):
        self._read, self._write = os.pipe()
        self._seen = False

    def set(self) -> None:
        if not self.is_set():
            try:
                os.write(self._write, b"!")
            except OSError:  # pragma: no cover - the pipe is ours and never full
                pass
            self._seen = True

    def is_set(self) -> bool:
        if not self._seen:
            self._seen = bool(select.select([self._read], [], [], 0)[0])
        return self._seen

    @staticmethod
    def wait_any(*flags: _Flag) -> None:
        if not any(flag.is_set() for flag in flags):
            select.select([flag._read for flag in flags], [], [])


class _SentCount:
    """How many of the parent's puts on one Queue its feeder thread has sent into the pipe (or
    dropped, unpicklable), so that the parent can wait until all of them are in, without a timer.

    The feeder counts and writes a byte to a non-blocking pipe; the waiter drains the pipe and looks
    at the count again, so a wake-up is never lost (a byte that does not fit means the pipe already
    holds some)."""

    def __init__(self, queue):
        self.put = self.sent = 0
        self._read, self._write = os.pipe()
        os.set_blocking(self._write, False)
        send, on_error = queue._send_bytes, queue._on_queue_feeder_error

        def counted_send(data):
            try:
                return send(data)
            finally:
                self._count()

        def counted_error(error, obj):
            self._count()
            return on_error(error, obj)

        # The feeder thread takes both when it starts, at the queue's first put.
        queue._send_bytes, queue._on_queue_feeder_error = counted_send, counted_error

    def _count(self) -> None:
        self.sent += 1  # only the queue's one feeder thread writes it
        try:
            os.write(self._write, b"+")
        except OSError:
            pass

    def wait_all_sent(self, unless: tuple[_Flag, ...] = ()) -> None:
        """Until every put is sent, or one of the flags `unless` is set."""
        while self.sent < self.put and not any(flag.is_set() for flag in unless):
            if self._read in select.select([self._read] + [flag._read for flag in unless], [], [])[0]:
                os.read(self._read, 65536)


class _Turns:
    """Turns to put, given by the reader and taken by the writers, one put each, across processes.

    A pipe of tokens: the reader writes one to give a turn, a writer reads one to take it (the read
    end is non-blocking, so that of two writers woken for one token one takes it and the other waits
    again), and the reader takes back the tokens nobody took. A second pipe counts the puts done:
    a writer writes a byte once its value is in the queue's pipe."""

    def __init__(self):
        self._tokens, self._give = os.pipe()
        self._done_read, self._done = os.pipe()
        for fd in (self._tokens, self._give, self._done_read, self._done):
            os.set_blocking(fd, False)

    def give(self) -> bool:
        try:
            return os.write(self._give, b"t") == 1
        except OSError:  # pragma: no cover - full: thousands of turns nobody took
            return False

    def take(self, *wake: _Flag) -> bool:
        """Wait for a turn and take it (True), or until one of the flags `wake` is set (False)."""
        while True:
            try:
                if os.read(self._tokens, 1):
                    return True
            except BlockingIOError:
                pass
            if any(flag.is_set() for flag in wake):
                return False
            select.select([self._tokens] + [flag._read for flag in wake], [], [])

    def put_done(self) -> None:
        try:
            os.write(self._done, b"d")
        except OSError:  # pragma: no cover - the reader drains it at every question
            pass

    @staticmethod
    def _drain(fd: int) -> int:
        n = 0
        while True:
            try:
                got = len(os.read(fd, 65536))
            except BlockingIOError:
                return n
            if not got:
                return n
            n += got

    def take_back(self) -> int:
        """The turns given and not taken, taken back: how many."""
        return self._drain(self._tokens)

    def wait_done(self, n: int, *wake: _Flag) -> None:
        """Until `n` more puts are done, or one of the flags `wake` is set."""
        while True:
            n -= self._drain(self._done_read)
            if n <= 0 or any(flag.is_set() for flag in wake):
                return
            select.select([self._done_read] + [flag._read for flag in wake], [], [])


class ProcessOrder:
    """Install the holds and the records for one scenario run (patches the classes: call once)."""

    def __init__(self, writer_name: str = "write", reader_name: str = "read", hold_reader: bool = True):
        import multiprocessing.process as mpp
        import multiprocessing.queues as mpq

        self.parent = os.getpid()
        self.writer_name, self.reader_name, self.hold_reader = writer_name, reader_name, hold_reader
        self.go = {WRITERS: _Flag(), READER: _Flag()}
        self.reader_began = _Flag()  # the reader's first get or empty() has been asked
        self.reader_started = _Flag()  # a reader was started (by fork: it takes part in the turns)
        self.reader_held = _Flag()  # the reader waited at the hold before a get (it stays there until go)
        self.reader_ended = _Flag()  # the reader's target returned or raised, or the parent stopped it
        self.unordered = _Flag()  # no turns any more: a second reader was started, or the report is made
        self.turns = _Turns()
        self._given = 0  # in the reader: turns given since it last settled
        self._mine: dict[int, _SentCount] = {}  # in a writer: what its own Queues' feeders sent
        self.started: list[dict] = []
        self.terminated: list[dict] = []
        self.qsize_calls: list[dict] = []
        self._by_id: dict[int, dict] = {}
        self._processes: list = []
        self._role = None  # this process's role, set in each child when it starts
        self._own = None  # this writer's own go-ahead, set in each child when it starts
        self._sent: dict[int, _SentCount] = {}  # the parent's Queues, by id: what their feeders sent
        self._keep: list = []
        # In the run's working folder, which the judge removes with the child.
        fd, self._log_path = tempfile.mkstemp(prefix="grader-processes-", suffix=".jsonl", dir=os.getcwd())
        os.close(fd)
        self._install(mpp.BaseProcess, mpq)

    # -- in the child: holds and notes ------------------------------------------------------------
    def _note(self, **event) -> None:
        event.update(pid=os.getpid(), role=self._role, site=sites.student_site(3))
        line = (json.dumps(event, default=str) + "\n").encode()
        try:
            fd = os.open(self._log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        except OSError:
            return  # the folder is gone (student code may delete files): the note is lost, not the run
        try:
            os.write(fd, line)  # one write of a short line: appends from processes never interleave
        finally:
            os.close(fd)

    def _hold(self, role: str, op: str) -> None:
        flags = [self.go[role]] + ([self._own] if self._own is not None else [])
        if not any(flag.is_set() for flag in flags):
            self._note(event="held", op=op)
            if role == READER:
                self.reader_held.set()
            _Flag.wait_any(*flags)

    # -- in the children: turns between the writers and the reader ----------------------------------
    def _writers_free(self) -> bool:
        """Whether a writer may put without a turn: no reader could see when it does (none started
        by fork, it ended, or it waits at the hold before a get, which only the parent ends)."""
        return (not self.reader_started.is_set() or self.reader_ended.is_set() or self.unordered.is_set()
                or (self.reader_held.is_set() and not self.go[READER].is_set()))

    def _take_turn(self) -> bool:
        """In a writer let go: wait for a turn from the reader (True), unless writers are free."""
        while not self._writers_free():
            wake = [self.reader_ended, self.unordered] + ([] if self.go[READER].is_set() else [self.reader_held])
            if self.turns.take(*wake):
                return True
        return False

    def _put_in_turn(self, put, q, args, kwargs, count: _SentCount | None):
        """One put in a turn: done once the value is in the queue's pipe (a Queue's feeder thread
        sends it after put returns), so that the reader's next question finds it there."""
        try:
            result = put(q, *args, **kwargs)
            if count is not None:
                count.put += 1
                count.wait_all_sent(unless=(self.reader_ended, self.unordered))
            return result
        finally:
            self.turns.put_done()

    def _own_count(self, queue) -> _SentCount | None:
        count = self._mine.get(id(queue))
        if count is None and getattr(queue, "_thread", None) is None:
            count = self._mine[id(queue)] = _SentCount(queue)
            self._keep.append(queue)
        return count

    def _give_turn(self) -> None:
        """In the reader, waiting in a get with nothing to take, or told that nothing is there."""
        if not self.unordered.is_set() and self.turns.give():
            self._given += 1

    def _settle(self) -> None:
        """In the reader, before it asks about the queue and after each get: every turn it gave is
        taken back, or the put made in it is in the pipe; what it then finds is decided."""
        if self._given:
            self._given -= self.turns.take_back()
            if self._given > 0:
                self.turns.wait_done(self._given, self.unordered)
            self._given = 0

    def _in_parent(self) -> bool:
        return os.getpid() == self.parent

    # -- in the parent: releases ------------------------------------------------------------------
    def _release(self, *roles: str, flush: bool = True) -> None:
        if WRITERS in roles and flush:
            self._flush_parent_puts()
        for role in sorted(roles, key=lambda role: role != READER):
            self.go[role].set()  # the reader first: a writer let go must not find it still held

    def _flush_parent_puts(self) -> None:
        """Before a writer may put, what the parent put is in the pipes, ahead of it."""
        for count in self._sent.values():
            count.wait_all_sent()

    def _release_for(self, process) -> None:
        """The parent waits for (or asks about) `process`: whatever it needs may go."""
        record = self._by_id.get(id(process))
        if record is not None and record["role"] == WRITERS:
            self._let_reader_begin()
            self._flush_parent_puts()
            record["go"].set()  # that writer only: the others wait for their own join
        else:
            self._release(WRITERS, READER)

    def _let_reader_begin(self) -> None:
        """Before a writer may put, a reader already started asks the queue first (or ends): so a
        reader that polls empty() or get_nowait() finds nothing, on every run."""
        if self.reader_began.is_set():
            return
        for process, record in zip(self._processes, self.started):
            if record["role"] == READER and record["pid"] is not None and _alive(process):
                select.select([self.reader_began._read, process.sentinel], [], [])
                return

    def _roles_of(self, process) -> str | None:
        name = getattr(getattr(process, "_target", None), "__name__", None)
        return WRITERS if name == self.writer_name else READER if name == self.reader_name else None

    def _install(self, BaseProcess, mpq) -> None:
        order = self
        original = {name: getattr(BaseProcess, name) for name in ("start", "join", "is_alive", "terminate", "kill")}

        def start(process):
            record = order._record(process)  # before start(), which forgets the target
            result = original["start"](process)
            record["pid"] = process.pid
            if record["role"] == READER and type(getattr(process, "_popen", None)).__module__.endswith("popen_fork"):
                # A reader started by fork gives the turns; a second one leaves them to chance.
                (order.unordered if order.reader_started.is_set() else order.reader_started).set()
            return result

        def run_as(process, *args, **kwargs):
            # Runs first in the new process (fork): learn the role before the target runs.
            record = order._by_id.get(id(process), {})
            order._role, order._own = record.get("role"), record.get("go")
            order._given, order._mine = 0, {}
            if order._role == READER:
                run = process.run

                def run_reader():
                    try:
                        return run()
                    finally:
                        order.reader_ended.set()  # its target is done with the queue: writers go free

                process.run = run_reader
            return original_bootstrap(process, *args, **kwargs)

        def join(process, timeout=None):
            if order._in_parent():
                order._release_for(process)
            result = original["join"](process, timeout)
            record = order._by_id.get(id(process))
            if record is not None and process.exitcode is not None:
                record["joined"] = True
            return result

        def is_alive(process):
            if order._in_parent():
                order._release_for(process)
            return original["is_alive"](process)

        def stopper(name):
            def stop(process):
                if order._in_parent():
                    record = order._by_id.get(id(process))
                    alive = original["is_alive"](process)
                    order.terminated.append({"how": name, "site": sites.student_site(),
                                             "target": record["target"] if record else None, "alive": alive})
                    result = original[name](process)
                    if record is not None and record["role"] == READER and alive:
                        select.select([process.sentinel], [], [])  # gone: no turns from it any more
                        order.reader_ended.set()
                    return result
                return original[name](process)
            return stop

        self._original_join = original["join"]
        original_bootstrap = BaseProcess._bootstrap
        BaseProcess.start = primitives.untraced(start)
        BaseProcess._bootstrap = run_as
        BaseProcess.join = primitives.untraced(join)
        BaseProcess.is_alive = primitives.untraced(is_alive)
        BaseProcess.terminate = primitives.untraced(stopper("terminate"))
        BaseProcess.kill = primitives.untraced(stopper("kill"))

        for cls in (mpq.Queue, mpq.SimpleQueue):
            self._patch_queue(cls, mpq)

    def _patch_queue(self, cls, mpq) -> None:
        order = self
        get, put, empty = cls.get, cls.put, cls.empty

        def patched_get(q, *args, **kwargs):
            if order._in_parent():
                order._release(WRITERS, READER)
            elif order._role == READER:
                if not _blocking(cls, args, kwargs):
                    # A question (get_nowait, or a get with a time limit): answered from what is in
                    # the pipe, as no writer puts without a turn; a "nothing there" gives one. A time
                    # limit runs out at once then, as if the machine had stalled that long (no writer
                    # could put meanwhile): a reader that asks again pays no real time per value.
                    order._settle()
                    try:
                        if not order._writers_free() and empty(q):
                            raise queue.Empty
                        return get(q, *args, **kwargs)
                    except queue.Empty:
                        order._note(event="get_empty", how="nowait" if not _waits(args, kwargs) else "timeout")
                        order._give_turn()
                        raise
                    finally:
                        order.reader_began.set()  # answered before any writer could put
                order.reader_began.set()
                if order.hold_reader:
                    order._hold(READER, "get")
                order._settle()
                if empty(q):
                    order._give_turn()  # waits with nothing to take: one writer may put one value
                try:
                    return get(q, *args, **kwargs)
                finally:
                    order._settle()
            return get(q, *args, **kwargs)

        def patched_put(q, *args, **kwargs):
            if order._in_parent():
                order._release(READER)  # a sentinel from the parent; the writers still wait
                count = order._sent_count(q) if isinstance(q, mpq.Queue) else None
                result = put(q, *args, **kwargs)
                if count is not None:
                    count.put += 1  # it reached the buffer (a full or closed queue raised above)
                return result
            elif order._role == WRITERS:
                order._hold(WRITERS, "put")
                # Counted from its first put, before its feeder starts, whether in a turn or not.
                count = order._own_count(q) if isinstance(q, mpq.Queue) else None
                if order._take_turn():
                    return order._put_in_turn(put, q, args, kwargs, count)
                result = put(q, *args, **kwargs)
                if count is not None:
                    count.put += 1
                return result
            return put(q, *args, **kwargs)

        def patched_empty(q):
            reader = not order._in_parent() and order._role == READER
            if reader:
                order._settle()
            answer = empty(q)
            if not order._in_parent():
                order._note(event="empty", answer=answer)
            if reader:
                if answer:
                    order._give_turn()
                order.reader_began.set()
            return answer

        cls.get, cls.put, cls.empty = (primitives.untraced(patched_get), primitives.untraced(patched_put),
                                       primitives.untraced(patched_empty))
        if cls is mpq.Queue:
            qsize = cls.qsize

            def patched_qsize(q):
                if order._in_parent():
                    order.qsize_calls.append({"site": sites.student_site()})
                    return qsize(q)
                order._note(event="qsize")
                if order._role != READER:
                    return qsize(q)
                order._settle()
                size = qsize(q)
                if size == 0:
                    order._give_turn()
                return size

            def patched_join(q):
                if not order._in_parent() and order._role == WRITERS:
                    order._release(READER)  # a writer waiting for its items to be taken
                return joinable_join(q)

            joinable_join = mpq.JoinableQueue.join
            cls.qsize = primitives.untraced(patched_qsize)
            mpq.JoinableQueue.join = primitives.untraced(patched_join)

    def _sent_count(self, queue) -> _SentCount | None:
        """The count of what `queue`'s feeder sent, set up before its first put starts the feeder
        (a queue whose feeder already runs, from before the judge was installed, is not counted)."""
        count = self._sent.get(id(queue))
        if count is None and getattr(queue, "_thread", None) is None:
            count = self._sent[id(queue)] = _SentCount(queue)
            self._keep.append(queue)  # ids stay unique while the queue is referenced
        return count

    # -- records ------------------------------------------------------------------------------------
    def _record(self, process) -> dict:
        target = getattr(process, "_target", None)
        args = list(getattr(process, "_args", ()) or ()) + list((getattr(process, "_kwargs", {}) or {}).values())
        record = {"pid": None, "target": getattr(target, "__name__", None) if target else None,
                  "class": type(process).__name__, "role": self._roles_of(process),
                  "args": [_kind(a) for a in args], "site": sites.student_site(), "joined": False,
                  "go": _Flag() if self._roles_of(process) == WRITERS else None}
        self._by_id[id(process)] = record
        self._processes.append(process)  # kept referenced: the verdict reads each one's exit code
        self.started.append(record)
        return record

    def child_events(self) -> list[dict]:
        try:
            with open(self._log_path, encoding="utf-8") as fh:
                return [json.loads(line) for line in fh if line.strip()][:200]
        except (OSError, ValueError):
            return []

    def report(self, settle_within: float = 5.0) -> dict:
        """What the parent did with its processes, and what the children noted; plain JSON.

        Called once the student's function has returned. Whether each process was joined is already
        known; to tell how each one ended, the processes left running get `settle_within` real
        seconds to end (the holds are lifted first: nobody is left to wait for), so a process on its
        way out is not mistaken for one that never ends. A bound for liveness, like the backstop's;
        no verdict depends on how fast anything was."""
        self.unordered.set()
        self._release(WRITERS, READER, flush=False)  # nothing is ordered any more; never wait here
        processes = []
        for process, record in zip(self._processes, self.started):
            if _alive(process):  # not is_alive(): asking must not release a hold
                self._original_join(process, settle_within)
            alive = _alive(process)
            plain = {k: v for k, v in record.items() if k != "go"}
            processes.append({**plain, "alive": alive, "exitcode": None if alive else process.exitcode})
        return {"processes": processes, "terminated": self.terminated, "qsize_calls": self.qsize_calls,
                "child_events": self.child_events()}


def _alive(process) -> bool:
    popen = getattr(process, "_popen", None)
    return popen is not None and popen.poll() is None


def _blocking(cls, args, kwargs) -> bool:
    """Whether a get() waits with no limit: Queue.get(block=True, timeout=None); SimpleQueue.get()."""
    if cls.__name__ == "SimpleQueue":
        return True
    block = args[0] if args else kwargs.get("block", True)
    timeout = args[1] if len(args) > 1 else kwargs.get("timeout")
    return bool(block) and timeout is None


def _waits(args, kwargs) -> bool:
    """Whether a Queue.get() may wait at all (block=True, with or without a time limit)."""
    return bool(args[0] if args else kwargs.get("block", True))


def _kind(value) -> str:
    """How an argument reads in a verdict: its type's name (a list, a Queue, a str...)."""
    return type(value).__name__
