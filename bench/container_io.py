"""Docker's own cost of getting files in and out of a container: the engine's archive calls against
the container's streams (a benchmark, no threshold; issue 27, the cost of one grading).

Each round runs one container each way, in turn, with the sandbox's own options and image and an
entry that does nothing but pass its input on (`cat`), so what is timed is Docker's work alone:
- archive (the sandbox before ec20deb): create, put_archive of the inputs into /io, start, wait,
  get_archive of the results, inspect, remove;
- streams (since): create, attach, start, the inputs on stdin and the same bytes back on stdout,
  wait, inspect, remove.
The inputs are the tar the sandbox sends for one student's race-counter solution. It prints, for
each way, the median wall time and the machine's CPU time (/proc/stat: every process's, the
engine's included) per container.

    ROUNDS=15 flock /tmp/bench.lock .venv/bin/python bench/container_io.py

Results: bench/results/container_io.json, with the machine and commit.
"""

from __future__ import annotations

import json
import os
import platform
import socket
import statistics
import subprocess
import time

import cpustat

from samples import ROOT

from grader.host import packs
from grader.host.sandboxes.base import JudgeJob
from grader.host.sandboxes.container import DockerSandbox, inputs_archive

ROUNDS = int(os.environ.get("ROUNDS", "15"))


def by_archive(client, image: str, options: dict, data: bytes) -> None:
    container = client.containers.create(image, command=["sh", "-c", "mkdir -p /io/judge/out"],
                                          **{**options, "stdin_open": False})
    try:
        container.put_archive("/io", data)
        container.start()
        container.wait()
        stream, _ = container.get_archive("/io/judge/out")
        b"".join(stream)
        container.reload()
    finally:
        container.remove(force=True, v=True)


def by_streams(client, image: str, options: dict, data: bytes) -> None:
    container = client.containers.create(image, command=["cat"], **{**options, "stdin_open": True})
    try:
        attached = container.attach_socket(params={"stdin": 1, "stdout": 1, "stderr": 1, "stream": 1})
        container.start()
        raw = attached._sock
        raw.sendall(data)
        raw.shutdown(socket.SHUT_WR)  # cat ends at the end of its input; the entry ends at the tar's
        received = 0
        while chunk := raw.recv(65536):
            received += len(chunk)
        assert received >= len(data), "the streams lost bytes"
        container.wait()
        container.reload()
        attached.close()
    finally:
        container.remove(force=True, v=True)


def main() -> None:
    box = DockerSandbox()
    client, image = box.client(), box.image()
    found = {ex.slug: ex for ex in packs.load_all(ROOT / "exercises")}
    data = inputs_archive([JudgeJob(found["race-counter"], found["race-counter"].solution.read_bytes())])
    # As the sandbox creates them, but with the engine's own /io volume for the archive way (the
    # image no longer declares one) and no tmpfs over it.
    options = box.container_options()
    options["tmpfs"] = {k: v for k, v in options["tmpfs"].items() if k != "/io"}
    archive_options = {**options, "volumes": ["/io"]}
    ways = {"archive": (by_archive, archive_options), "streams": (by_streams, options)}
    for way, options_of_way in ways.values():
        way(client, image, options_of_way, data)  # warm-up
    seen: dict[str, dict[str, list[float]]] = {name: {"wall": [], "cpu": []} for name in ways}
    for number in range(ROUNDS):
        for name in (list(ways) if number % 2 == 0 else list(reversed(ways))):
            way, options_of_way = ways[name]
            cpu, start = cpustat.busy_seconds(), time.perf_counter()
            way(client, image, options_of_way, data)
            seen[name]["wall"].append(round(time.perf_counter() - start, 4))
            seen[name]["cpu"].append(round(cpustat.busy_seconds() - cpu, 3))
    medians = {name: {k: round(statistics.median(v), 4) for k, v in values.items()} for name, values in seen.items()}
    for name, values in medians.items():
        print(f"{name:8s} wall {values['wall'] * 1000:5.0f} ms, the machine's CPU {values['cpu'] * 1000:5.0f} ms"
              f" a container (median of {ROUNDS})")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()
    out = ROOT / "bench" / "results" / "container_io.json"
    out.write_text(json.dumps({
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "commit": commit, "engine": client.version().get("Version"), "rounds": ROUNDS,
        "inputs_bytes": len(data), "median": medians, "seen": seen,
    }, indent=1) + "\n")
    print(f"-> {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
