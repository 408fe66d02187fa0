"""Extract a submission archive (.zip, .tar, .tar.gz/.tgz) safely, or refuse it with the reason.

Everything is checked before anything is written: entry count, each file's size, the total size
and the compression ratio; absolute paths and `..`, symlinks, hard links and device files; names
that are not valid UTF-8 (a zip name without the UTF-8 flag may also be GBK: Windows' compressor).
tar extraction then goes through the standard library's `data` filter (on
Python 3.11.4+; before, the same modes are dropped by hand) as
a second line; zip members are written one by one through a size cap.
"""

from __future__ import annotations

import stat
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..messages import MessageError

MAX_ENTRIES = 2000
MAX_FILE_BYTES = 8 * 1024 * 1024
MAX_TOTAL_BYTES = 64 * 1024 * 1024
MAX_RATIO = 100  # uncompressed size / archive size, above which it is treated as a bomb
SUFFIXES = (".zip", ".tar", ".tar.gz", ".tgz")
# A zip name without the UTF-8 flag is tried as each of these, in order (docs/batch.md, "Safe extraction").
ZIP_NAME_ENCODINGS = ("utf-8", "cp936")


class Refused(MessageError):
    """The archive is refused; the message goes into the student's report."""


@dataclass
class Entry:
    name: str  # relative POSIX path, checked
    size: int
    is_dir: bool


def is_archive(path: Path) -> bool:
    return path.is_file() and path.name.lower().endswith(SUFFIXES)


# Archives a student may well send that are not read here: refused with a message, never skipped.
UNSUPPORTED = (".rar", ".7z", ".tar.xz", ".txz", ".tar.bz2", ".tbz2", ".gz", ".bz2", ".xz")


def is_unsupported_archive(path: Path) -> bool:
    return path.is_file() and path.name.lower().endswith(UNSUPPORTED) and not is_archive(path)


def unsupported_message(name: str) -> dict:
    return {"id": "archive_format_unsupported", "params": {"file": name, "formats": ", ".join(SUFFIXES)}}


def stem(path: Path) -> str:
    """The archive's name without its archive suffix: the student's name."""
    lower = path.name.lower()
    for suffix in sorted(SUFFIXES, key=len, reverse=True):
        if lower.endswith(suffix):
            return path.name[: -len(suffix)]
    return path.name


def extract(archive: Path, dest: Path) -> list[str]:
    """Extract `archive` into the empty folder `dest`; return the files written. Raises Refused."""
    archive_name = archive.name
    try:
        if zipfile.is_zipfile(archive):
            return _extract_zip(archive, dest)
        if tarfile.is_tarfile(archive):
            return _extract_tar(archive, dest)
    except (zipfile.BadZipFile, tarfile.TarError, EOFError, OSError) as exc:
        raise Refused("archive_unreadable", archive=archive_name, reason=str(exc)[:200]) from exc
    raise Refused("archive_unreadable", archive=archive_name, reason="not a zip or tar archive")


def _check(archive: Path, entries: list[Entry]) -> None:
    name = archive.name
    if not entries:
        raise Refused("archive_empty", archive=name)
    if len(entries) > MAX_ENTRIES:
        raise Refused("archive_too_many_entries", archive=name, count=len(entries), limit=MAX_ENTRIES)
    total = 0
    for entry in entries:
        if entry.size > MAX_FILE_BYTES:
            raise Refused("archive_file_too_large", archive=name, file=entry.name, size=entry.size,
                          limit=MAX_FILE_BYTES)
        total += entry.size
    if total > MAX_TOTAL_BYTES:
        raise Refused("archive_too_large", archive=name, size=total, limit=MAX_TOTAL_BYTES)
    if total > MAX_RATIO * max(archive.stat().st_size, 1):
        raise Refused("archive_bomb", archive=name, ratio=total // max(archive.stat().st_size, 1),
                      limit=MAX_RATIO)


