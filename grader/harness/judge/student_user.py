"""The student's own user inside the container: children drop to it, and it is swept after each scenario.

The container's entry sets GRADER_STUDENT_UID/GID for the judge. Without them (the local sandbox)
children run as the judge's user and only their process group is killed.

No RLIMIT_NPROC: it counts a uid's processes across every container of the engine, so one
student's fork bomb would starve another's threads. The container's pids limit bounds processes,
and the judge (root with CAP_KILL) sweeps the student's user clean after each scenario.
"""

from __future__ import annotations

import os
import signal
import sys
from dataclasses import dataclass


@dataclass(frozen=True)
class StudentUser:
    uid: int
    gid: int

    @classmethod
    def from_env(cls) -> StudentUser | None:
        if "GRADER_STUDENT_UID" not in os.environ:
            return None
        return cls(int(os.environ["GRADER_STUDENT_UID"]), int(os.environ["GRADER_STUDENT_GID"]))

    def to_env(self) -> dict:
        return {"GRADER_STUDENT_UID": str(self.uid), "GRADER_STUDENT_GID": str(self.gid)}

    def kill_all(self) -> None:
        """SIGKILL every process of the student's user: daemons that left the process group included.

        Stop them all first, then kill: a stopped process cannot fork, so a fork bomb cannot
        outrun the sweep. Needs no fork of our own, which a fork bomb at the pids limit would refuse.
        """
        for _ in range(MAX_SWEEPS):
            pids = self._live_pids()
            if not pids:
                return
            for sig in (signal.SIGSTOP, signal.SIGKILL):
                for pid in pids:
                    try:
                        os.kill(pid, sig)
                    except (ProcessLookupError, PermissionError):
                        pass
        print(f"grader: processes of uid {self.uid} survived {MAX_SWEEPS} sweeps", file=sys.stderr)

    def _live_pids(self) -> list[int]:
        pids = []
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                if entry.stat().st_uid != self.uid:
                    continue
                with open(f"/proc/{entry.name}/stat", "rb") as fh:
                    state = fh.read().rsplit(b")", 1)[1].split()[0]
            except (OSError, IndexError):
                continue
            if state not in (b"Z", b"X"):  # zombies are dead already; init reaps them
                pids.append(int(entry.name))
        return pids


MAX_SWEEPS = 100
