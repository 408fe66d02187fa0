"""Build the container sandbox's image, tagged with a hash of everything that goes into it.

The tag changes when the Dockerfile, the harness code or a pinned package changes, so the image is
built once per change and reused otherwise. Two bases:

- registry: the official python:3.11-slim, pulled from a container registry;
- registry-free: Debian bookworm made with debootstrap from Debian's package mirror, then
  `docker import`ed; for exam rooms and servers that reach no container registry.

Either way the Python packages come from wheels downloaded on the host (`pip download`), and the
build itself runs with no network.
"""

from __future__ import annotations

import hashlib
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from docker.errors import APIError, BuildError, ImageNotFound

from ..packs import project_root

REPOSITORY = "concurrency-grader-sandbox"
BASE_REPOSITORY = "concurrency-grader-base"
REGISTRY_BASE = "python:3.11-slim"
DEBIAN_SUITE = "bookworm"
DEBIAN_PACKAGES = ("python3", "python3-venv")
DEFAULT_MIRROR = os.environ.get("GRADER_DEBIAN_MIRROR", "http://deb.debian.org/debian")
DOCKERFILE = Path(__file__).resolve().with_name("Dockerfile")
GRADER_PACKAGE = Path(__file__).resolve().parents[2]
# Only what runs inside the sandbox goes into the image: the harness and what it imports.
HARNESS_PATHS = ("__init__.py", "pipes.py", "procfs.py", "harness")
LABEL = "org.concurrency-grader.sandbox"
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "concurrency-grader"


class ImageError(Exception):
    """The image could not be built; the message says why and what to do next."""


@dataclass
class BuildReport:
    tag: str
    base: str
    built: bool  # False: the tag already existed
    seconds: float


def pins() -> list[str]:
    """The image's pinned packages: the `sandbox-image` extra of pyproject.toml in a checkout, or of
    the installed distribution's metadata (a handout's kit installs the grader from a wheel)."""
    pyproject = project_root() / "pyproject.toml"
    if pyproject.exists():
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        return list(data["project"]["optional-dependencies"]["sandbox-image"])
    from importlib.metadata import requires

    marker = 'extra == "sandbox-image"'
    return [r.split(";")[0].strip() for r in requires("concurrency-grader") or [] if marker in r]


def harness_files() -> dict[str, bytes]:
    files = {}
    for name in HARNESS_PATHS:
        path = GRADER_PACKAGE / name
        for f in sorted([path] if path.is_file() else path.rglob("*")):
            if f.is_file() and "__pycache__" not in f.parts and f.suffix != ".pyc":
                files[f.relative_to(GRADER_PACKAGE).as_posix()] = f.read_bytes()
    return files


def image_tag(registry_free: bool) -> str:
    digest = hashlib.sha256()
    digest.update(b"registry-free:" + DEBIAN_SUITE.encode() + ",".join(DEBIAN_PACKAGES).encode()
                  if registry_free else b"registry:" + REGISTRY_BASE.encode())
    digest.update(DOCKERFILE.read_bytes())
    digest.update("\n".join(pins()).encode())
    for name, content in harness_files().items():
        digest.update(name.encode() + b"\0" + hashlib.sha256(content).digest())
    return f"{REPOSITORY}:{'deb' if registry_free else 'py'}-{digest.hexdigest()[:16]}"


def exists(client, tag: str) -> bool:
    try:
        client.images.get(tag)
        return True
    except ImageNotFound:
        return False


def find_image(client) -> str | None:
    """The current image, from either base, if it was built already."""
    for registry_free in (False, True):
        tag = image_tag(registry_free)
        if exists(client, tag):
            return tag
    return None


def build_image(client, *, registry_free: bool, mirror: str = DEFAULT_MIRROR,
                say: Callable[[str], None] = lambda line: None) -> BuildReport:
    """Build the image unless its tag exists; raise ImageError with what to do if it cannot."""
    started = time.monotonic()
    tag = image_tag(registry_free)
    if exists(client, tag):
        return BuildReport(tag, "", False, time.monotonic() - started)
    base = _debian_base(client, mirror, say) if registry_free else _registry_base(client, say)
    with tempfile.TemporaryDirectory(prefix="grader-image-") as tmp:
        context = Path(tmp)
        shutil.copy(DOCKERFILE, context / "Dockerfile")
        (context / "requirements.txt").write_text("\n".join(pins()) + "\n", encoding="utf-8")
        shutil.copytree(_wheels(say), context / "wheels", ignore=shutil.ignore_patterns(".complete"))
        for name, content in harness_files().items():
            target = context / "grader" / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        say(f"building {tag} on {base} (no network inside the build)")
        try:
            client.images.build(path=str(context), tag=tag, buildargs={"BASE": base}, network_mode="none",
                                rm=True, forcerm=True, pull=False, labels={LABEL: "1"})
        except BuildError as exc:
            tail = "".join(str(chunk.get("stream", chunk.get("error", ""))) for chunk in exc.build_log)[-2000:]
            raise ImageError(f"the image build failed: {exc.msg}\n{tail}") from exc
        except APIError as exc:
            raise ImageError(f"the Docker engine refused the build: {exc.explanation}") from exc
    return BuildReport(tag, base, True, time.monotonic() - started)


