"""Time to build the sandbox image through the registry-free path (a benchmark, not a test).

Prints three times:
- cold: no base image, no wheels downloaded, no sandbox image (debootstrap + docker import + pip
  download + docker build);
- after a change to the harness or the Dockerfile: base and wheels cached, the tag is new;
- cached: the tag exists, nothing is built.

Destructive for the grader's own images only: it removes every concurrency-grader-* image and the
wheel cache first, and leaves a freshly built image behind. Needs root (debootstrap).
"""

from __future__ import annotations

import os
import platform
import shutil
import sys
import time

import docker

from grader.host.image import build


def remove_images(client, repositories):
    for image in client.images.list():
        for tag in image.tags:
            if tag.split(":")[0] in repositories:
                client.images.remove(tag, force=True)


def timed_build(client) -> tuple[float, bool]:
    start = time.perf_counter()
    report = build.build_image(client, registry_free=True, say=lambda line: print("   ", line))
    return time.perf_counter() - start, report.built


def main():
    if os.geteuid() != 0:
        sys.exit("run as root: debootstrap needs it")
    client = docker.from_env(timeout=600)
    remove_images(client, {build.REPOSITORY, build.BASE_REPOSITORY})
    shutil.rmtree(build.CACHE / "wheels", ignore_errors=True)
    print("cold build:")
    cold, _ = timed_build(client)
    remove_images(client, {build.REPOSITORY})
    print("rebuild after a harness change (base and wheels cached):")
    changed, _ = timed_build(client)
    cached, built = timed_build(client)
    assert not built
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores; Docker engine "
          f"{client.version()['Version']}; mirror {build.DEFAULT_MIRROR}")
    print(f"cold: {cold:.1f} s   after a change: {changed:.1f} s   cached: {cached:.2f} s")


if __name__ == "__main__":
    main()