def _safe_name(archive: Path, raw: str) -> str:
    try:
        raw.encode("utf-8")
    except UnicodeEncodeError:  # undecodable bytes arrive as surrogates
        raise Refused("archive_name_not_utf8", archive=archive.name,
                      file=raw.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")) from None
    path = PurePosixPath(raw.replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts or (path.parts and ":" in path.parts[0]):
        raise Refused("archive_unsafe_path", archive=archive.name, file=raw)
    return path.as_posix().rstrip("/")


def _extract_tar(archive: Path, dest: Path) -> list[str]:
    with tarfile.open(archive, encoding="utf-8", errors="surrogateescape") as tar:
        members = tar.getmembers()
        entries = []
        for m in members:
            name = _safe_name(archive, m.name)
            if m.issym() or m.islnk():
                raise Refused("archive_link", archive=archive.name, file=name)
            if not (m.isfile() or m.isdir()):
                raise Refused("archive_special_file", archive=archive.name, file=name)
            entries.append(Entry(name, m.size, m.isdir()))
        _check(archive, entries)
        if hasattr(tarfile, "data_filter"):  # 3.11.4+: the standard library's own guard as well
            tar.extractall(dest, members=members, filter="data")
        else:  # Debian's 3.11.2: every member was checked above; drop what the data filter would
            for member in members:
                member.mode &= 0o755  # no setuid, setgid, sticky or group/other write bits
                member.uid = member.gid = 0
                member.uname = member.gname = ""
            tar.extractall(dest, members=members)
    return [e.name for e in entries if not e.is_dir]


def _extract_zip(archive: Path, dest: Path) -> list[str]:
    with zipfile.ZipFile(archive) as zf:
        infos = zf.infolist()
        entries = []
        for info in infos:
            name = _safe_name(archive, _zip_name(archive, info))
            kind = stat.S_IFMT(info.external_attr >> 16)  # 0 when the tool wrote no Unix file type
            if kind == stat.S_IFLNK:
                raise Refused("archive_link", archive=archive.name, file=name)
            if kind and kind not in (stat.S_IFREG, stat.S_IFDIR):
                raise Refused("archive_special_file", archive=archive.name, file=name)
            if info.flag_bits & 0x1:
                raise Refused("archive_encrypted", archive=archive.name, file=name)
            entries.append(Entry(name, info.file_size, info.is_dir()))
        _check(archive, entries)
        written = []
        for info, entry in zip(infos, entries):
            target = dest / entry.name
            if entry.is_dir:
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(info) as src, open(target, "xb") as out:
                # The declared size is checked above; a member that lies about it stops here.
                data = src.read(MAX_FILE_BYTES + 1)
                if len(data) > MAX_FILE_BYTES:
                    raise Refused("archive_file_too_large", archive=archive.name, file=entry.name,
                                  size=len(data), limit=MAX_FILE_BYTES)
                out.write(data)
            written.append(entry.name)
    return written


def _zip_name(archive: Path, info: zipfile.ZipInfo) -> str:
    """A member's name as text. Without the UTF-8 flag (0x800) zipfile decodes cp437; the raw bytes
    are read again as UTF-8 (most tools omit the flag), else as GBK/CP936 (Windows' built-in
    compressor on a Chinese system), and a name that is neither is refused."""
    return zip_member_name(info.filename, info.flag_bits, archive.name)


def zip_member_name(filename: str, flag_bits: int, archive_name: str = "") -> str:
    """`filename` as zipfile gave it (cp437 when `flag_bits` has no 0x800) as the name it was
    meant to be: UTF-8, then GBK/CP936. Raises Refused when no encoding explains the bytes."""
    if flag_bits & 0x800:
        return filename
    raw = filename.encode("cp437")
    if raw.isascii():
        return filename
    for encoding in ZIP_NAME_ENCODINGS:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise Refused("archive_name_unreadable", archive=archive_name, file=raw.decode("utf-8", "backslashreplace"))
