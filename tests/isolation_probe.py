"""Student code that looks for a way out of the local sandbox, then stops with what it saw.

tests/test_local_isolation.py puts `CONFIG = {...}` in front of this file and grades it with
`--sandbox local`. It runs at import, in every scenario child; it prints one `OBSERVED {json}` line
(an import that stops keeps its output in the report) and exits. Whatever hidden test source it can
read goes into that output, so a leak also reaches the report.
"""
import glob
import json
import os
import resource
import socket
import sys

CONFIG = globals().get("CONFIG", {})
HIDDEN_NAMES = ("scenarios.py", "conftest.py", "plan.json")
leaked = {}


def take(path):
    """Read a file that looks like a hidden test; remember its source."""
    name = os.path.basename(path)
    if not (name.startswith("test_") or name in HIDDEN_NAMES) or path in leaked:
        return
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            leaked[path] = fh.read()
    except OSError:
        pass


def look_in(folder, deep=True):
    """A folder, its tests/ and (deep) any pack's tests/ below it: a few levels, never a whole tree."""
    patterns = ("*.py", "tests/*.py") + (("*/tests/*.py", "exercises/*/tests/*.py") if deep else ())
    for pattern in patterns:
        for path in glob.glob(os.path.join(glob.escape(folder), pattern)):
            take(path)


def ancestors(path):
    path = os.path.dirname(os.path.abspath(path))
    while True:
        yield path
        parent = os.path.dirname(path)
        if parent == path:
            return
        path = parent


# 1. The pack's tests folder, by the absolute path the judge uses.
look_in(CONFIG.get("tests_dir", "/nonexistent"))
# 2. Walking up from this file, and from the harness's own files (the project's checkout).
starts = [__file__] + [getattr(m, "__file__", None) or "" for n, m in list(sys.modules.items())
                       if n.startswith("grader")]
for start in {s for s in starts if s}:
    for folder in ancestors(start):
        look_in(folder)
# 3. Through /proc: every process's command line, working folder, root and open folders.
proc_pids = sorted(int(p) for p in os.listdir("/proc") if p.isdigit())
for pid in proc_pids:
    base = f"/proc/{pid}"
    try:
        with open(f"{base}/cmdline", "rb") as fh:
            args = [a.decode(errors="replace") for a in fh.read().split(b"\0") if a]
    except OSError:
        args = []
    for arg in args:
        if arg.startswith("/") and os.path.isdir(arg):
            look_in(arg)
        elif arg.startswith("/") and os.path.isfile(arg):
            look_in(os.path.dirname(arg), deep=False)
    for link in ("cwd", "root"):
        look_in(f"{base}/{link}", deep=False)
        look_in(f"{base}/{link}{CONFIG.get('tests_dir', '/nonexistent')}")
    try:
        fds = os.listdir(f"{base}/fd")
    except OSError:
        fds = []
    for fd in fds:
        if os.path.isdir(f"{base}/fd/{fd}"):
            look_in(f"{base}/fd/{fd}", deep=False)

# The network: a port the test listens on, on the host's loopback.
try:
    with socket.create_connection(("127.0.0.1", CONFIG.get("port", 9)), timeout=2):
        network = "connected"
except OSError as exc:
    network = type(exc).__name__

# Short, so that it and the start of any leaked source fit in the 8 KiB of output a report keeps.
observed = {
    "leaked": len(leaked),
    "leaked_paths": sorted(leaked)[:5],
    "pid": os.getpid(),
    "ppid": os.getppid(),
    "proc_pids": proc_pids[:20],
    "tmp_marker_visible": os.path.exists(CONFIG.get("tmp_marker", "/nonexistent")),
    "tmp": sorted(os.listdir("/tmp"))[:10],
    "work": sorted(os.listdir(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))[:10],
    "network": network,
    "rlimits": {name: resource.getrlimit(getattr(resource, name))[0]
                for name in ("RLIMIT_AS", "RLIMIT_FSIZE", "RLIMIT_NOFILE", "RLIMIT_CORE", "RLIMIT_CPU")},
}
print("OBSERVED " + json.dumps(observed))
for path, source in sorted(leaked.items(), key=lambda item: "/tests/" not in item[0]):
    print(f"LEAKED {path}:\n{source}")
raise SystemExit(3)
