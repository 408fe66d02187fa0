"""Connecting to the Docker engine (local socket or DOCKER_HOST), with errors that say what to do."""

from __future__ import annotations

import docker
from docker.errors import DockerException

from .sandboxes.base import InfrastructureError


def connect(timeout: int = 60):
    """A docker-py client that has answered a ping, or InfrastructureError("infra_no_engine")."""
    try:
        client = docker.from_env(timeout=timeout)
        client.ping()
        return client
    except DockerException as exc:
        raise InfrastructureError("infra_no_engine", reason=short_error(exc)) from exc


def answers(timeout: int = 3) -> bool:
    """Whether an engine answers now; for `--sandbox auto`."""
    try:
        docker.from_env(timeout=timeout).ping()
        return True
    except DockerException:
        return False


def short_error(exc: Exception) -> str:
    return str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__
