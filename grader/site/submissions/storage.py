"""Submitted files, content-addressed by SHA-256, stored before a row names them: under DATA/blobs
(fsynced) with SQLite; in the database's Blob table with PostgreSQL (cluster mode), so that workers
on other hosts read them from the database they share, with no shared folder, and one pg_dump
backs up everything."""

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


def in_database() -> bool:
    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def put(content: bytes) -> str:
    """Store `content` once; return its SHA-256. Durable when this returns (committed; or fsync, then rename)."""
    sha = hashlib.sha256(content).hexdigest()
    if in_database():
        from .models import Blob

        Blob.objects.bulk_create([Blob(sha256=sha, content=content)], ignore_conflicts=True)  # ON CONFLICT DO NOTHING
        return sha
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
    if in_database():
        from .models import Blob

        content = Blob.objects.filter(sha256=sha256).values_list("content", flat=True).first()
        if content is not None:
            return bytes(content)
    return path_of(sha256).read_bytes()  # SQLite's store (or a site moved from SQLite to PostgreSQL)
