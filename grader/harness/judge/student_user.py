"""The student's own user inside the container: children drop to it, and it is swept after each scenario.

The container's entry sets GRADER_STUDENT_UID/GID for the judge. Without them (the local sandbox)
children run as the judge's user and only their process group is killed.

No RLIMIT_NPROC: it counts a uid's processes across every container of the engine, so one
student's fork bomb would starve another's threads. The container's pids limit bounds processes.
"""

from __future__ import annotations

import os
import signal
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class StudentUser:
    uid: int
    gid: int

    @classmethod
    def from_env(cls) -> "StudentUser | None":
        if "GRADER_STUDENT_UID" not in os.environ:
            return None
        return cls(int(os.environ["GRADER_STUDENT_UID"]), int(os.environ["GRADER_STUDENT_GID"]))

    def to_env(self) -> dict:
        return {"GRADER_STUDENT_UID": str(self.uid), "GRADER_STUDENT_GID": str(self.gid)}

    def popen_kwargs(self) -> dict:
        return {"user": self.uid, "group": self.gid, "extra_groups": []}

    def kill_all(self) -> None:
        """SIGKILL every process of the student's user: daemons that left the process group included.

        A forked helper becomes the student's user and calls kill(-1), which reaches exactly the
        processes that user owns (never the judge, never init), so the judge needs no CAP_KILL.
        """
        pid = _fork()
        if pid == 0:  # pragma: no cover - runs in the helper
            try:
                os.setgroups([])
                os.setgid(self.gid)
                os.setuid(self.uid)
                os.kill(-1, signal.SIGKILL)
            except OSError:
                pass
            finally:
                os._exit(0)
        os.waitpid(pid, 0)


def _fork() -> int:
    """fork(), retried while a fork bomb's last processes are still being reaped (EAGAIN)."""
    for _ in range(200):
        try:
            return os.fork()
        except BlockingIOError:
            time.sleep(0.01)
    return os.fork()
