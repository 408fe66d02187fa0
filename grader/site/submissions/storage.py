"""Submitted files, content-addressed under DATA/blobs: written (fsynced) before a row names them."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from django.conf import settings


def root() -> Path:
    return Path(settings.DATA) / "blobs"


def path_of(sha256: str) -> Path:
    return root() / sha256[:2] / sha256


def put(content: bytes) -> str:
    """Store `content` once; return its SHA-256. Durable when this returns (fsync, then rename)."""
    sha = hashlib.sha256(content).hexdigest()
    target = path_of(sha)
    if target.exists():
        return sha
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(content)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    dir_fd = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
    return sha


def get(sha256: str) -> bytes:
    return path_of(sha256).read_bytes()
