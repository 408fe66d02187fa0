"""The course site's commands (`grader serve`, `grader worker`, `grader site ...`): argparse only;
Django is loaded when one of them runs, never by the grader's other commands.

Every one takes the same --data, --db and --broker (or GRADER_DATA, GRADER_DB, GRADER_BROKER),
so scripts and operators address one site (or one cluster) the same way.
"""

from __future__ import annotations

import os
from pathlib import Path


def _where(p) -> None:
    p.add_argument("--data", type=Path, default=os.environ.get("GRADER_DATA") or None,
                   help="the site's data folder (created on first start; env GRADER_DATA)")
    p.add_argument("--db", default=os.environ.get("GRADER_DB") or None,
                   help="postgres://user:password@host/db (default: SQLite in the data folder; env GRADER_DB)")
    p.add_argument("--broker", default=os.environ.get("GRADER_BROKER") or None,
                   help="redis://host:6379/0 (default: SQLite in the data folder; env GRADER_BROKER)")


def _grading(p, sandboxes) -> None:
    p.add_argument("--judges", type=int, default=1, help="submissions one worker grades at once (default 1)")
    p.add_argument("--sandbox", choices=sandboxes, default="auto")
    p.add_argument("--exercises", type=Path, default=None, help="a folder of exercise packs (default: this checkout's)")
    p.add_argument("--config", type=Path, default=os.environ.get("GRADER_CONFIG") or None,
                   help="YAML settings of the container sandbox, its `docker:` section (docs/sandbox.md; "
                        "env GRADER_CONFIG)")


def add_parsers(sub, sandboxes) -> dict:
    """Add the site's subcommands; return {command: handler}."""
    s = sub.add_parser("serve", help="run the course site and its grading workers (docs/site.md)")
    _where(s)
    s.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    s.add_argument("--port", type=int, default=8000, help="port (default 8000; 0: any free one)")
    s.add_argument("--workers", type=int, default=1, help="grading worker processes (default 1; 0: none here)")
    _grading(s, sandboxes)

    w = sub.add_parser("worker", help="grade the site's submissions on this host (a Huey consumer)")
    _where(w)
    w.add_argument("--name", default=None, help="this worker's name on the queue's health page")
    _grading(w, sandboxes)

    site = sub.add_parser("site", help="manage the course site: students, migrations, the queue")
    site_sub = site.add_subparsers(dest="site_command", required=True)
    add = site_sub.add_parser("add-students", help="create students' accounts from a roster CSV (Moodle, "
                                                   "Canvas); writes their sign-in links and API tokens")
    add.add_argument("roster", type=Path)
    add.add_argument("--out", type=Path, default=None,
                     help="the CSV of links and tokens to write (default: DATA/links/ROSTER-links.csv)")
    add.add_argument("--base-url", default=None,
                     help="the site's address as students open it, for the links (default: the address the "
                          "last `grader serve` of this data folder gave, DATA/site_url)")
    add.add_argument("--lang", choices=["en", "zh"], default=None,
                     help="the students' language (default: the roster's column, else en)")
    _where(add)
    mig = site_sub.add_parser("migrate", help="bring the database's tables up to this version")
    _where(mig)
    st = site_sub.add_parser("status", help="the queue: waiting, running, oldest wait, workers alive, failures")
    _where(st)
    return {"serve": _serve, "worker": _worker, "site": _site}


def _need_data(args) -> int:
    """2 (with what to do) when the site cannot start: no data folder, or its packages missing."""
    if args.data is None:
        print("Give the site's data folder: --data DIR (or set GRADER_DATA).")
        return 2
    return _packages_missing()


def _packages_missing() -> int:
    try:
        import django  # noqa: F401
        import huey  # noqa: F401
    except ImportError:
        print("The course site needs its packages: pip install 'concurrency-grader[site]' "
              "(in this checkout, `make serve` installs them).")
        return 2
    return 0


def _no_site_there(args) -> int:
    """2 (saying so) when --data has no site's database and none is given with --db: a mistyped
    folder must not look like an empty site (status all zeros, a worker waiting for tables)."""
    if args.db or (Path(args.data) / "site.sqlite3").exists():
        return 0
    print(f"No course site in {args.data}: it has no database. Give the folder `grader serve --data` uses "
          "(or, in cluster mode, --db), or start the site there first.")
    return 2


