"""`grader handout`: the kit a teacher hands out, in a folder or a .zip.

    kit/
      README.md, Makefile            how to work and self-check (`make check`), in the chosen language
      <slug>/<student_file>          the starter, where the student works (its docstrings and
                                     comments in the chosen language: starter_i18n.py)
      <slug>/README.md               the exercise's task, in the chosen language
      .grader/packs/<slug>/          the pack with its visible checks only (visible_pack.py)
      check.py                       the same self-check with no `make` (Windows: `py check.py`); it
                                     also sets up the kit's venv for the Makefile
      .grader/wheels/                the grader itself as a wheel (and, with `wheels=True`, every
                                     package it needs for each of PLATFORMS, for installing offline)
      .grader/wheels/platforms.json  which platforms' wheels are all there (check.py reads it first)

No reference solution, no sample answer and no hidden check goes in (tests/test_handout.py looks).
`make check` installs the grader into `.grader/venv` and runs `grader check . --started-only` with the
kit's packs: the same judge as the teacher's, in Docker when an engine answers, else on this machine,
for the exercises whose file is no longer its starter; `make check EX=<slug>` for that one only.
`make submit EX=<slug>` hands it in to the course site (`server`, grader/client.py).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined

from . import pack_i18n
from .assignment import Plan
from .messages import MessageError
from .packs import Exercise, project_root
from .visible_pack import write_visible_pack

# The computers a `--wheels` kit installs on offline: the kit's name for each (check.py computes the
# same from sys.platform and platform.machine()) and pip's --platform tags for it. pip widens a macOS
# tag to the older versions and universal2, but not manylinux_2_X: those are listed (glibc 2.17-2.28).
PLATFORMS = {
    "linux-x86_64": ["manylinux2014_x86_64", "manylinux_2_17_x86_64", "manylinux_2_28_x86_64"],
    "linux-aarch64": ["manylinux2014_aarch64", "manylinux_2_17_aarch64", "manylinux_2_28_aarch64"],
    "macos-arm64": ["macosx_14_0_arm64"],
    "macos-x86_64": ["macosx_13_0_x86_64"],
    "windows-x86_64": ["win_amd64"],
}
PYTHONS = ["3.11", "3.12", "3.13"]


def make_handout(exercises: list[Exercise], out: Path, lang: str = "en", wheels: bool = False,
                 assignment: Plan | None = None, server: str = "",
                 on_missing: Callable[[str, str], None] | None = None) -> Path:
    """Write the kit to `out` (a folder, or a .zip file); returns `out`. With an assignment (its
    plan: assignment.plan), the kit's README has its title, its deadline and each exercise's points.
    `server`, the course site's address, is `make submit`'s default (SERVER=... otherwise). With
    `wheels`, `on_missing(platform, package)` is told of each platform/Python left incomplete."""
    chosen = assignment if assignment is not None and assignment.assigned else None
    out = Path(out)
    if out.exists():
        raise HandoutError("out_exists", option="--out", path=str(out))
    if wheels:
        _index_answers()
    with tempfile.TemporaryDirectory(prefix="grader-handout-") as tmp:
        kit = Path(tmp) / (out.stem if out.suffix.lower() == ".zip" else out.name)
        kit.mkdir()
        titles = []
        for ex in exercises:
            (kit / ex.slug).mkdir()
            starter = pack_i18n.starter(ex, lang)  # its docstrings and comments in the kit's language
            (kit / ex.slug / ex.student_file).write_bytes(starter)
            shutil.copy2(pack_i18n.readme(ex, lang), kit / ex.slug / "README.md")
            write_visible_pack(ex, kit / ".grader" / "packs" / ex.slug)
            # the self-check tells a started exercise from its starter by this copy (self_check.py)
            (kit / ".grader" / "packs" / ex.slug / ex.student_file).write_bytes(starter)
            titles.append({"slug": ex.slug, "student_file": ex.student_file,
                           "title": pack_i18n.pack_text(ex, ex.spec.title, lang),
                           "points": f"{chosen.points[ex.slug]:g}" if chosen else ""})
        env = Environment(loader=PackageLoader("grader", "templates/handout"), undefined=StrictUndefined,
                          keep_trailing_newline=True)
        deadline = chosen.assignment.deadline if chosen and chosen.assignment else None
        example = exercises[0].slug if exercises else "race-counter"
        (kit / "README.md").write_text(env.get_template(f"README.{lang}.md.j2").render(
            exercises=titles, example=example, server=server, title=chosen.title if chosen else "",
            deadline=deadline.isoformat(sep=" ", timespec="minutes") if deadline else ""), encoding="utf-8")
        (kit / "Makefile").write_text(env.get_template("Makefile.j2").render(
            lang=lang, example=example, server=server), encoding="utf-8")
        (kit / "check.py").write_text(check_py(lang), encoding="utf-8")
        _wheels(kit / ".grader" / "wheels", with_dependencies=False)
        complete, missing = _platform_wheels(kit / ".grader" / "wheels") if wheels else ([], {})
        (kit / ".grader" / "wheels" / "platforms.json").write_text(json.dumps(
            {"complete": complete, "missing": missing}, indent=1) + "\n", encoding="utf-8")
        for where, package in missing.items():
            if on_missing is not None:
                on_missing(where, package)
        if out.suffix.lower() == ".zip":
            _zip(kit, out)
        else:
            shutil.copytree(kit, out, symlinks=False)
    return out


def _wheels(folder: Path, with_dependencies: bool) -> None:
    """The grader as a wheel, built from this checkout (hidden tests and solutions are not in the
    package); and its dependencies, downloaded for this platform and Python, when asked."""
    root = project_root()
    if not (root / "pyproject.toml").exists():
        raise HandoutError("handout_needs_checkout")
    folder.mkdir(parents=True)
    pip = [sys.executable, "-m", "pip"]
    with tempfile.TemporaryDirectory() as build:  # an out-of-tree build leaves the checkout clean
        source = Path(build) / "source"
        shutil.copytree(root, source, ignore=shutil.ignore_patterns(
            ".git", ".venv", "*.egg-info", "__pycache__", "build", "dist", "reports", "bench", "tests",
            "exercises", "solutions", "docs"))
        wheel = [*pip, "wheel", "--quiet", "--no-deps", "--wheel-dir", str(folder), str(source)]
        try:  # with the build tools at hand, no network is needed; else pip fetches them
            _run([*wheel[:4], "--no-build-isolation", *wheel[4:]])
        except HandoutError:
            _run(wheel)
    if with_dependencies:
        built = next(folder.glob("concurrency_grader-*.whl"))
        _run([*pip, "download", "--quiet", "--dest", str(folder), "--only-binary", ":all:", str(built)])


def _index_answers() -> None:
    """One small pure-Python download, before anything is built: no index at all is said as such,
    not as a failed build or as every platform missing."""
    with tempfile.TemporaryDirectory() as probe:
        done = subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--dest", probe, "--no-deps",
                               "--only-binary", ":all:", "pytest>=8"], capture_output=True, text=True)
    if done.returncode != 0:
        raise HandoutError("handout_no_index", output=(done.stdout + done.stderr)[-1500:])


def _platform_wheels(folder: Path) -> tuple[list[str], dict[str, str]]:
    """Download the grader's dependencies into `folder` for each of PLATFORMS and PYTHONS (the grader's
    wheel is there already); returns the "platform-python" keys whose wheels are all there, and for the
    others the first package that has no wheel for them. A pure-Python wheel (py3-none-any) serves
    every platform: pip keeps one copy."""
    pip = [sys.executable, "-m", "pip", "download", "--quiet", "--dest", str(folder), "--only-binary", ":all:"]
    built = str(next(folder.glob("concurrency_grader-*.whl")))
    complete, missing = [], {}
    for name, tags in PLATFORMS.items():
        for python in PYTHONS:
            where = f"{name}-{python}"
            done = subprocess.run([*pip, *(f"--platform={tag}" for tag in tags), "--python-version", python,
                                   "--implementation", "cp", built], capture_output=True, text=True)
            if done.returncode == 0:
                complete.append(where)
                continue
            said = done.stdout + done.stderr
            gap = re.search(r"(?:No matching distribution found for|satisfies the requirement) ([^\s(]+)", said)
            if gap is None:  # not a missing wheel: the index itself failed, which no kit can work around
                raise HandoutError("handout_command_failed", command="pip download", output=said[-2000:])
            missing[where] = gap.group(1)
    return complete, missing


class HandoutError(MessageError):
    """The kit could not be made; the message says why, in the teacher's language."""


def _run(command: list[str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise HandoutError("handout_command_failed", command=" ".join(command[2:5]),
                           output=f"{done.stdout[-2000:]}{done.stderr[-2000:]}")


def _zip(kit: Path, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(kit.rglob("*")):
            if path.is_file():
                info = zipfile.ZipInfo.from_file(path, f"{kit.name}/{path.relative_to(kit).as_posix()}")
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, path.read_bytes())


def check_py(lang: str) -> str:
    """The kit's check.py: the self-check with no make, and its first run's set-up (standard library only)."""
    env = Environment(loader=PackageLoader("grader", "templates/handout"), undefined=StrictUndefined,
                      keep_trailing_newline=True)
    return env.get_template("check.py.j2").render(lang=lang)
