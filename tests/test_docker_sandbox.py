"""The container sandbox's own behaviour: infrastructure errors, the host's wall clock, cleanup."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from .conftest import ROOT, run_cli

HOSTILE = ROOT / "tests" / "hostile"


def test_no_engine_is_an_infrastructure_error_not_a_zero(tmp_path):
    sub = tmp_path / "sub"
    sub.mkdir()
    shutil.copy(ROOT / "solutions" / "race-counter" / "race_counter.py", sub)
    env = {**os.environ, "DOCKER_HOST": f"unix://{tmp_path}/no-engine.sock"}
    proc = subprocess.run([sys.executable, "-m", "grader.cli", "grade", str(sub), "--student", "a", "--out",
                           str(tmp_path / "out"), "--sandbox", "docker", "--exercise", "race-counter"],
                          capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=120)
    assert proc.returncode == 3, proc.stdout + proc.stderr
    report = json.loads((tmp_path / "out" / "a" / "report.json").read_text(encoding="utf-8"))
    assert report["status"] == "infrastructure_error" and report["score"] is None
    assert {e["status"] for e in report["exercises"]} == {"infrastructure_error"}
    assert all(e["score"] is None for e in report["exercises"])
    assert "start Docker" in report["sandbox_message"]
    assert "not graded" in (tmp_path / "out" / "a" / "report.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("samples", [[], ["--samples"]])
def test_check_without_an_engine_says_not_graded_instead_of_comparing(tmp_path, samples):
    """`grader check` (solutions and starters, or every sample) on no engine: exit 3 and why, not a
    difference per case nor a TypeError on a null score."""
    env = {**os.environ, "DOCKER_HOST": f"unix://{tmp_path}/no-engine.sock"}
    proc = subprocess.run([sys.executable, "-m", "grader.cli", "check", "--exercise", "race-counter", *samples,
                           "--sandbox", "docker"], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "Not graded:" in proc.stdout and "Traceback" not in proc.stdout + proc.stderr


@pytest.mark.docker
def test_the_hosts_wall_clock_stops_the_container(tmp_path, docker_image):
    sub = tmp_path / "sub"
    sub.mkdir()
    shutil.copy(HOSTILE / "sleeps_forever_at_import.py", sub / "race_counter.py")
    config = tmp_path / "grader.yaml"
    config.write_text("docker:\n  wall_seconds: 1\n")  # the judge alone needs 3 s to give up on this import
    proc = run_cli("grade", str(sub), "--student", "a", "--out", str(tmp_path / "out"), "--sandbox", "docker",
                   "--exercise", "race-counter", "--config", str(config))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads((tmp_path / "out" / "a" / "report.json").read_text(encoding="utf-8"))
    assert report["sandbox_outcome"] == "timeout" and report["status"] == "graded"
    (exercise,) = report["exercises"]
    assert exercise["score"] == 0 and {c["status"] for c in exercise["checks"]} == {"timeout"}
    assert "1 s" in exercise["message"]


@pytest.mark.docker
def test_leftovers_of_a_dead_grader_are_removed_and_live_ones_kept(docker_image):
    import docker

    from grader.host.sandboxes.container import LABEL_OWNER, remove_leftovers

    client = docker.from_env()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    host = __import__("socket").gethostname()
    orphan = client.containers.create(docker_image, command=["true"],
                                      labels={LABEL_OWNER: f"{host}:{dead.stdout.strip()}"})
    alive = client.containers.create(docker_image, command=["true"], labels={LABEL_OWNER: f"{host}:{os.getpid()}"})
    try:
        assert remove_leftovers(client) >= 1
        ids = {c.id for c in client.containers.list(all=True, filters={"label": LABEL_OWNER}, ignore_removed=True)}
        assert orphan.id not in ids and alive.id in ids
    finally:
        for c in (orphan, alive):
            try:
                c.remove(force=True, v=True)
            except docker.errors.NotFound:
                pass


@pytest.mark.docker
def test_a_container_removed_while_leftovers_are_listed_is_skipped():
    # Parallel gradings remove their own containers at any moment: one listed and gone before docker-py
    # inspects it must not become an infrastructure error (CI saw it once). docker-py's own listing,
    # against an engine that answers the list with two containers and the inspection of one with 404.
    import socket

    from docker.errors import NotFound
    from docker.models.containers import ContainerCollection

    from grader.host.sandboxes.container import LABEL_OWNER, remove_leftovers

    removed = []

    class Api:
        def containers(self, **kwargs):
            return [{"Id": "gone"}, {"Id": "left"}]

        def inspect_container(self, container_id):
            if container_id == "gone":
                raise NotFound("No such container: gone")
            return {"Id": container_id, "Config": {"Labels": {LABEL_OWNER: f"{socket.gethostname()}:999999999"}}}

        def remove_container(self, container_id, **kwargs):
            removed.append(container_id)

    class Client:
        api = Api()

    client = Client()
    client.containers = ContainerCollection(client=client)
    assert remove_leftovers(client) == 1 and removed == ["left"]


def test_image_build_reuses_the_tag_when_nothing_changed(docker_image):
    proc = run_cli("image", "build", "--registry-free")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"{docker_image}: already built" in proc.stdout


@pytest.mark.slow  # every exercise in a container, ~15 s (round 0 of test_docker_samples covers it in make test)
@pytest.mark.docker
def test_one_container_grades_every_exercise_of_a_student(tmp_path, docker_image):
    sub = tmp_path / "sub"
    sub.mkdir()
    for folder in (ROOT / "solutions").iterdir():
        for f in folder.glob("*.py"):
            shutil.copy(f, sub)
    proc = run_cli("grade", str(sub), "--student", "a", "--out", str(tmp_path / "out"), "--sandbox", "docker")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads((tmp_path / "out" / "a" / "report.json").read_text(encoding="utf-8"))
    assert report["score"] == report["max_score"] and report["sandbox"] == "docker"
    assert "(docker sandbox)" in proc.stdout


@pytest.mark.slow  # a batch of containers stopped by Ctrl-C: ~20 s
@pytest.mark.docker
def test_ctrl_c_in_a_batch_removes_running_containers_and_keeps_finished_reports(tmp_path, docker_image):
    import signal
    import time

    import docker

    from grader.host.sandboxes.container import LABEL_OWNER

    cls = tmp_path / "class"
    (cls / "a-fast").mkdir(parents=True)
    shutil.copy(ROOT / "solutions" / "race-counter" / "race_counter.py", cls / "a-fast")
    for name in ("b-slow", "c-slow"):
        (cls / name).mkdir()
        # Imports fine, then every check hangs until its backstop: slow whatever the machine's load.
        (cls / name / "race_counter.py").write_text(
            "import signal\n\nclass Counter:\n    def __init__(self, start=0):\n        signal.pause()\n\n"
            "def run(n, start=100):\n    signal.pause()\n")
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "grader.cli", "batch", str(cls), "--out", str(out),
                             "--sandbox", "docker", "--workers", "2"], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True,
                            # A suite started in the background inherits SIGINT ignored; Ctrl-C is the point here.
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    client = docker.from_env()
    owner = f"{__import__('socket').gethostname()}:{proc.pid}"
    deadline = time.monotonic() + 120  # hang guard
    while not ((out / "a-fast" / "report.json").exists()
               and client.containers.list(filters={"label": f"{LABEL_OWNER}={owner}"}, ignore_removed=True)):
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.1)
    proc.send_signal(signal.SIGINT)
    output, _ = proc.communicate(timeout=60)
    assert proc.returncode == 130, output
    assert client.containers.list(all=True, filters={"label": f"{LABEL_OWNER}={owner}"}, ignore_removed=True) == []
    assert json.loads((out / "a-fast" / "report.json").read_text(encoding="utf-8"))["score"] == 10.0
    assert not (out / "b-slow" / "report.json").exists() and not (out / "c-slow" / "report.json").exists()
    assert "run the same command again" in output


IN_CONTAINER_SCENARIO = r'''
import json, os, pathlib
from grader.harness.judge.child_runner import run_scenario
prog = pathlib.Path("/tmp/prog/prog.py")
prog.parent.mkdir()
prog.write_text("""
import os
def main():
    with open("/proc/self/oom_score_adj") as fh:
        oom = int(fh.read())
    with open("/proc/self/status") as fh:
        caps = [line.split()[1] for line in fh if line.startswith("CapEff")]
    owner = os.stat(f"/proc/{os.getpid()}").st_uid  # what the judge's sweep goes by
    return [os.getuid(), os.getgid(), os.getgroups(), os.nice(0), oom, caps[0], owner]
