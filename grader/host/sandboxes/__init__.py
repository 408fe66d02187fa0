"""Sandboxes run the judge for one student's exercises and hand back a SandboxRun. Pick one with `choose`.

- local: a child process on this machine, under resource limits (self-checks); student code runs
  inside bubblewrap where it works, out of reach of the hidden tests, else with no isolation.
- docker: a fresh, locked-down container per student (grades).
- auto: docker when a Docker engine answers, else local (and the report says so).
"""

from __future__ import annotations

from ..config import Settings
from .local import LocalSandbox

NAMES = ("auto", "docker", "local")


def choose(name, settings: Settings | None = None):
    """A sandbox by name; a sandbox object (batch grading prepares one per worker) is used as is."""
    if not isinstance(name, str):
        return name
    settings = settings or Settings()
    if name == "local":
        return LocalSandbox()
    if name == "docker" or (name == "auto" and _engine_answers()):
        from .container import DockerSandbox  # docker-py is only loaded when it is used

        return DockerSandbox(settings.docker)
    if name == "auto":
        return LocalSandbox()
    raise ValueError(f"unknown sandbox {name!r}; choose one of {', '.join(NAMES)}")


def _engine_answers() -> bool:
    from ..docker_engine import answers

    return answers()
