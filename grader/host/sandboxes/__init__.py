"""Sandboxes run the judge for one student's exercises and hand back a SandboxRun. Pick one with `choose`.

- local: a child process on this machine, under resource limits (self-checks); student code runs
  inside bubblewrap where it works, out of reach of the hidden tests, else with no isolation.
- docker: a fresh, locked-down container per student (grades).
- auto: docker when a Docker engine answers, else local (and the report says so).

On Windows only docker runs (the local sandbox forks): `decide` says so before anything is graded.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from ..config import Settings
from ..messages import MessageError


class WindowsNeedsDocker(MessageError):
    """On Windows the self-check runs in Docker only; the message names Docker Desktop and WSL."""


def decide(name: str, engine_answers: Callable[[], bool], windows: bool | None = None) -> str:
    """What `--sandbox name` comes to here: "docker" or "local". `windows` defaults to this computer's
    (os.name). The local sandbox forks a fresh interpreter per scenario, which Windows cannot: there
    `local` is refused, and `auto` is docker or, with no engine answering, refused with what to install."""
    windows = os.name == "nt" if windows is None else windows
    if name not in NAMES:
        raise ValueError(f"unknown sandbox {name!r}; choose one of {', '.join(NAMES)}")
    if windows:
        if name == "local":
            raise WindowsNeedsDocker("windows_local_sandbox")
        if name == "auto" and not engine_answers():
            raise WindowsNeedsDocker("windows_no_docker")
        return "docker"
    if name == "auto":
        return "docker" if engine_answers() else "local"
    return name

NAMES = ("auto", "docker", "local")


def choose(name, settings: Settings | None = None):
    """A sandbox by name; a sandbox object (batch grading prepares one per worker) is used as is."""
    if not isinstance(name, str):
        return name
    settings = settings or Settings()
    if decide(name, _engine_answers) == "local":
        # Loaded only when chosen: it imports POSIX-only modules (resource), which Windows lacks.
        from .local import LocalSandbox

        return LocalSandbox()
    from .container import DockerSandbox  # docker-py is only loaded when it is used

    return DockerSandbox(settings.docker)


def _engine_answers() -> bool:
    from ..docker_engine import answers

    return answers()
