"""Uploaded files read into memory, bounded: never more than the limit and one byte per file (the
exercise page and the API both read uploads through read_bounded)."""

from __future__ import annotations

from django.conf import settings

from .accept import too_big


def read_bounded(files, *, stopped_at: int | None = None) -> list[tuple[str, bytes]]:
    """(name, bytes) of each upload, or Refused when the upload is too big: `stopped_at` is where
    the upload handler (submissions/upload_limit.py) stopped reading the request, dropping its files;
    a file over the limit on its own is refused before it is read. One byte past the limit is read
    of a file of unknown size, so accept.check sees it too big."""
    if stopped_at:
        raise too_big(stopped_at)
    limit = settings.MAX_UPLOAD_BYTES
    read = []
    for f in files:
        if f.size is not None and f.size > limit:
            raise too_big(f.size)
        read.append((f.name or "", f.read(limit + 1)))
    return read
