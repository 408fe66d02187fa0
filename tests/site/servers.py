"""A private Redis and a private PostgreSQL for the cluster tests: real servers, started and stopped
by fixtures, on free loopback ports, their files in a temporary folder.

Missing binaries skip these tests, saying which, unless GRADER_REQUIRE_SERVERS=1 (CI), where they
fail instead. PostgreSQL refuses to run as root: as root, its cluster belongs to (and runs as) the
`postgres` user Debian's package creates (or `nobody`), through runuser.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

PG_BIN_DIRS = [Path("/usr/lib/postgresql/15/bin"), *sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True),
               Path("/usr/local/bin"), Path("/usr/bin")]


def _missing(what: str) -> None:
    if os.environ.get("GRADER_REQUIRE_SERVERS") == "1":
        pytest.fail(f"{what} (GRADER_REQUIRE_SERVERS=1)")
    pytest.skip(what)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(ready, what: str, limit: float = 30.0) -> None:
    deadline = time.monotonic() + limit
    while not ready():
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not start within {limit} s")
        time.sleep(0.05)


class RedisServer:
    """redis-server on 127.0.0.1:port, nothing saved to disk: stop() loses everything it held."""

    def __init__(self, binary: str, folder: Path):
        self.binary, self.folder, self.port = binary, folder, free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.folder), "--daemonize", "no", "--logfile", str(self.folder / "redis.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wait(self.answers, "redis-server")

    def answers(self) -> bool:
        import redis

        try:
            return bool(redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=1).ping())
        except redis.RedisError:
            return False

    def client(self):
        import redis

        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=5)

    def stop(self) -> None:
        """SIGKILL: what Redis held in memory is gone (no dump: --save "")."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=30)
        self.proc = None


class PostgresServer:
    """A PostgreSQL cluster of its own (initdb), on 127.0.0.1:port, trust auth, database `grader`."""

    def __init__(self, bin_dir: Path, folder: Path):
        self.bin_dir, self.folder, self.port = bin_dir, folder, free_port()
        self.pgdata = folder / "pgdata"
        self.user = None if os.geteuid() != 0 else _unprivileged_user()

    @property
    def url(self) -> str:
        return f"postgres://grader@127.0.0.1:{self.port}/grader"

    def _run(self, *args: str, timeout: float = 120) -> None:
        command = [str(self.bin_dir / args[0]), *args[1:]]
        if self.user:
            command = ["runuser", "-u", self.user, "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=self.folder)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")

    def initdb(self) -> None:
        if self.user:
            shutil.chown(self.folder, self.user)
        self._run("initdb", "-D", str(self.pgdata), "-U", "grader", "--auth=trust", "-E", "UTF8", "--no-sync")
        # A test server: durability off (nothing here survives the test anyway), room for the workers.
        with (self.pgdata / "postgresql.conf").open("a") as f:
            f.write(f"listen_addresses = '127.0.0.1'\nport = {self.port}\nunix_socket_directories = '{self.folder}'\n"
                    "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\nmax_connections = 200\n")

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.pgdata), "-l", str(self.folder / "postgres.log"), "-w", "-t", "60", "start")

    def create_database(self) -> None:
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=self.port, user="grader", dbname="postgres",
                             autocommit=True) as conn:
            conn.execute("CREATE DATABASE grader")

    def answers(self) -> bool:
        import psycopg

        try:
            with psycopg.connect(host="127.0.0.1", port=self.port, user="grader", dbname="postgres", connect_timeout=2):
                return True
        except psycopg.OperationalError:
            return False

    def stop(self) -> None:
        """Fast shutdown: every connection is cut, as when the server goes away."""
        if (self.pgdata / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.pgdata), "-m", "fast", "-w", "stop")


def _unprivileged_user() -> str:
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    _missing("running as root and no `postgres` or `nobody` user to run PostgreSQL as")
    raise AssertionError  # not reached


def _pg_bin_dir() -> Path | None:
    for folder in PG_BIN_DIRS:
        if all((folder / name).exists() for name in ("initdb", "pg_ctl", "postgres")):
            return folder
    return None


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    binary = shutil.which("redis-server")
    if binary is None:
        _missing("redis-server is not installed (Debian: apt-get install redis-server)")
    try:
        import redis  # noqa: F401
    except ImportError:
        _missing("the redis package is not installed (pip install 'concurrency-grader[site]')")
    assert binary is not None
    folder = Path(tempfile.mkdtemp(prefix="grader-redis-"))
    server = RedisServer(binary, folder)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def postgres_server() -> Iterator[PostgresServer]:
    bin_dir = _pg_bin_dir()
    if bin_dir is None:
        _missing("PostgreSQL's initdb, pg_ctl and postgres are not installed (Debian: apt-get install postgresql)")
    try:
        import psycopg  # noqa: F401
    except ImportError:
        _missing("psycopg is not installed (pip install 'concurrency-grader[site]')")
    assert bin_dir is not None
    # Not under pytest's tmp_path: the postgres user must reach it, and root's 0700 folders bar the way.
    folder = Path(tempfile.mkdtemp(prefix="grader-pg-"))
    server = PostgresServer(bin_dir, folder)
    try:
        server.initdb()
        server.start()
        server.create_database()
        yield server
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)