""")
os.chmod(prog.parent, 0o755)
os.environ.update(GRADER_STUDENT_UID="10001", GRADER_STUDENT_GID="10001")
scenario = "def call_main(module, probe):\n    return {'value': probe.encode(module.main())}\n"
outcome = run_scenario(student_file=prog, module="prog", scenario_source=scenario, function="call_main")
print(json.dumps([outcome.status, outcome.observations, outcome.output]))
'''


@pytest.mark.docker
def test_student_code_in_the_container_runs_as_the_student_without_privileges(docker_image):
    """The fork server is root; each child it forks must drop everything before student code runs."""
    import docker

    from grader.host.sandboxes.container import STUDENT_UID, DockerSandbox

    options = DockerSandbox().container_options()
    options["labels"] = {}  # not ours to sweep: this container is removed right here
    # Its output read from the engine's log, not the attached streams the sandbox reads.
    options.update(log_config=docker.types.LogConfig(type="json-file"), stdin_open=False)
    output = docker.from_env().containers.run(docker_image, ["python", "-c", IN_CONTAINER_SCENARIO],
                                              remove=True, **options)
    status, observations, child_output = json.loads(output.decode().strip().splitlines()[-1])
    assert status == "ok", child_output
    uid, gid, groups, nice, oom_score_adj, effective_caps, proc_owner = observations["value"]
    assert (uid, gid, groups, proc_owner) == (STUDENT_UID, STUDENT_UID, [], STUDENT_UID)
    assert nice == 19 and oom_score_adj == 1000
    assert int(effective_caps, 16) == 0
