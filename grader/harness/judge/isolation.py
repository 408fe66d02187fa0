"""The local sandbox's isolation of student code: the judge's fork server runs inside bubblewrap.

One `bwrap` per judge process wraps the fork server (fork_client.py), so every scenario child it
forks inherits the sandbox at the cost of a fork, as before: a bwrap per child would cost a fresh
interpreter each time. The judge itself (pytest, the hidden tests, its report) stays outside.

What the sandbox holds is a whitelist, not the host's `/` read-only with the project masked: a
mask has to name every place a hidden test can be (packs may live anywhere, a copy may sit in
another checkout, a home folder holds the rest), and whatever it forgets is readable; a whitelist
forgets the other way. Mounted, all at the same paths as outside, so no path needs translating:

- read-only: `/usr` (and `/bin`, `/lib*`, `/sbin` as on the host: symlinks into it or binds), the few
  files of `/etc` that the dynamic linker and the C library read, Python's prefixes (the venv and
  the interpreter it came from), the harness alone (`grader/__init__.py`, `grader/pipes.py`,
  `grader/harness/`), and the student's folder (holding only the student's file);
- `scratch/children`, read-write: the judge makes each child's working folder in it;
- `scratch/sockets`, read-only: the rendezvous sockets (connecting needs no write access to the
  mount), so a student cannot put a socket of its own in the judge's place;
- fresh: `/proc` of its own PID namespace, a minimal `/dev`, and tmpfs `/tmp` and `/dev/shm`.

Never mounted: the exercise packs and their hidden tests, `solutions/`, the project's `tests/`, the
judge's work folder (its report), the host's `/tmp`, home folders. New namespaces for everything
(user, PID, network with only a loopback of its own, IPC, UTS, cgroup), no capabilities, no further
user namespaces, a new session; `--die-with-parent` ends it with the judge. The PID namespace hides
the judge's `/proc` (its command line names the tests folder, its open files the log); the fork
server gets no descriptor of the judge's but its socket. Rlimits are inherited: bwrap sets none.

The fork server is the namespace's init (pid 1, `--as-pid-1`): student code cannot kill it (init
gets no signal it does not handle from inside its namespace) nor trace it (it is undumpable).
Pids it reports are the namespace's: the judge kills a child through the server (a "kill"
message) instead of by pid, and the server, alone in its namespace with the child, then kills every
other process in it, daemons that left the child's group included. The rendezvous server sees
the same pids, since the workers report their own `os.getpid()`.

The host (grader/host/sandboxes/local.py) decides: bwrap on PATH, a probe of the real command that
works, and none of the read-only folders holding a pack, the project or a home folder; else the
children run as before and the report keeps its warning. It tells the judge through the
environment (`ChildSandbox.to_env`).
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

ENV_KEY = "GRADER_CHILD_SANDBOX"
HARNESS_ROOT = Path(__file__).resolve().parents[3]  # the folder that holds the grader package
# Only these pieces of the checkout: the rest of it holds the packs, the solutions and the tests.
HARNESS_PIECES = ("grader/__init__.py", "grader/pipes.py", "grader/harness")
SYSTEM_FOLDERS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
ETC_FILES = ("/etc/ld.so.cache", "/etc/localtime", "/etc/passwd", "/etc/group", "/etc/nsswitch.conf")
TMPFS_BYTES = 64 * 1024**2  # /tmp and /dev/shm, as the container's tmpfs_size


@dataclass(frozen=True)
class ChildSandbox:
    bwrap: str  # the bwrap executable
    student_dir: str  # read-only inside: the folder holding the student's file and nothing else
    scratch: str  # the judge's: children/ (read-write inside) and sockets/ (read-only inside)

    @property
    def children_dir(self) -> str:
        return os.path.join(self.scratch, "children")

    @property
    def sockets_dir(self) -> str:
        return os.path.join(self.scratch, "sockets")

    def prepare(self) -> None:
        for folder in (self.children_dir, self.sockets_dir):
            os.makedirs(folder, mode=0o700, exist_ok=True)

    def to_env(self) -> dict:
        return {ENV_KEY: json.dumps({"bwrap": self.bwrap, "student_dir": self.student_dir, "scratch": self.scratch})}

    @classmethod
    def from_env(cls, environ=None) -> ChildSandbox | None:
        raw = (os.environ if environ is None else environ).get(ENV_KEY)
        if not raw:
            return None
        data = json.loads(raw)
        return cls(bwrap=data["bwrap"], student_dir=data["student_dir"], scratch=data["scratch"])

    def read_only_folders(self) -> list[str]:
        """Every host folder mounted read-only whole, for the host's check that none holds a secret."""
        return [source for source, _ in _system_binds() + _python_binds()]

    def exposing(self, secrets: list) -> list[str]:
        """The read-only folders that would show one of `secrets` (it, or a folder above it)."""
        folders = self.read_only_folders()
        return sorted({f for f in folders for s in secrets if _within(os.path.realpath(s), [f])})

    def command(self, argv: list[str]) -> list[str]:
        """`argv` run inside the sandbox, its working folder children/."""
        args = [self.bwrap, "--unshare-all", "--unshare-user", "--disable-userns", "--cap-drop", "ALL",
                # The server is the namespace's init: no bwrap init beside it, dumpable as the
                # student's user, that student code could trace and take over for later runs.
                "--as-pid-1", "--die-with-parent", "--new-session",
                # The fresh file systems first: a bind below /tmp (a checkout there) must land on top.
                "--proc", "/proc", "--dev", "/dev",
                "--size", str(TMPFS_BYTES), "--tmpfs", "/dev/shm",
                "--size", str(TMPFS_BYTES), "--tmpfs", "/tmp"]
        for path in SYSTEM_FOLDERS:
            if os.path.islink(path):
                args += ["--symlink", os.readlink(path), path]
        for source, target in _system_binds() + _python_binds():
            args += ["--ro-bind", source, target]
        for path in ETC_FILES:
            args += ["--ro-bind-try", path, path]
        for piece in HARNESS_PIECES:
            path = str(HARNESS_ROOT / piece)
            args += ["--ro-bind", path, path]
        args += ["--ro-bind", self.student_dir, self.student_dir,
                 "--bind", self.children_dir, self.children_dir,
                 "--ro-bind", self.sockets_dir, self.sockets_dir,
                 "--chdir", self.children_dir, "--"]
        return args + argv


def _system_binds() -> list[tuple[str, str]]:
    return [(path, path) for path in SYSTEM_FOLDERS if os.path.isdir(path) and not os.path.islink(path)]


def _python_binds() -> list[tuple[str, str]]:
    """The interpreter's prefixes (a venv and its base), where /usr does not already hold them; each
    at the path Python knows it by, and at its real path if that differs (a symlink on the way)."""
    binds: list[tuple[str, str]] = []
    for prefix in dict.fromkeys((sys.prefix, sys.exec_prefix, sys.base_prefix, sys.base_exec_prefix,
                                 os.path.dirname(os.path.dirname(os.path.realpath(sys.executable))))):
        real = os.path.realpath(prefix)
        for target in dict.fromkeys((os.path.abspath(prefix), real)):
            if not _within(target, [t for _, t in _system_binds()] + [t for _, t in binds]):
                binds.append((real, target))
    return binds


def _within(path: str, folders: list[str]) -> bool:
    return any(path == folder or path.startswith(folder.rstrip("/") + "/") for folder in folders)


def sockets_dir() -> str | None:
    """Where the judge's sockets for the children go (None: the usual temporary folder)."""
    sandbox = ChildSandbox.from_env()
    return sandbox.sockets_dir if sandbox else None
