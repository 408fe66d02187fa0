"""Shared helpers for the grader's own tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# tests/packs/ holds exercise packs for the grader's own tests: their tests are hidden checks, run by
# the judge against a submission, not tests of the grader.
collect_ignore = ["packs"]
SAMPLES = ROOT / "tests" / "samples"


def pytest_configure(config) -> None:
    """The course site's settings read a data folder: each test process gets its own, made once.
    pytest-django then runs the site's tests (`django_db`) on a test database of its own."""
    import tempfile

    try:
        import django
    except ImportError:  # a venv without the site's extra (pip install '.[site]'): its tests cannot import
        return
    from grader.site import datadir

    if "GRADER_DATA" not in os.environ:
        data = datadir.prepare(Path(tempfile.mkdtemp(prefix="grader-site-tests-")))
        datadir.environment(data)
    os.environ.setdefault("GRADER_SANDBOX", "local")
    django.setup()  # before test modules import the site's models
    from django.conf import settings

    # The tests' accounts need no real password hashing: PBKDF2's million rounds cost about 0.5 s an
    # account on this machine. (Live sites started by the tests use the real settings.)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader.cli", *args], capture_output=True, text=True,
                          cwd=cwd or ROOT, timeout=600)


REQUIRE_DOCKER = os.environ.get("GRADER_REQUIRE_DOCKER") == "1"


@pytest.fixture(scope="session")
def docker_image() -> str:
    """The sandbox image's tag on an engine that answers, built first if missing (as the grader does
    on first use). Without an engine or an image the test is skipped, and says why; with
    GRADER_REQUIRE_DOCKER=1 (CI) it fails instead."""
    from grader.host import docker_engine
    from grader.host.config import DockerSettings
    from grader.host.sandboxes.base import InfrastructureError
    from grader.host.sandboxes.container import ensure_image

    try:
        return ensure_image(docker_engine.connect(timeout=600), DockerSettings())
    except InfrastructureError as exc:
        _docker_unavailable(f"no Docker sandbox: {exc.message['id']} ({exc.message['params']['reason']})")


def _docker_unavailable(reason: str):
    if REQUIRE_DOCKER:
        pytest.fail(f"{reason}; GRADER_REQUIRE_DOCKER=1 makes this a failure, not a skip")
    pytest.skip(reason)


REQUIRE_BWRAP = os.environ.get("GRADER_REQUIRE_BWRAP") == "1"


@pytest.fixture(scope="session")
def bwrap() -> str:
    """bwrap's path, where it runs the local sandbox's isolation. Without it the test is skipped,
    saying why; with GRADER_REQUIRE_BWRAP=1 (CI) it fails instead."""
    from grader.host.sandboxes.local import usable_bwrap

    found = usable_bwrap()
    if found is None:
        reason = "no usable bwrap for the local sandbox's isolation (Debian: apt-get install bubblewrap)"
        if REQUIRE_BWRAP:
            pytest.fail(f"{reason}; GRADER_REQUIRE_BWRAP=1 makes this a failure, not a skip")
        pytest.skip(reason)
    return found
