"""`grader serve`: the site (waitress, a production WSGI server) and its grading workers, in one
command; `grader worker`: one grading host's worker (a Huey consumer), as `serve` starts it.

serve supervises its workers as child processes: one killed (kill -9, an OOM) is started again,
and the submission it held is graded again once its lease expires (queue.sweep).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from ..harness.judge.plural import fill
from . import datadir

SWEEP_SECONDS = 2.0
# Set by `grader serve` on the workers it starts: a worker whose serve died (kill -9) stops too,
# rather than grade on as an orphan nobody supervises.
PARENT = "GRADER_SERVE_PID"


def setup(data: Path, db: str | None, broker: str | None) -> Path:
    data = datadir.prepare(data)
    datadir.environment(data, db, broker)
    import django

    django.setup()
    return data


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def sandbox_in_use(requested: str) -> str:
    """docker or local: what `auto` comes to on this machine now."""
    if requested != "auto":
        return requested
    from grader.host.docker_engine import answers

    return "docker" if answers() else "local"


SITE_URL = "site_url"  # in the data folder: the address `grader serve` listens on, for add-students' links


def write_site_url(data: Path, base_url: str) -> None:
    (Path(data) / SITE_URL).write_text(base_url + "\n", encoding="utf-8")


def read_site_url(data: Path) -> str | None:
    try:
        return (Path(data) / SITE_URL).read_text(encoding="utf-8").strip() or None
    except OSError:
        return None


def first_teacher_link(base_url: str) -> str | None:
    """A one-time link that signs in the site's first teacher; None once a teacher has signed in."""
    from django.contrib.auth import get_user_model

    from .people.models import Person

    teachers = Person.objects.filter(role=Person.Role.TEACHER)
    if teachers.filter(user__last_login__isnull=False).exists():
        return None
    person = teachers.order_by("id").first()
    if person is None:
        user = get_user_model().objects.create_user(username="teacher", is_staff=True, is_superuser=True)
        user.set_unusable_password()
        user.save()
        person = Person.objects.create(user=user, role=Person.Role.TEACHER, display_name="Teacher")
    return f"{base_url}/people/sign-in/{person.new_sign_in_token()}/"


def _grading_environment(sandbox: str, exercises: Path | None, config: Path | None) -> None:
    """How gradings are made, for the settings (and the workers this process starts) to read."""
    os.environ["GRADER_SANDBOX"] = sandbox
    if exercises is not None:
        os.environ["GRADER_EXERCISES"] = str(Path(exercises).resolve())
    if config is not None:
        os.environ["GRADER_CONFIG"] = str(Path(config).resolve())


def serve(*, data: Path, host: str, port: int, db: str | None = None, broker: str | None = None,
          workers: int = 1, judges: int = 1, sandbox: str = "auto", exercises: Path | None = None,
          config: Path | None = None, out=print) -> int:
    _grading_environment(sandbox, exercises, config)
    data = setup(data, db, broker)
    migrate()
    from django.conf import settings
    from waitress import create_server

    from .wsgi import application

    # Every student watching a submission keeps a connection open (the page polls): waitress's
    # default of 100 connections would leave the 101st student's request waiting unanswered.
    _more_open_files(4096)
    # GRADER_HTTPS=1: an HTTPS proxy in front forwards plain HTTP. The requests are then https://, as the
    # browser sent them: Django's CSRF check compares the form's Origin with it (http:// would refuse
    # every form: 403), and the sign-in links the roster page hands out say https://.
    url_scheme = "https" if os.environ.get("GRADER_HTTPS") == "1" else "http"
    server = create_server(application, host=host, port=port, threads=8, ident="grader", url_scheme=url_scheme,
                           # past the upload limit, the site itself says "too big" in the student's
                           # language (upload_limit.py); far past it, waitress refuses without reading
                           max_request_body_size=4 * settings.MAX_UPLOAD_BYTES + 256 * 1024,
                           connection_limit=3000, channel_timeout=60)
    base_url = f"http://{_url_host(host)}:{server.effective_port}"
    write_site_url(data, base_url)
    out(f"Course site: {base_url}/  (data: {data})")
    link = first_teacher_link(base_url)
    if link:
        out(f"First start: the teacher's one-time sign-in link: {link}  (user name: teacher)")
    used = sandbox_in_use(sandbox)
    if used == "local":
        why = "No Docker engine answers: submissions" if sandbox == "auto" else "Submissions"
        out(f"{why} are graded in the local sandbox, which does not isolate students' code from this machine. "
            "Start Docker (then `grader image build`) for real grading.")
    out(fill("Grading: {workers} {workers:worker|workers}, {judges} {judges:judge|judges} each, {used} sandbox. "
             "Stop with Ctrl-C.", {"workers": workers, "judges": judges, "used": used}))
    crew = _Supervisor(data, db, broker, workers, judges, sandbox)
    crew.start()
    # `kill`, `systemctl stop`, `docker stop` send SIGTERM: stop the workers too, as Ctrl-C does.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        crew.stop()
        server.close()
    return 0


def _die_with_parent() -> None:
    """In a worker about to start (Linux): the kernel sends it SIGTERM the moment `grader serve`
    dies, even by kill -9, even while the worker is still starting. Elsewhere the worker's sweep
    notices its parent gone (PARENT) within a few seconds."""
    if sys.platform != "linux":
        return
    import ctypes

    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def _more_open_files(wanted: int) -> None:
    """Room for the connections (a shell's soft limit is often 1024), as far as the hard limit allows."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


def _url_host(host: str) -> str:
    return "127.0.0.1" if host in ("0.0.0.0", "") else (f"[{host}]" if ":" in host else host)


class _Supervisor(threading.Thread):
    """Keeps `count` worker processes running; one that exits is started again after a pause."""

    def __init__(self, data, db, broker, count, judges, sandbox):
        super().__init__(daemon=True, name="workers")
        self.command = [sys.executable, "-m", "grader.cli", "worker", "--data", str(data), "--judges", str(judges),
                        "--sandbox", sandbox]
        self.command += ["--db", db] if db else []
        self.command += ["--broker", broker] if broker else []
        self.count = count
        self.procs: list[subprocess.Popen | None] = [None] * count
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            for i, proc in enumerate(self.procs):
                if proc is None or proc.poll() is not None:
                    self.procs[i] = subprocess.Popen([*self.command, "--name", f"{socket.gethostname()}-serve-{i}"],
                                                     env={**os.environ, PARENT: str(os.getpid())},
                                                     preexec_fn=_die_with_parent)
            self.stopping.wait(1.0)

    def stop(self) -> None:
        self.stopping.set()
        for proc in self.procs:
            if proc is not None and proc.poll() is None:
                proc.send_signal(signal.SIGINT)  # Huey finishes nothing new, stops its threads
        for proc in self.procs:
            if proc is None:
                continue
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()  # a grading in progress: its lease expires and the next start grades it


def worker(*, data: Path, db: str | None = None, broker: str | None = None, judges: int = 1,
           sandbox: str = "auto", name: str | None = None, exercises: Path | None = None,
           config: Path | None = None) -> int:
    _grading_environment(sandbox, exercises, config)
    setup(data, db, broker)
    import logging

    from django.db import DatabaseError, connection
    from django.utils import timezone
    from huey.contrib.djhuey import HUEY

    from .submissions import queue, tasks
    from .submissions.models import Worker

    name = name or f"{socket.gethostname()}-{os.getpid()}"
    while True:  # a host that boots while the database restarts waits for it, as the sweep does
        try:
            Worker.objects.update_or_create(name=name, defaults={
                "host": socket.gethostname(), "judges": judges, "sandbox": sandbox_in_use(sandbox),
                "started_at": timezone.now(), "seen_at": timezone.now()})
            break
        except DatabaseError:
            logging.getLogger(__name__).warning("the database does not answer; trying again", exc_info=True)
            connection.close()
            time.sleep(SWEEP_SECONDS)
    sweeper = threading.Thread(target=_sweep_forever, args=(name, queue, tasks, Worker), daemon=True, name="sweep")
    sweeper.start()
    # An idle worker looks for a message every 50 ms at first, at most every 250 ms (Huey's default
    # grows to 10 s: a first submission after a quiet hour would wait that long). Redis blocks instead.
    HUEY.create_consumer(workers=judges, worker_type="thread", periodic=False, check_worker_health=True,
                         initial_delay=0.05, backoff=1.15, max_delay=0.25).run()
    return 0


def _sweep_forever(name, queue, tasks, Worker) -> None:
    """Every few seconds: say this worker is alive, take back expired leases, re-enqueue lost messages."""
    import logging

    from django.db import connection
    from django.utils import timezone

    log = logging.getLogger(__name__)
    parent = os.environ.get(PARENT)
    orphaned = False
    while True:
        if parent and os.getppid() != int(parent):
            # SIGTERM, not SIGINT: a worker started in the background may ignore SIGINT until Huey's
            # handler is in place. If it is still here a round later, it ends without ceremony; a
            # grading cut short is graded again once its lease expires.
            if orphaned:
                os._exit(1)
            log.warning("grader serve (pid %s) is gone: this worker stops", parent)
            orphaned = True
            os.kill(os.getpid(), signal.SIGTERM)
        try:
            Worker.objects.filter(name=name).update(seen_at=timezone.now())
            queue.sweep()
            tasks.top_up()
        except Exception:
            log.warning("sweep failed; trying again", exc_info=True)
            connection.close()
        time.sleep(SWEEP_SECONDS)
