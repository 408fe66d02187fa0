"""deploy/compose.yaml against the grader itself (docs/department-server.md): every service's command
parses with the grader's own command line, site and workers share one database and one broker, the
workers reach the Docker engine, the site's data folder is kept, only the site is published. And
the site behind the HTTPS proxy the file publishes it to (GRADER_HTTPS=1) accepts the forms a
browser posts from its https:// pages.

The file is read as Compose reads it: YAML (merge keys included), then ${VAR} interpolated from
deploy/.env.example with the two values an operator must fill in filled in.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlparse

import pytest
import requests
import yaml

from grader.cli import build_parser

from .live import LiveSite

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
COMPOSE = DEPLOY / "compose.yaml"
FILLED_IN = {"POSTGRES_PASSWORD": "0123abcd", "DOCKER_GID": "999"}
GRADER_SERVICES = {"site": "serve", "worker": "worker"}
SOCKET = "/var/run/docker.sock"

# ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR?error}; $$ is a literal $.
_VARIABLE = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}")


def env_example() -> dict[str, str]:
    values = {}
    for line in (DEPLOY / ".env.example").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


def interpolate(value, env: dict[str, str]):
    if isinstance(value, dict):
        return {k: interpolate(v, env) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v, env) for v in value]
    if not isinstance(value, str):
        return value

    def one(m: re.Match) -> str:
        if m.group(0) == "$$":
            return "$"
        name, how, word = m.group(1), m.group(2) or "", m.group(3) or ""
        present = name in env and (env[name] != "" or not how.startswith(":"))
        if how.endswith("-"):
            return env[name] if present else word
        if how.endswith("?"):
            if not present:
                raise KeyError(f"{name} must be set: {word}")
            return env[name]
        return env.get(name, "")

    return _VARIABLE.sub(one, value)


def load(env: dict[str, str]) -> dict:
    return interpolate(yaml.safe_load(COMPOSE.read_text(encoding="utf-8")), env)


@pytest.fixture(scope="module")
def compose() -> dict:
    return load({**env_example(), **FILLED_IN})


def parsed(service: dict):
    command = service["command"]
    assert isinstance(command, list) and command[0] == "grader", f"not a grader command: {command}"
    parser, _ = build_parser()
    try:
        return parser.parse_args(command[1:])
    except SystemExit:  # argparse printed which option it refused
        pytest.fail(f"the grader refuses this command: {' '.join(command)}")


def mounts(service: dict) -> dict[str, str]:
    """{target in the container: source} of a service's volumes (short or long syntax)."""
    found = {}
    for volume in service.get("volumes", []):
        if isinstance(volume, dict):
            found[volume["target"]] = volume.get("source", "")
        else:
            source, _, rest = volume.partition(":")
            found[rest.split(":")[0]] = source
    return found


def test_each_grader_service_runs_a_command_the_grader_has(compose):
    for name, command in GRADER_SERVICES.items():
        args = parsed(compose["services"][name])
        assert args.command == command, name
        assert args.data is not None, f"{name}: no --data"
    site, worker = parsed(compose["services"]["site"]), parsed(compose["services"]["worker"])
    assert site.host == "0.0.0.0", "the site must listen beyond its container's loopback"
    assert site.workers == 0, "the site grades nothing itself: the worker service does"
    assert worker.sandbox == "docker", "a worker must grade in containers, never in the local sandbox"
    assert worker.judges >= 1


def test_site_and_workers_share_one_database_and_one_broker(compose):
    services = compose["services"]
    envs = {name: services[name].get("environment", {}) for name in GRADER_SERVICES}
    for key in ("GRADER_DB", "GRADER_BROKER"):
        values = {name: env.get(key) for name, env in envs.items()}
        assert len(set(values.values())) == 1 and None not in values.values(), f"{key} differs: {values}"
    db, broker = urlparse(envs["site"]["GRADER_DB"]), urlparse(envs["site"]["GRADER_BROKER"])
    assert db.scheme == "postgres" and broker.scheme == "redis"
    assert db.hostname in services and broker.hostname in services, "the URLs must name the compose services"
    postgres = services[db.hostname]["environment"]
    assert (db.username, db.password, db.path.lstrip("/")) == (
        postgres["POSTGRES_USER"], postgres["POSTGRES_PASSWORD"], postgres["POSTGRES_DB"]), \
        "the grader's postgres:// URL must match the database service's user, password and name"
    for name in GRADER_SERVICES:
        assert db.hostname in services[name]["depends_on"] and broker.hostname in services[name]["depends_on"]


def test_workers_reach_the_host_docker_engine_and_the_site_does_not(compose):
    services = compose["services"]
    worker = services["worker"]
    assert mounts(worker).get(SOCKET) == SOCKET, "the worker starts sandboxes through the host's Docker socket"
    user = str(worker.get("user", "0")).split(":")[0]
    if user not in ("0", "root"):  # a non-root worker reads the socket through its group
        assert worker.get("group_add"), "a non-root worker needs the socket's group (group_add)"
    for name, service in services.items():
        if name != "worker":
            assert SOCKET not in mounts(service), f"{name} must not hold the Docker socket (root on the host)"