def _bad_config(args) -> int:
    """2 (saying why) when --config cannot be used: found wrong now, not at the first grading."""
    from grader.host.config import ConfigError, load_config

    try:
        load_config(args.config)
    except ConfigError as exc:
        print(f"--config: {exc}")
        return 2
    return 0


def _serve(args) -> int:
    from .datadir import DataFolderError
    from .serve import serve

    if _need_data(args) or _bad_config(args):
        return 2
    try:
        return serve(data=args.data, host=args.host, port=args.port, db=args.db, broker=args.broker,
                     workers=args.workers, judges=args.judges, sandbox=args.sandbox, exercises=args.exercises,
                     config=args.config)
    except DataFolderError as exc:
        print(exc)
        return 2
    except OSError as exc:  # the address: in use, or not this machine's
        print(f"Cannot listen on {args.host}:{args.port}: {exc.strerror or exc}. Choose another --port "
              "(or stop what uses it).")
        return 2


def _worker(args) -> int:
    from .serve import worker

    return _need_data(args) or _no_site_there(args) or _bad_config(args) or worker(
        data=args.data, db=args.db, broker=args.broker, judges=args.judges, sandbox=args.sandbox, name=args.name,
        exercises=args.exercises, config=args.config)


def _site(args) -> int:
    if _need_data(args) or (args.site_command == "status" and _no_site_there(args)):
        return 2
    roster = getattr(args, "roster", None)
    if roster is not None and not Path(roster).is_file():  # before the data folder is made for it
        print(f"Roster problem: {roster} is not a file. Give the class list (a CSV from the LMS).")
        return 2
    from . import serve

    data = serve.setup(args.data, args.db, args.broker)
    serve.migrate()
    if args.site_command == "migrate":
        print("The database is up to date.")
        return 0
    if args.site_command == "status":
        from .submissions.queue import health

        for key, value in health().items():
            print(f"{key:24} {value if value is not None else '-'}")
        return 0
    from .people.roster import RosterError, add_students

    base_url = args.base_url or serve.read_site_url(data)
    if not base_url:
        print("Give --base-url: the site's address as students open it (e.g. https://grader.example.edu); "
              f"no `grader serve` of {data} has said its address yet.")
        return 2
    try:
        written, out = add_students(args.roster, out=args.out, base_url=base_url.rstrip("/"), lang=args.lang)
    except RosterError as exc:
        print(f"Roster problem: {exc}")
        return 2
    print(f"{written} students; their sign-in links and tokens: {out}")
    print(f"The links start with {base_url.rstrip('/')}/ (--base-url to change it).")
    print("Send each student their link through the LMS; a link works once, for 30 days.")
    return 0


def add_via(p) -> None:
    """`grader batch --via`: grade the class on the course site's workers instead of here."""
    p.add_argument("--via", default=None, metavar="BROKER",
                   help="the course site's task queue, redis://host:6379/0: the class is graded by its workers "
                        "(with --db; docs/batch.md)")
    p.add_argument("--db", default=os.environ.get("GRADER_DB") or None,
                   help="with --via: the site's database, postgres://... (env GRADER_DB)")
    p.add_argument("--data", type=Path, default=os.environ.get("GRADER_DATA") or None,
                   help="with --via and a SQLite site: its data folder (env GRADER_DATA)")


def cluster_grading(args, *, versions: dict[str, str], title: str):
    """The batch's Elsewhere for --via (a ClusterGrading), or an exit code having said what is wrong."""
    import tempfile

    if not args.via.startswith(("redis://", "rediss://", "unix://")):
        print(f"--via {args.via}: give the course site's task queue, redis://host:6379/0 (as its workers' --broker).")
        return 2
    if not args.db and args.data is None:
        print("--via needs the site's database: --db postgres://... (or, for a SQLite site on this machine, "
              "--data with its folder).")
        return 2
    if _packages_missing() or (args.data is not None and _no_site_there(args)):
        return 2
    from . import serve

    # The batch serves no page: without --data, a private folder holds its settings' secret key.
    data = args.data if args.data is not None else Path(tempfile.mkdtemp(prefix="grader-batch-site-"))
    serve.setup(data, args.db, args.via)
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    try:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as exc:  # noqa: BLE001 - the database unreachable, wrong password...
        print(f"The site's database did not answer: {exc}")
        return 3
    if pending:
        print("The site's database is older than this grader: run `grader site migrate` with the same --db first.")
        return 2
    from .submissions.batch import ClusterGrading

    return ClusterGrading(versions=versions, title=title)
