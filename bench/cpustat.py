"""Where the CPU went during a bench's window, from the kernel's own counters (Linux only):

- the whole machine's busy time (/proc/stat: everything but idle and iowait);
- the grading containers' (Docker's cgroup v1 `cpuacct` for all containers; those that were already
  running when the window opened and are still there are taken out: they are not ours);
- named processes' own time (utime + stime of every thread; a process that ends inside the window
  takes its time with it, so what cannot be named is left as "other").

snap() takes a snapshot; used(a, b) gives CPU seconds per part between two snapshots.
"""

from __future__ import annotations

import time
from pathlib import Path

from grader import procfs

DOCKER_CPUACCT = Path("/sys/fs/cgroup/cpuacct/docker")


def busy_seconds() -> float:
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields[:8]) - idle) / procfs.HZ  # user nice system idle iowait irq softirq steal


def kernel_seconds() -> float:
    """The machine's system, irq and softirq time (a part of busy_seconds)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return (fields[2] + fields[5] + fields[6]) / procfs.HZ


def pids_named(name: str) -> list[int]:
    """Processes whose command name is `name` (read only: to count their CPU)."""
    found = []
    for comm in Path("/proc").glob("[0-9]*/comm"):
        try:
            if comm.read_text().strip() == name:
                found.append(int(comm.parent.name))
        except OSError:
            continue
    return found


def _containers() -> dict[str, int]:
    """Docker's total and each running container's CPU, nanoseconds."""
    if not (DOCKER_CPUACCT / "cpuacct.usage").exists():
        return {}
    out = {"": int((DOCKER_CPUACCT / "cpuacct.usage").read_text())}
    for child in DOCKER_CPUACCT.iterdir():
        try:
            out[child.name] = int((child / "cpuacct.usage").read_text())
        except (OSError, ValueError):
            continue
    return out


def snap(groups: dict[str, list[int]]) -> dict:
    """groups: a part's name -> the pids whose own CPU counts as that part."""
    return {"t": time.monotonic(), "busy": busy_seconds(), "kernel": kernel_seconds(), "containers": _containers(),
            "groups": {name: {pid: procfs.cpu_seconds(pid) for pid in pids} for name, pids in groups.items()}}


def used(a: dict, b: dict) -> dict:
    """CPU seconds between snapshots a and b: machine (busy), containers, each group, other; and
    the window's length (wall), and how much of the machine's time was the kernel's."""
    out = {"wall": b["t"] - a["t"], "machine": b["busy"] - a["busy"]}
    if a["containers"] and b["containers"]:
        theirs = sum(b["containers"][k] - a["containers"][k] for k in a["containers"]
                     if k and k in b["containers"])
        out["containers"] = (b["containers"][""] - a["containers"][""] - theirs) / 1e9
    for name, before in a["groups"].items():
        after = b["groups"].get(name, {})
        out[name] = sum(max(0.0, after.get(pid, 0.0) - t) for pid, t in before.items())
    out["other"] = out["machine"] - sum(v for k, v in out.items() if k not in ("wall", "machine"))
    out["machine_in_kernel"] = b["kernel"] - a["kernel"]  # of "machine": system, irq, softirq, whoever's
    return {k: round(v, 2) for k, v in out.items()}


def server_groups(postmaster_pid: int | None, redis_pid: int | None) -> dict[str, list[int]]:
    """PostgreSQL (the postmaster and its backends), Redis, and Docker's daemons."""
    groups: dict[str, list[int]] = {"docker_daemons": pids_named("dockerd") + pids_named("containerd")}
    if postmaster_pid:
        groups["postgres"] = [postmaster_pid, *procfs.children(postmaster_pid)]
    if redis_pid:
        groups["redis"] = [redis_pid]
    return groups


def postmaster_pid(pgdata: Path) -> int | None:
    try:
        return int((pgdata / "postmaster.pid").read_text().splitlines()[0])
    except (OSError, ValueError, IndexError):
        return None