def test_every_worker_takes_cpu_slots_in_one_shared_folder(compose):
    """Replicas each have their own /tmp: the slots' folder (grader/host/cpu_slots.py) must be one
    named volume for all of them, or two workers' judges pin to one CPU while another idles."""
    from grader.host.cpu_slots import FOLDER_NAME

    dockerfile = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    assert "TMPDIR" not in dockerfile and "TMPDIR" not in str(compose["services"]["worker"])
    folder = f"/tmp/{FOLDER_NAME}"  # with no TMPDIR, where cpu_slots looks
    volume = mounts(compose["services"]["worker"]).get(folder)
    assert volume in compose["volumes"], f"{folder} must be a named volume, shared by the replicas"
    assert f"chmod 1777 {folder}" in dockerfile, "the volume takes its mode from the image: every worker's user"


def test_the_sites_data_folder_is_a_named_volume_and_no_worker_shares_it(compose):
    services = compose["services"]
    site_data = str(parsed(services["site"]).data)
    volume = mounts(services["site"]).get(site_data)
    assert volume in compose["volumes"], f"the site's --data {site_data} must be a named volume (its secret key)"
    assert volume not in mounts(services["worker"]).values(), \
        "workers keep their own data folder (replicas would share one secret key file and race to make it)"
    assert "/var/lib/postgresql/data" in mounts(services["db"]), "PostgreSQL's data must be a volume"


def test_only_the_site_is_published_on_its_listening_port(compose):
    services = compose["services"]
    published = {name for name, service in services.items() if service.get("ports")}
    assert published == {"site"}, f"only the site may be reachable from outside: {published}"
    (port,) = services["site"]["ports"]
    bind, _, rest = str(port).partition(":")
    assert bind == "127.0.0.1", "by default only the HTTPS proxy on the host reaches the site"
    assert rest.split(":")[1] == str(parsed(services["site"]).port), "the published port is not the site's --port"


def test_every_variable_is_in_the_env_example_and_the_required_ones_are_left_empty():
    text = COMPOSE.read_text(encoding="utf-8")
    example = env_example()
    used = [(m.group(1), m.group(2) or "") for m in _VARIABLE.finditer(text) if m.group(1)]
    names = {name for name, _ in used}
    assert names <= set(example), f"not in deploy/.env.example: {sorted(names - set(example))}"
    required = {name for name, how in used if how.endswith("?")}
    assert required == set(FILLED_IN), required
    assert all(example[name] == "" for name in required), "a required secret must not ship with a value"
    with pytest.raises(KeyError, match="POSTGRES_PASSWORD"):
        load(example)  # as shipped, Compose refuses to start: the password was not chosen


def test_the_dockerfile_copies_only_what_the_build_context_lets_in():
    """deploy/Dockerfile is built from the repository's root; .dockerignore lets in only a few paths."""
    allowed = [line[1:] for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
               if line.startswith("!")]
    dockerfile = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    sources = [line.split()[1].rstrip("/") for line in dockerfile.splitlines() if line.startswith("COPY ")]
    assert sources, "no COPY in deploy/Dockerfile"
    for source in sources:
        assert any(source == a or source.startswith(a + "/") for a in allowed), f"{source} is not in the context"
        assert (ROOT / source).exists() or source == "deploy/wheels", f"{source} is not in the repository"
    assert "ENV " in dockerfile and "GRADER_EXERCISES=/opt/grader/exercises" in dockerfile
    assert "COPY exercises/ /opt/grader/exercises/" in dockerfile, "the packs must be where GRADER_EXERCISES says"


def _compose_command() -> list[str] | None:
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    if shutil.which("docker") and subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0:
        return ["docker", "compose"]
    return None


def test_compose_itself_accepts_the_file(tmp_path):
    command = _compose_command()
    if command is None:
        reason = "neither `docker compose` nor docker-compose is installed"
        if os.environ.get("GRADER_REQUIRE_DOCKER") == "1":  # CI (.ci/run) installs it
            pytest.fail(f"{reason}; GRADER_REQUIRE_DOCKER=1 makes this a failure, not a skip")
        pytest.skip(reason)
    env_file = tmp_path / "env"
    env_file.write_text("".join(f"{k}={v}\n" for k, v in {**env_example(), **FILLED_IN}.items()), encoding="utf-8")
    proc = subprocess.run([*command, "--env-file", str(env_file), "-f", str(COMPOSE), "config", "--quiet"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr


def test_behind_an_https_proxy_the_sites_forms_are_accepted(tmp_path):
    """The proxy terminates HTTPS and forwards plain HTTP with the Host header: with GRADER_HTTPS=1 (the
    compose file's default), a form posted from https://HOST/ passes Django's CSRF origin check."""
    host = "grader.example.edu"
    site = LiveSite(tmp_path / "site", "--workers", "0", env={"GRADER_HTTPS": "1"})
    try:
        page = requests.get(f"{site.url}/people/sign-in/", headers={"Host": host}, timeout=30)
        cookie = re.search(r"csrftoken=([^;]+)", page.headers["Set-Cookie"])
        form = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert cookie and form, "the sign-in page has no CSRF token"
        answer = requests.post(f"{site.url}/people/sign-in/", timeout=30, allow_redirects=False,
                               data={"csrfmiddlewaretoken": form.group(1), "username": "nobody", "password": "x"},
                               headers={"Host": host, "Origin": f"https://{host}",
                                        "Referer": f"https://{host}/people/sign-in/",
                                        "Cookie": f"csrftoken={cookie.group(1)}"})
    finally:
        site.stop()
    assert answer.status_code == 200, f"the form was refused ({answer.status_code}): {answer.text[:300]}"
    assert "csrfmiddlewaretoken" in answer.text  # the sign-in page again, saying the password is wrong
