"""The container's shared writable places, /tmp and /dev/shm: what a student's user left there
is removed after each exercise, and an exercise that left one of them full is counted.

Both are small tmpfs mounts every lane writes to (scenario folders, multiprocessing's semaphores),
so an exercise that fills one can make another one's writes fail. lanes.py treats a full place
like any other limit hit: whatever ran beside it is judged again alone, after the sweep.
"""

from __future__ import annotations

import os
import subprocess
import threading
from typing import Any

PLACES = ("/tmp", "/dev/shm")
FULL_BELOW = 1024 * 1024  # bytes free: less than a student's ordinary file needs


class Scratch:
    def __init__(self, places: tuple[str, ...] = PLACES):
        self.places = places
        self.full_count = 0  # grows each time an exercise left a place full
        self._lock = threading.Lock()

    def sweep(self, uid: int, gid: int) -> None:
        """Count a full place, then remove every top-level entry the user owns in each place.

        Run as that user: the judge has no CAP_FOWNER, and /tmp's sticky bit lets only a file's
        owner remove it. Called after the user's processes are all gone, so nothing refills it.
        """
        full = any(_free(place) < FULL_BELOW for place in self.places)
        if full:
            with self._lock:
                self.full_count += 1
        existing = [place for place in self.places if os.path.isdir(place)]
        if not existing:
            return
        as_user: dict[str, Any] = {} if uid == os.geteuid() else {"user": uid, "group": gid, "extra_groups": []}
        try:
            subprocess.run(["find", *existing, "-mindepth", "1", "-maxdepth", "1", "-user", str(uid),
                            "-exec", "rm", "-rf", "--", "{}", "+"],
                           cwd="/",  # find goes back to where it started: the user cannot enter /io/judge
                           stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           timeout=60, check=False, **as_user)
        except (OSError, subprocess.SubprocessError):
            with self._lock:  # leftovers may stay: count it, so what runs beside is judged again alone
                self.full_count += 1


def _free(place: str) -> int:
    try:
        stats = os.statvfs(place)
    except OSError:
        return FULL_BELOW  # not there: nothing to fill
    return stats.f_bavail * stats.f_frsize
