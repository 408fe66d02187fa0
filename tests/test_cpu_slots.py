"""CPU slots: judges running at once on one machine are pinned to different CPUs (host/cpu_slots.py)."""

import io
import json
import os
import signal
import subprocess
import sys
import tarfile

from grader.harness import container_entry
from grader.host.cpu_slots import cpu_slots
from grader.host.packs import load_all
from grader.host.sandboxes.base import JudgeJob
from grader.host.sandboxes.container import inputs_archive

from .conftest import ROOT


def test_holders_at_once_get_different_slots_and_a_slot_is_free_again_when_let_go(tmp_path):
    with cpu_slots(1, cpus=2, folder=tmp_path) as first, cpu_slots(1, cpus=2, folder=tmp_path) as second:
        assert sorted(first + second) == [0, 1]
    with cpu_slots(2, cpus=2, folder=tmp_path) as both:
        assert both == [0, 1]


HOLDER = """import sys, time
from pathlib import Path
from grader.host.cpu_slots import cpu_slots
with cpu_slots(1, cpus=2, folder=Path(sys.argv[1])) as s:
    print(s[0], flush=True)
    time.sleep(600)
"""


def test_a_slot_held_by_a_process_that_died_is_free_at_once(tmp_path):
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(tmp_path)],
        stdout=subprocess.PIPE, text=True)
    try:
        taken = int(holder.stdout.readline())
        with cpu_slots(1, cpus=2, folder=tmp_path) as (mine,):
            assert mine != taken
    finally:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait()
    with cpu_slots(2, cpus=2, folder=tmp_path) as both:
        assert both == [0, 1]


def test_more_holders_than_cpus_still_get_a_slot_within_the_cpus(tmp_path):
    with cpu_slots(2, cpus=2, folder=tmp_path), cpu_slots(3, cpus=2, folder=tmp_path) as extra:
        assert len(extra) == 3 and all(0 <= slot < 2 for slot in extra)


def test_an_unusable_folder_gives_slots_all_the_same(tmp_path):
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    with cpu_slots(2, cpus=4, folder=blocked / "slots") as slots:
        assert len(slots) == 2 and all(0 <= slot < 4 for slot in slots)


def test_without_flock_as_on_windows_the_slots_are_random(tmp_path, monkeypatch):
    from grader.host import cpu_slots as module

    monkeypatch.setattr(module, "fcntl", None)
    with cpu_slots(2, cpus=2, folder=tmp_path) as slots:
        assert len(slots) == 2 and all(0 <= slot < 2 for slot in slots)
    assert not list(tmp_path.iterdir())  # nothing was taken


def test_the_folder_is_shared_by_every_user_of_the_machine(tmp_path):
    folder = tmp_path / "slots"
    with cpu_slots(1, cpus=1, folder=folder):
        assert folder.stat().st_mode & 0o7777 == 0o1777


def test_the_plan_gives_each_lane_its_slot_and_the_entry_uses_it():
    jobs = [JudgeJob(ex, b"x = 1\n") for ex in load_all(ROOT / "exercises")]
    data = inputs_archive(jobs, lanes=2, cpu_slots=[1, 0])
    students = json.loads(tarfile.open(fileobj=io.BytesIO(data)).extractfile("judge/plan.json").read())["students"]
    assert [s["cpu_slot"] for s in students] == [1, 0]
    assert [container_entry._slot(s, 7) for s in students] == [1, 0]
    assert container_entry._slot({"uid": 10001}, 7) == 7  # no slot from the host: the entry's own choice
    assert container_entry._slot({"cpu_slot": -1}, 7) == 7
