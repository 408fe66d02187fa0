"""The container's limit counters (grader.harness.judge.cgroup), read from fake cgroup files."""

from __future__ import annotations

import pytest

from grader.harness.judge import cgroup


@pytest.fixture
def fake_cgroup(tmp_path, monkeypatch):
    """Point the v2 and v1 counter files of each kind into tmp_path; none exists until written."""
    v2, v1 = tmp_path / "v2", tmp_path / "v1"
    v2.mkdir()
    v1.mkdir()
    monkeypatch.setattr(cgroup, "OOM_COUNTERS", ((str(v2 / "memory.events"), "oom_kill"),
                                                 (str(v1 / "memory.oom_control"), "oom_kill")))
    monkeypatch.setattr(cgroup, "FORK_REFUSALS", ((str(v2 / "pids.events"), "max"),
                                                  (str(v1 / "pids.events"), "max")))
    return v2, v1


def test_nothing_mounted_counts_nothing(fake_cgroup):
    assert cgroup.oom_kills() == 0
    assert cgroup.forks_refused() == 0


def test_v2_is_read_where_it_exists(fake_cgroup):
    v2, v1 = fake_cgroup
    (v2 / "memory.events").write_text("low 0\nhigh 0\nmax 4\noom 3\noom_kill 2\n")
    (v1 / "memory.oom_control").write_text("oom_kill_disable 0\nunder_oom 0\noom_kill 9\n")
    (v2 / "pids.events").write_text("max 17\n")
    assert cgroup.oom_kills() == 2
    assert cgroup.forks_refused() == 17


def test_v1_is_the_fallback(fake_cgroup):
    _, v1 = fake_cgroup
    (v1 / "memory.oom_control").write_text("oom_kill_disable 0\nunder_oom 1\noom_kill 5\n")
    (v1 / "pids.events").write_text("max 3\n")
    assert cgroup.oom_kills() == 5
    assert cgroup.forks_refused() == 3


def test_a_file_without_the_key_or_with_junk_falls_through(fake_cgroup):
    v2, v1 = fake_cgroup
    (v2 / "memory.events").write_text("oom_kill not-a-number\n")  # unreadable value: skipped
    (v1 / "memory.oom_control").write_text("oom_kill 1\n")
    (v2 / "pids.events").write_text("")  # no "max" line yet
    (v1 / "pids.events").write_text("max 8\n")
    assert cgroup.oom_kills() == 1
    assert cgroup.forks_refused() == 8
