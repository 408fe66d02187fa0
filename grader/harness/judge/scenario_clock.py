"""How long a scenario has had to run, whatever else the machine is doing: the backstop's clock.

A check's backstop ends a run that hangs: a loop the scheduler cannot see, real processes that
never finish. Counted in real seconds, it also ends a correct run on a loaded machine (a pool of
spawned processes, each a fresh interpreter, waiting for a core behind two other judges), and the
same file gets another grade. So the clock reads the run's processes (the scenario's child and
everything below it, their threads included) in /proc at each tick:

- while any of them is runnable, it advances by the CPU time they received (at most the tick's
  real time): a busy loop still reaches the backstop after that much computing, however loaded
  the machine is, and a starved run is not charged for the cores it did not get;
- while all of them are blocked or asleep (a deadlock between processes, a real sleep), it
  advances in real time, as nothing anyone else does would make them go faster;
- a stopped process (SIGSTOP) advances nothing.

Where /proc cannot be read (macOS, GRADER_PORTABLE), it is a real-time clock, as before. The
child's own faulthandler keeps a real-time outer limit (bootstrap.py), so a run is never endless.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

from ... import procfs

TICK = 0.25  # seconds between looks at /proc while a result is awaited


class ScenarioClock:
    def __init__(self, root_pid: int | None, now: Callable[[], float] = time.monotonic):
        self.root_pid = root_pid  # the scenario's child, as this process sees it (None: a real-time clock)
        self._now = now
        self.elapsed = 0.0
        self._last = now()
        self._cpu = self._sample()[0] if self._readable() else 0.0

    def restart(self) -> None:
        """From zero again (the student's code is about to run)."""
        self.elapsed = 0.0
        self._last = self._now()
        if self._readable():
            self._cpu = self._sample()[0]

    def advance(self) -> float:
        """Look at the processes now; return the seconds the run has had since restart()."""
        now = self._now()
        wall, self._last = max(now - self._last, 0.0), now
        if not self._readable():
            self.elapsed += wall
            return self.elapsed
        cpu, states = self._sample()
        received, self._cpu = max(cpu - self._cpu, 0.0), cpu  # an exited process takes its share along
        if "R" in states:
            self.elapsed += min(wall, received)
        elif not states or states - {"T", "t"}:
            self.elapsed += wall  # all blocked or asleep (or gone: the child is leaving)
        return self.elapsed

    def _readable(self) -> bool:
        return (self.root_pid is not None and not os.environ.get("GRADER_PORTABLE")
                and Path(f"/proc/{self.root_pid}/task").is_dir())

    def _sample(self) -> tuple[float, set[str]]:
        """The CPU seconds the child and its descendants have used, and their threads' states."""
        cpu, states = 0.0, set[str]()
        assert self.root_pid is not None
        for pid in [self.root_pid, *procfs.descendants(self.root_pid)]:
            stat = procfs.stat_fields(f"/proc/{pid}/stat")
            if stat is None:
                continue  # gone meanwhile
            cpu += (int(stat[11]) + int(stat[12])) / procfs.HZ  # utime, stime: every thread's
            if stat[0] != "R":  # the process's first thread is not running: look at the others
                states.update(procfs.thread_states(pid))
            else:
                states.add("R")
        return cpu, states


def child_as_seen_here(server_pid: int | None, child_pid: int, namespaced: bool) -> int | None:
    """The scenario child's pid in this process's /proc. A sandboxed fork server's pids are its PID
    namespace's: the child is the server's descendant whose innermost pid (NSpid) is `child_pid`."""
    if not namespaced:
        return child_pid
    for pid in procfs.descendants(server_pid):
        try:
            with open(f"/proc/{pid}/status", "rb") as f:
                line = next((raw for raw in f if raw.startswith(b"NSpid:")), b"")
        except OSError:
            continue
        if line.split()[-1:] == [str(child_pid).encode()] and len(line.split()) > 2:
            return pid
    return None
