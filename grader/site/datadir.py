"""The site's data folder: made on first start, with a secret key only its owner can read.

    DATA/secret_key       Django's secret key (0600), generated once
    DATA/site.sqlite3     the database (SQLite default; GRADER_DB=postgres://... instead)
    DATA/queue.sqlite3    Huey's messages (GRADER_BROKER=redis://... instead)
    DATA/blobs/           submitted files by SHA-256 (with PostgreSQL: in the database instead, storage.py)
    DATA/locale/          the site's message catalogs, compiled at start from each app's locale/*.po

Back up the database and blobs/ (docs/site.md).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

SITE = Path(__file__).resolve().parent
# Each app keeps its own catalog (APP/locale/zh_Hans/LC_MESSAGES/django.po; the site-wide one in
# grader/site/locale): compiled to DATA/locale/APP/..., one LOCALE_PATHS entry each (settings.py).
CATALOG_DIRS = ["locale", "people/locale", "student/locale", "teacher/locale"]


class DataFolderError(Exception):
    """The folder cannot be used; the message says why and what to do."""


def prepare(data: Path) -> Path:
    data = Path(data).expanduser().resolve()
    if data.exists() and not data.is_dir():
        raise DataFolderError(f"{data} is a file, not a folder: give --data a folder (it is created if missing)")
    data.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = data / "secret_key"
    if not key.exists():
        fd = os.open(key, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(secrets.token_urlsafe(50) + "\n")
    elif key.stat().st_mode & 0o077:
        key.chmod(0o600)
    compile_catalogs(data / "locale")
    return data


def compiled_dirs(target: Path) -> list[Path]:
    return [target / name.replace("/", "-") for name in CATALOG_DIRS]


def compile_catalogs(target: Path) -> None:
    """Django reads compiled catalogs; compiling at start keeps only the .po files in the source."""
    for name, out in zip(CATALOG_DIRS, compiled_dirs(target)):
        for po_path in (SITE / name).glob("*/LC_MESSAGES/django.po"):
            _compile(po_path, out / po_path.relative_to(SITE / name).with_suffix(".mo"))


def _compile(po_path: Path, mo_path: Path) -> None:
    if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
        return
    mo_path.parent.mkdir(parents=True, exist_ok=True)
    with po_path.open("rb") as f:
        catalog = read_po(f)
    tmp = mo_path.with_suffix(f".tmp{os.getpid()}")
    with tmp.open("wb") as f:
        write_mo(f, catalog)
    os.replace(tmp, mo_path)


def environment(data: Path, db: str | None = None, broker: str | None = None) -> None:
    """Point Django at this folder (before django.setup())."""
    os.environ["GRADER_DATA"] = str(data)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "grader.site.settings")
    if db:
        os.environ["GRADER_DB"] = db
    if broker:
        os.environ["GRADER_BROKER"] = broker
