"""A private PostgreSQL (durable: fsync on, as in production) and Redis for the cluster benches,
from Debian's binaries (tests/site/servers.py starts them), removed afterwards."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def durable_servers(prefix: str) -> Iterator[tuple]:
    """(postgres, redis, folder): both started, the database created; stopped and removed after."""
    from tests.site.servers import PG_BIN_DIRS, PostgresServer, RedisServer

    bin_dir = next(d for d in PG_BIN_DIRS if (d / "initdb").exists())
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    redis = RedisServer(shutil.which("redis-server") or "redis-server", folder)
    postgres = PostgresServer(bin_dir, folder)
    try:
        redis.start()
        postgres.initdb()
        with (postgres.pgdata / "postgresql.conf").open("a") as f:
            f.write("fsync = on\nsynchronous_commit = on\nfull_page_writes = on\n")
        postgres.start()
        postgres.create_database()
        yield postgres, redis, folder
    finally:
        postgres.stop()
        redis.stop()
        shutil.rmtree(folder, ignore_errors=True)
