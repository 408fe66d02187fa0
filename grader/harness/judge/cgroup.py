"""The container's own cgroup counters, read from inside it: how often it hit its limits.

A count only grows. Where nobody counts (the local sandbox, no cgroup mounted), every count is 0.
"""

from __future__ import annotations

OOM_COUNTERS = (
    ("/sys/fs/cgroup/memory.events", "oom_kill"),  # cgroup v2
    ("/sys/fs/cgroup/memory/memory.oom_control", "oom_kill"),  # cgroup v1
)
FORK_REFUSALS = (
    ("/sys/fs/cgroup/pids.events", "max"),  # cgroup v2
    ("/sys/fs/cgroup/pids/pids.events", "max"),  # cgroup v1
)
# Every event where the container reached a limit it shares between everything in it: memory
# (a kill, or an allocation that found no memory left) and processes (a fork refused).
LIMIT_COUNTERS = (
    ("/sys/fs/cgroup/memory.events", ("oom", "oom_kill")),
    ("/sys/fs/cgroup/pids.events", ("max",)),
    ("/sys/fs/cgroup/memory/memory.oom_control", ("oom_kill",)),
    ("/sys/fs/cgroup/pids/pids.events", ("max",)),
)


def _read(path: str) -> dict[str, int]:
    counts = {}
    try:
        with open(path, encoding="ascii") as fh:
            for line in fh:
                name, _, value = line.partition(" ")
                try:
                    counts[name] = int(value)
                except ValueError:
                    continue
    except OSError:
        pass
    return counts


def _first_count(counters: tuple[tuple[str, str], ...]) -> int:
    """The count of the first (file, key) this cgroup has (v2 or v1); 0 where none is mounted."""
    for path, key in counters:
        counts = _read(path)
        if key in counts:
            return counts[key]
    return 0


def oom_kills() -> int:
    """How many processes the OOM killer has killed in this cgroup so far."""
    return _first_count(OOM_COUNTERS)


def forks_refused() -> int:
    """How many times this cgroup refused a new process or thread (its pids limit) so far.

    A fork storm against that limit slows every container on the machine (each refused fork is
    kernel work on shared locks), so the host judges again whoever was graded beside one."""
    return _first_count(FORK_REFUSALS)


def limit_events() -> tuple[int, ...]:
    """Every limit counter of the container now; two readings differ if it hit a limit in between."""
    readings = []
    for path, keys in LIMIT_COUNTERS:
        counts = _read(path)
        readings += [counts.get(key, 0) for key in keys]
    return tuple(readings)