def _registry_base(client, say) -> str:
    repository, _, tag = REGISTRY_BASE.partition(":")
    if exists(client, REGISTRY_BASE):
        return REGISTRY_BASE
    say(f"pulling {REGISTRY_BASE}")
    try:
        client.images.pull(repository, tag=tag)
    except APIError as exc:
        raise ImageError(
            f"could not pull {REGISTRY_BASE} ({exc.explanation}). Without a registry, build from "
            "Debian's packages instead: grader image build --registry-free") from exc
    return REGISTRY_BASE


def _debian_base(client, mirror: str, say) -> str:
    """Debian made with debootstrap, imported as an image; reused while its packages list is the same."""
    key = hashlib.sha256(f"{DEBIAN_SUITE} {' '.join(DEBIAN_PACKAGES)} {platform.machine()}".encode()).hexdigest()
    tag = f"{BASE_REPOSITORY}:{DEBIAN_SUITE}-{key[:12]}"
    if exists(client, tag):
        return tag
    if shutil.which("debootstrap") is None:
        raise ImageError("debootstrap is not installed. Install it (apt-get install debootstrap), then run "
                         "grader image build --registry-free again.")
    if os.geteuid() != 0:
        raise ImageError("debootstrap needs root to build the base. Run: sudo grader image build --registry-free")
    with tempfile.TemporaryDirectory(prefix="grader-rootfs-") as tmp:
        root = Path(tmp) / "root"
        say(f"debootstrap {DEBIAN_SUITE} from {mirror} (a minute or two, once)")
        proc = subprocess.run(
            ["debootstrap", "--variant=minbase", f"--include={','.join(DEBIAN_PACKAGES)}", DEBIAN_SUITE,
             str(root), mirror], capture_output=True, text=True)
        if proc.returncode != 0:
            raise ImageError(f"debootstrap failed (exit {proc.returncode}); is {mirror} reachable? Set "
                             f"GRADER_DEBIAN_MIRROR to a Debian mirror you can reach.\n{proc.stdout[-1500:]}"
                             f"{proc.stderr[-1500:]}")
        for cache in ("var/cache/apt/archives", "var/lib/apt/lists"):
            shutil.rmtree(root / cache, ignore_errors=True)
        archive = Path(tmp) / "rootfs.tar"
        with tarfile.open(archive, "w") as tar:
            for entry in sorted(root.iterdir()):
                tar.add(entry, arcname=entry.name)
        say(f"importing the root filesystem as {tag}")
        repository, _, name = tag.partition(":")
        try:
            client.api.import_image_from_file(str(archive), repository=repository, tag=name)
        except APIError as exc:
            raise ImageError(f"docker import failed: {exc.explanation}") from exc
    return tag


def _wheels(say) -> Path:
    """The pinned packages' wheels for the image's Python, downloaded once per set of pins."""
    wanted = pins()
    folder = CACHE / "wheels" / hashlib.sha256("\n".join(wanted).encode()).hexdigest()[:16]
    if (folder / ".complete").exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    machine = platform.machine()
    say(f"downloading {len(wanted)} wheels for the image")
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
         "--python-version", "3.11", "--implementation", "cp", "--abi", "cp311", "--abi", "abi3", "--abi", "none",
         "--platform", f"manylinux_2_28_{machine}", "--platform", f"manylinux2014_{machine}",
         "--platform", "any", "--dest", str(folder), *wanted], capture_output=True, text=True)
    if proc.returncode != 0:
        raise ImageError(f"pip could not download the image's packages; is PyPI (or your index) reachable?\n"
                         f"{proc.stderr[-1500:]}")
    (folder / ".complete").write_text("")  # a download cut short is not taken for a cache
    return folder
