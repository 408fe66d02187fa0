"""Inside the container: run the judge for each exercise of the plan, two at a time.

    python -m grader.harness.container_entry /io/judge/plan.json < inputs.tar

The host sends the inputs on standard input, a tar of judge/ (plan, hidden tests) and submission/,
unpacked into /io (a tmpfs); each exercise's result goes out on standard output as a line of its own
as soon as it is believed (result_lines.py), so when the host's wall clock stops the container, the
exercises that finished still count. Standard error is the container's log. The container's streams
are the whole channel: no files go in or out through the engine.

The entry and the judge run as root with only CAP_SETUID, CAP_SETGID and CAP_KILL; student
code runs as a student's user (one per lane: see judge/lanes.py), which cannot read /io/judge
(hidden tests, plan) nor write to the results channel: only the entry holds it.
"""

from __future__ import annotations

import json
import os
import secrets
import sys
import tarfile
import tempfile
import threading
from pathlib import Path

from . import result_lines
from .judge.cgroup import forks_refused, limit_events, oom_kills
from .judge.child_runner import CPU_SLOT_ENV
from .judge.lanes import judge_in_lanes
from .judge.launch import run_judge
from .judge.scratch import Scratch
from .judge.student_user import StudentUser
from .judge.zygote_client import JudgeZygote

IO_ROOT = Path("/io")


def main(argv: list[str]) -> int:
    results = _take_results_channel()
    receive_inputs(IO_ROOT)
    plan_path = Path(argv[1])
    plan = json.loads(plan_path.read_text(encoding="utf-8"))
    work_root = plan_path.parent / "work"
    work_root.mkdir(mode=0o700, exist_ok=True)
    # Each lane: its student user, and its own tmpfs for the judge's scratch (scenario folders, mode
    # 0711: nobody lists it), so a scenario that fills its folder fills only its own lane's.
    # And its CPU slot: its scenario children are pinned to a CPU of their own (install.pin_to_one_cpu),
    # one no other judge on the machine holds now (the host's host/cpu_slots.py); without one from the
    # host, the first lane's at random.
    first_slot = secrets.randbelow(64)
    # And its judge zygote: each exercise's judge is a process of its own, forked from it preloaded
    # (judge/zygote.py) instead of a fresh `python -m pytest`.
    lanes = [(StudentUser(s["uid"], s["gid"]), s.get("scratch"), _slot(s, first_slot + i), JudgeZygote())
             for i, s in enumerate(plan["students"])]
    scratch = Scratch()

    def judge(job: dict, lane: tuple) -> dict:
        user, lane_tmp, cpu_slot, zygote = lane
        work = Path(tempfile.mkdtemp(prefix=f"{job['slug']}-", dir=work_root))  # a job judged again gets a new one
        killed_before, refused_before = oom_kills(), forks_refused()
        env = {**user.to_env(), **({"TMPDIR": lane_tmp} if lane_tmp else {}), CPU_SLOT_ENV: str(cpu_slot)}
        data = run_judge(tests_dir=Path(job["tests_dir"]), student_path=Path(job["student_path"]),
                         module=job["module"], check_backstop=job["check_backstop"],
                         time_limit=job["time_limit"], work_dir=work, env=env, zygote=zygote)
        # The cgroup's own count: Docker's OOMKilled flag comes from an event it can miss. A kill
        # in the other lane may be counted here too; lanes.py judges such an exercise again alone.
        data["oom_kills"] = max(oom_kills() - killed_before, 0)
        data["forks_refused"] = max(forks_refused() - refused_before, 0)  # likewise
        user.kill_all()  # nothing of this exercise's student code lives on into the next
        scratch.sweep(user.uid, user.gid)  # nor its files in /tmp and /dev/shm
        return data

    publishing = threading.Lock()  # lanes publish from their own threads; a line is written whole

    def publish(job: dict, data: dict) -> None:
        with publishing:
            results.write(result_lines.encode(job["slug"], data))
            results.flush()

    try:
        again = judge_in_lanes(plan["jobs"], lanes, judge, publish,
                               events=lambda: (*limit_events(), scratch.full_count))
    finally:
        for *_, zygote in lanes:
            zygote.close()
    if again:  # in the container's log, for whoever wonders why it took longer
        print("judged again alone (a limit was hit beside them):", *[job["slug"] for job in again], file=sys.stderr)
    return 0


def _take_results_channel():
    """Standard output, kept by the entry alone (a descriptor its children do not inherit); fd 1 now
    goes to the log, so nothing a judge or student code prints can pass for a result."""
    channel = os.fdopen(os.dup(1), "wb")  # os.dup: not inheritable
    os.dup2(2, 1)
    return channel


def receive_inputs(root: Path) -> None:
    """Unpack the host's tar from standard input into `root`; then standard input is closed to all.

    The tar's end marker ends it: the host need not close its side."""
    with os.fdopen(0, "rb", buffering=0, closefd=False) as stdin, tarfile.open(fileobj=stdin, mode="r|") as tar:
        # The host made it. "tar", where this Python has filters, still refuses paths and links out of
        # root, and keeps the directories' modes ("data" would not: /io/judge must stay 0700).
        tar.extraction_filter = getattr(tarfile, "tar_filter", None)
        tar.extractall(root)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)


def _slot(student: dict, otherwise: int) -> int:
    slot = student.get("cpu_slot")
    return slot if type(slot) is int and slot >= 0 else otherwise


if __name__ == "__main__":
    sys.exit(main(sys.argv))
