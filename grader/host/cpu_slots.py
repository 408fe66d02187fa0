"""CPU slots: which CPU each judge running on this machine pins its scenario children to.

A scenario child runs one thread at a time and pins itself to one CPU, where handing the baton
over costs a tenth of what it costs across CPUs (harness/child/install.pin_to_one_cpu). Two judges
pinned to the same CPU take turns on it while another CPU idles; chosen at random, two containers
on a 2-core host shared one CPU half the time. So every judge
running on this machine holds a slot of its own while it runs: a worker's judges, a second worker,
a batch beside the site, the local sandbox's self-checks. The slots are lock files in one folder
every grader on the machine shares, taken with flock: a slot is free again as soon as its holder
lets it go or dies, and nothing needs cleaning up.

With more judges than CPUs, or where the folder cannot be used (or on Windows, which has no flock),
the extra judges get a random slot (what they had before). The slots coordinate the judges of this
machine only: with a remote Docker engine (DOCKER_HOST), containers of other machines take no part.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import tempfile
from collections.abc import Iterator
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: no flock, so no slots are held and each judge's is random, as before
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

FOLDER_NAME = "grader-cpu-slots"


def cpu_count() -> int:
    """The CPUs this process may run on (a container's or a cgroup's limit included)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        return os.cpu_count() or 1


@contextlib.contextmanager
def cpu_slots(count: int, *, cpus: int | None = None, folder: Path | None = None) -> Iterator[list[int]]:
    """`count` slots (numbers below `cpus`), distinct from those every other holder on this machine
    holds now where enough are free; held until the block ends."""
    cpus = cpus or cpu_count()
    folder = folder or Path(tempfile.gettempdir()) / FOLDER_NAME
    held: list[int] = []  # descriptors
    slots: list[int] = []
    try:
        for slot in range(cpus):
            if len(slots) == count:
                break
            fd = _try_lock(folder, slot)
            if fd is not None:
                held.append(fd)
                slots.append(slot)
        # Every CPU taken (or no folder): the rest share one at random, as before there were slots.
        slots += [secrets.randbelow(cpus) for _ in range(count - len(slots))]
        yield slots
    finally:
        for fd in held:
            os.close(fd)  # releases its lock


def _try_lock(folder: Path, slot: int) -> int | None:
    """A descriptor holding slot's lock, or None if another holds it or the folder is unusable."""
    if fcntl is None:
        return None
    try:
        if not folder.is_dir():
            folder.mkdir()
            folder.chmod(0o1777)  # as /tmp: graders of other users on the machine use it too
        # Read-only is enough for flock, so a slot file another user made can be taken as well.
        fd = os.open(folder / f"slot-{slot}", os.O_RDONLY | os.O_CREAT | os.O_CLOEXEC, 0o444)
    except OSError as exc:
        log.debug("CPU slot %s not usable: %s", slot, exc)
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd
