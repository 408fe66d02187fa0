"""The container sandbox: one fresh, locked-down Docker container per student submission.

Inputs go in on the container's stdin and results come out on its stdout (container_streams.py),
never through bind mounts or files, so a remote engine (DOCKER_HOST) works the same. The host
holds the wall clock for the whole container, believes the results that came out whole, and always
removes it.
"""

from __future__ import annotations

import io
import json
import logging
import os
import socket
import tarfile
import time
import uuid

from docker.errors import APIError, DockerException, NotFound
from docker.types import LogConfig, Ulimit
from docker.utils import parse_bytes
from requests.exceptions import ConnectionError as RequestsConnectionError
from requests.exceptions import ReadTimeout

from ...harness.judge.plural import fill
from .. import docker_engine
from ..config import DockerSettings
from ..cpu_slots import cpu_slots
from ..image import build as image_build
from ..judge_report import JudgeRun
from .base import InfrastructureError, JudgeJob, SandboxRun
from .container_outcome import ContainerEnd, classify
from .container_streams import ContainerStreams, Results

log = logging.getLogger(__name__)

LABEL_RUN = "org.concurrency-grader.run"
LABEL_OWNER = "org.concurrency-grader.owner"  # host:pid of the grader that created it
STUDENT_UID = 10001  # the image's `student` user; a second lane's is `student2`, 10002 (see the Dockerfile)
MAX_LANES = 4  # student users in the image


def lane_scratch(lane: int) -> str:
    """The tmpfs where a lane's judge keeps its scenario folders (its TMPDIR)."""
    return f"/lanes/{lane + 1}"
RESULTS_CAP = 16 * 1024 * 1024  # bytes of results read from the container's stdout
_swept = False


class DockerSandbox:
    name = "docker"
    isolated = True

    def __init__(self, settings: DockerSettings | None = None):
        self.settings = settings or DockerSettings()
        self.run_id = uuid.uuid4().hex[:12]
        self._client = None
        self._image: str | None = None

    # -- the engine and the image, once per sandbox --------------------------------------------

    def client(self):
        global _swept
        if self._client is None:
            self._client = docker_engine.connect()
            if not _swept:
                remove_leftovers(self._client)
                _swept = True
        return self._client

    def image(self) -> str:
        if self._image is None:
            self._image = ensure_image(self.client(), self.settings)
        return self._image

    # -- one student ----------------------------------------------------------------------------

    def run(self, jobs: list[JudgeJob]) -> SandboxRun:
        client, image = self.client(), self.image()
        wall = self.settings.wall_seconds or (
            sum(job.exercise.spec.time_limit for job in jobs) + self.settings.startup_seconds)
        try:
            container = client.containers.create(image, **self.container_options())
        except (APIError, DockerException) as exc:
            raise InfrastructureError("infra_engine_error", reason=docker_engine.short_error(exc)) from exc
        streams = None
        try:
            # Each lane's CPU for its scenario children, apart from every other judge's on this machine.
            with cpu_slots(lane_count(jobs, self.settings.judges_at_once)) as slots:
                try:
                    log_cap = int(parse_bytes(self.settings.log_max_size))
                    streams = ContainerStreams(container, Results(RESULTS_CAP, log_cap))
                    container.start()
                    streams.send(inputs_archive(jobs, lanes=self.settings.judges_at_once, cpu_slots=slots),
                                 timeout=self.settings.startup_seconds)
                except (APIError, DockerException, OSError) as exc:
                    raise InfrastructureError("infra_engine_error", reason=docker_engine.short_error(exc)) from exc
                timed_out = _wait(container, wall)
            state = _inspect_state(container)
            results = streams.finish(timeout=30)
            if streams.broken:
                log.warning("the sandbox's output ended early: %s", streams.broken)
            runs, over_cap = results.runs, results.over_cap
            if state.get("ExitCode") != 0 and not timed_out:
                # For the teacher's eyes (the log may quote the judge): why the entry failed.
                log.warning("the sandbox's entry exited with %s; its log ends:\n%s", state.get("ExitCode"),
                            results.log_tail())
        finally:
            _remove(container)
            if streams is not None:
                streams.close()
        end = ContainerEnd(timed_out=timed_out, wall_seconds=wall, exit_code=state.get("ExitCode"),
                           oom_killed=bool(state.get("OOMKilled")) or any(_memory_killed(r) for r in runs.values()),
                           results_over_cap=over_cap,
                           memory=self.settings.mem_limit)
        outcome, message, missing_message = classify(end, [job.exercise.slug for job in jobs], set(runs))
        return SandboxRun(runs=runs, outcome=outcome, message=message, missing_message=missing_message)

    def container_options(self) -> dict:
        s = self.settings
        return {
            "user": "0:0",  # the entry drops student code to STUDENT_UID itself
            "network_mode": s.network_mode,
            "mem_limit": s.mem_limit,
            "memswap_limit": s.mem_limit,  # equal: no swap
            "nano_cpus": s.nano_cpus,
            "pids_limit": s.pids_limit,
            "read_only": s.read_only,
            "tmpfs": {"/tmp": f"rw,nosuid,nodev,size={s.tmpfs_size},mode=1777",
                      # the inputs, unpacked by the entry: judge/ root 0700, submission/ 0755
                      "/io": f"rw,nosuid,nodev,size={s.tmpfs_size},mode=0711",
                      # a lane's own scratch, the judge's (root, 0711: students enter only the folders
                      # made for them); memory is charged only for what is written
                      **{lane_scratch(k): f"rw,nosuid,nodev,size={s.tmpfs_size},mode=0711" for k in range(MAX_LANES)}},
            "shm_size": s.tmpfs_size,  # multiprocessing's semaphores live in /dev/shm
            "cap_drop": ["ALL"],
            "cap_add": ["SETUID", "SETGID", "KILL"],  # start student code as its own user; kill all of it
            "security_opt": ["no-new-privileges"],
            "ulimits": [Ulimit(name="nofile", soft=s.nofile, hard=s.nofile),
                        Ulimit(name="fsize", soft=s.fsize_bytes, hard=s.fsize_bytes),
                        Ulimit(name="core", soft=0, hard=0)],
            "init": True,
            # The log is the entry's stderr, read by the host from the attached streams (container_streams.py).
            "log_config": LogConfig(type="none"),
            "environment": {"LANG": "C.UTF-8"},
            "labels": {LABEL_RUN: self.run_id, LABEL_OWNER: f"{socket.gethostname()}:{os.getpid()}"},
            "stdin_open": True,  # the inputs go in on stdin
            "tty": False,
        }


def ensure_image(client, settings: DockerSettings) -> str:
    """The image to run: the configured one, the current build, or a build now (once, on first use)."""
    if settings.image:
        if not image_build.exists(client, settings.image):
            raise InfrastructureError("infra_no_image", image=settings.image,
                                      reason="it is not on this Docker engine")
        return settings.image
    found = image_build.find_image(client)
    if found:
        return found
    say = lambda line: log.warning("sandbox image: %s", line)  # noqa: E731 - progress for a minute-long wait
    say("not built yet; building it now, once (see `grader image build`)")
    attempts = {"auto": [False, True], "registry": [False], "registry-free": [True]}[settings.base]
    problems = []
    for registry_free in attempts:
        try:
            return image_build.build_image(client, registry_free=registry_free, say=say).tag
        except image_build.ImageError as exc:
            problems.append(str(exc))
            say(str(exc).splitlines()[0])
    raise InfrastructureError("infra_no_image", image=image_build.REPOSITORY, reason=" / ".join(
        p.splitlines()[0] for p in problems))


def lane_count(jobs: list[JudgeJob], lanes: int) -> int:
    """How many exercises the container judges at once: as asked, within the image's student users
    and the jobs there are."""
    return max(1, min(lanes, MAX_LANES, len(jobs)))


def inputs_archive(jobs: list[JudgeJob], lanes: int = 1, cpu_slots: list[int] | None = None) -> bytes:
    """The tar sent on the container's stdin, unpacked into /io: judge/ (root only: plan, hidden
    tests) and submission/ (readable by the students' users).

    The plan names one student user per lane: `lanes` exercises are judged at once; with
    `cpu_slots`, the CPU slot of each lane (host/cpu_slots.py), else the entry chooses."""
    buffer = io.BytesIO()
    now = time.time()

    def add(name: str, mode: int, data: bytes | None = None):
        info = tarfile.TarInfo(name)
        info.uid = info.gid = 0
        info.mtime = now
        info.mode = mode
        if data is None:
            info.type = tarfile.DIRTYPE
            tar.addfile(info)
        else:
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))

    lanes = lane_count(jobs, lanes)
    plan = {"students": [{"uid": STUDENT_UID + k, "gid": STUDENT_UID + k, "scratch": lane_scratch(k),
                          **({"cpu_slot": cpu_slots[k]} if cpu_slots else {})}
                         for k in range(lanes)], "jobs": []}
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        add("judge", 0o700)
        add("judge/exercises", 0o700)
        add("submission", 0o755)
        for job in jobs:
            ex = job.exercise
            tests = f"judge/exercises/{ex.slug}/tests"
            add(f"judge/exercises/{ex.slug}", 0o700)
            add(tests, 0o700)
            for f in sorted(ex.tests_dir.rglob("*")):
                if "__pycache__" in f.parts:
                    continue
                rel = f.relative_to(ex.tests_dir).as_posix()
                add(f"{tests}/{rel}", 0o700) if f.is_dir() else add(f"{tests}/{rel}", 0o600, f.read_bytes())
            add(f"submission/{ex.slug}", 0o755)
            add(f"submission/{ex.slug}/{ex.student_file}", 0o644, job.content)
            plan["jobs"].append({
                "slug": ex.slug, "tests_dir": f"/io/{tests}", "module": ex.module,
                "student_path": f"/io/submission/{ex.slug}/{ex.student_file}",
                "check_backstop": ex.spec.check_timeout, "time_limit": ex.spec.time_limit,
            })
        add("judge/plan.json", 0o600, json.dumps(plan).encode())
    return buffer.getvalue()


def _memory_killed(run: JudgeRun) -> bool:
    """The judge saw the OOM killer end student code: by the cgroup's count, or a check's verdict
    says so (Docker's OOMKilled flag comes from an event it can miss)."""
    if run.oom_kills:
        return True
    for test in (run.report or {}).get("tests") or []:
        verdict = (test.get("metadata") or {}).get("verdict") if isinstance(test, dict) else None
        if isinstance(verdict, dict) and (verdict.get("message") or {}).get("id") == "memory_limit":
            return True
    return False


def remove_leftovers(client) -> int:
    """Remove containers of ours whose grader process on this host is gone (an earlier crash)."""
    here = socket.gethostname()
    removed = 0
    # ignore_removed: another grading's container may be removed between the listing and its inspection
    for container in client.containers.list(all=True, filters={"label": LABEL_OWNER}, ignore_removed=True):
        host, _, pid = container.labels.get(LABEL_OWNER, "").rpartition(":")
        if host != here or not pid.isdigit() or _alive(int(pid)):
            continue
        _remove(container)
        removed += 1
    if removed:
        log.warning(fill("removed {n} {n:container|containers} left by an earlier grader run", {"n": removed}))
    return removed


def remove_own_containers() -> int:
    """Remove every container this grader process created and is still running (Ctrl-C)."""
    import docker

    client = docker.from_env(timeout=30)
    own = f"{socket.gethostname()}:{os.getpid()}"
    removed = 0
    for container in client.containers.list(all=True, filters={"label": f"{LABEL_OWNER}={own}"},
                                            ignore_removed=True):
        _remove(container)
        removed += 1
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _wait(container, wall: float) -> bool:
    """Wait for the container to stop; kill it at `wall` seconds. True if the wall clock stopped it."""
    try:
        container.wait(timeout=wall)
        return False
    except (ReadTimeout, RequestsConnectionError):
        try:
            container.kill()
            container.wait(timeout=30)
        except (APIError, DockerException, ReadTimeout, RequestsConnectionError):
            pass
        return True


def _inspect_state(container) -> dict:
    try:
        container.reload()
    except (APIError, DockerException) as exc:
        raise InfrastructureError("infra_engine_error", reason=docker_engine.short_error(exc)) from exc
    return container.attrs.get("State") or {}


def _remove(container) -> None:
    try:
        container.remove(force=True, v=True)  # v: any anonymous volume goes too
    except NotFound:
        pass
    except (APIError, DockerException) as exc:
        log.warning("could not remove container %s: %s", container.short_id, exc)
