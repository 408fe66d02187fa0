"""Hostile submissions, graded in the container: each ends with its expected status, no full marks
(except a correct solution that tries to read the hidden tests), a report that is valid UTF-8 under
1 MB and holds no hidden test source, and nothing left behind on the host."""

from __future__ import annotations

import json
import os
import shutil
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from .conftest import ROOT, run_cli

# Hostile submissions: each in a container, ~60 s in all; the sandbox they attack changes rarely.
pytestmark = [pytest.mark.docker, pytest.mark.slow]

HOSTILE = Path(__file__).resolve().parent / "hostile"
SAMPLES = Path(__file__).resolve().parent / "samples" / "race-counter"
EXERCISE = ROOT / "exercises" / "race-counter"
STARTER = (EXERCISE / "race_counter.py").read_bytes()
SOLUTION = (ROOT / "solutions" / "race-counter" / "race_counter.py").read_bytes()
HIDDEN_SOURCES = [p.read_text(encoding="utf-8") for p in (EXERCISE / "tests").glob("*.py")]
STARTER_VERDICT = ("failed", 4.0)  # what the unchanged starter earns: the hostile part must add nothing


def hostile(name: str, then: bytes = STARTER) -> Callable[[Path], None]:
    """tests/hostile/<name>.py runs first (at import), followed by the unchanged starter or the
    reference solution: whatever the hostile part does must not change that code's verdict."""
    def build(sub: Path) -> None:
        (sub / "race_counter.py").write_bytes((HOSTILE / f"{name}.py").read_bytes() + b"\n\n" + then)
    return build


def sample(name: str) -> Callable[[Path], None]:
    def build(sub: Path) -> None:
        shutil.copy(SAMPLES / f"{name}.py", sub / "race_counter.py")
    return build


def extra_files(sub: Path) -> None:
    (sub / "race_counter.py").write_bytes(STARTER)
    (sub / "conftest.py").write_text(
        "import pytest\n\n@pytest.hookimpl(hookwrapper=True)\ndef pytest_runtest_makereport(item, call):\n"
        "    outcome = yield\n    outcome.get_result().outcome = 'passed'\n")
    (sub / "pytest.ini").write_text("[pytest]\naddopts = -p no:grader.harness.judge.plugin\n")
    (sub / "sitecustomize.py").write_text("import os\nos._exit(0)\n")
    (sub / "threading.py").write_text("raise SystemExit('shadowed threading')\n")


def symlink(sub: Path) -> None:
    os.symlink(ROOT / "solutions" / "race-counter" / "race_counter.py", sub / "race_counter.py")


def huge_file(sub: Path) -> None:
    (sub / "race_counter.py").write_bytes(SOLUTION + b"\n# " + b"x" * (300 * 1024) + b"\n")


def not_utf8(sub: Path) -> None:
    (sub / "race_counter.py").write_bytes(b"# caf\xe9 au lait\n" + STARTER)
    (sub / os.fsdecode(b"notes-\xff\xfe.py")).write_bytes(b"\xff\xfe")


@dataclass
class Case:
    name: str
    build: Callable[[Path], None]
    status: str
    score: float
    mentions: list[str] = field(default_factory=list)
    sandbox_outcome: str = "ok"
    ignored: list[str] = field(default_factory=list)
    mem_limit: str = ""  # the container's, when not the default


CASES = [
    Case("os_exit_at_import", hostile("os_exit_at_import"), "error", 0.0, ["exit code 0"]),
    Case("system_exit_at_import", sample("system_exit_at_import"), "error", 0.0, ["SystemExit"]),
    Case("patches_pytest_reports", hostile("patches_pytest_reports"), *STARTER_VERDICT),
    Case("forges_result_files", hostile("forges_result_files"), *STARTER_VERDICT),
    Case("forges_result_lines", hostile("forges_result_lines"), *STARTER_VERDICT),
    Case("prints_hidden_tests", hostile("prints_hidden_tests", then=SOLUTION), "passed", 10.0),
    Case("fork_bomb_at_import", hostile("fork_bomb_at_import"), "error", 0.0, ["still running"]),
    Case("memory_bomb_at_import", hostile("memory_bomb_at_import"), "error", 0.0,
         ["more memory than the sandbox allows"], sandbox_outcome="memory_limit",
         # A smaller limit, reached sooner: starved of CPU on a machine loaded far past its cores,
         # the bomb could still be filling 1 GiB when its time runs out (then: timeout, 0 points).
         mem_limit="384m"),
    Case("infinite_loop_at_import", hostile("infinite_loop_at_import"), "error", 0.0,
         ["still running"]),
    Case("sleeps_forever_at_import", hostile("sleeps_forever_at_import"), "error", 0.0,
         ["still running"]),
    Case("reads_stdin_at_import", hostile("reads_stdin_at_import"), *STARTER_VERDICT),
    Case("floods_output", sample("floods_output"), "error", 0.0, ['"output_truncated": true']),
    Case("fills_disk_at_import", hostile("fills_disk_at_import"), *STARTER_VERDICT),
    Case("kills_parent_and_group", hostile("kills_parent_and_group"), "error", 0.0,
         ["exit code -9"]),
    Case("opens_network", hostile("opens_network"), *STARTER_VERDICT),
    Case("extra_files_beside_the_submission", extra_files, *STARTER_VERDICT,
         ignored=["conftest.py", "pytest.ini", "sitecustomize.py", "threading.py"]),
    Case("symlink_instead_of_file", symlink, "error", 0.0, ["symbolic link"]),
    Case("huge_file", huge_file, "error", 0.0, ["over the limit"]),
    Case("not_utf8_name_and_content", not_utf8, "error", 0.0, ["it is not UTF-8", "nor GB18030"],
         ignored=["notes-\\xff\\xfe.py"]),
]


def test_every_hostile_file_has_a_case():
    used = {c.name for c in CASES}
    assert {p.stem for p in HOSTILE.glob("*.py")} <= used


# A fork bomb slows every container on the machine (each refused fork is kernel work): another
# test's correct answer, judged meanwhile, could run out of time. `make test` runs these after the
# others, one at a time (the grader itself grades again whoever it ran beside: test below).
ALONE = pytest.mark.alone


def _params(cases):
    return [pytest.param(c, id=c.name, marks=ALONE if c.name == "fork_bomb_at_import" else ()) for c in cases]


@pytest.mark.parametrize("case", _params(CASES))
def test_hostile_submission(case: Case, tmp_path, docker_image):
    sub = tmp_path / "sub"
    sub.mkdir()
    case.build(sub)
    out = tmp_path / "out"
    config = tmp_path / "grader.yaml"
    config.write_text(f"docker:\n  mem_limit: {case.mem_limit}\n" if case.mem_limit else "{}\n", encoding="utf-8")
    proc = run_cli("grade", str(sub), "--student", case.name, "--out", str(out), "--exercise", "race-counter",
                   "--sandbox", "docker", "--config", str(config))
    assert proc.returncode == 0, proc.stdout + proc.stderr

    raw = {name: (out / case.name / name).read_bytes() for name in ("report.json", "report.html")}
    for data in raw.values():
        assert len(data) < 1_000_000
        text = data.decode("utf-8")  # valid UTF-8, or this raises
        for source in HIDDEN_SOURCES:
            assert not any(len(line) > 25 and line in text for line in source.splitlines()), \
                "hidden test source reached the report"
    report = json.loads(raw["report.json"])
    (result,) = report["exercises"]
    assert (result["status"], result["score"]) == (case.status, case.score), [
        (c["name"], c["status"], c["message"], c["details"]) for c in result["checks"] if c["status"] != "passed"]
    assert report["sandbox"] == "docker" and report["status"] == "graded"
    assert report["sandbox_outcome"] == case.sandbox_outcome, [  # e.g. a timeout instead, on a loaded machine
        (c["name"], c["status"], c["message"]) for c in result["checks"]]
    for phrase in case.mentions:
        assert phrase in raw["report.json"].decode("utf-8"), f"the report should mention {phrase!r}"
    assert report["ignored_files"] == sorted(case.ignored)
    # What the host learns from the container's pids counter (a batch grades its neighbours again).
    assert (report["forks_refused"] > 0) == (case.name == "fork_bomb_at_import")
    if case.status != "passed":
        assert result["score"] < result["max_score"]
    assert _orphaned_containers() == []



BESIDE = ["parallel-primes", "semaphore-handoff", "pool-async"]  # correct answers that fork and use threads


@pytest.mark.parametrize("bomb", [pytest.param("fork_bomb_at_import", marks=ALONE), "memory_bomb_at_import",
                                  "fills_disk_at_import"])
def test_a_bomb_costs_only_its_own_exercise(bomb, tmp_path, docker_image):
    """Exercises are judged two at a time in one container, which shares its process and memory
    limits and its /tmp and /dev/shm: a bomb beside correct answers must not cost them a point
    (they are judged again alone, after the bomb's files are gone)."""
    from grader.host import packs

    sub = tmp_path / "sub"
    sub.mkdir()
    hostile(bomb)(sub)
    by_slug = {ex.slug: ex for ex in packs.load_all(ROOT / "exercises")}
    for slug in BESIDE:
        shutil.copy(by_slug[slug].solution, sub / by_slug[slug].student_file)
    out = tmp_path / "out"
    exercises = [arg for slug in ["race-counter", *BESIDE] for arg in ("--exercise", slug)]
    proc = run_cli("grade", str(sub), "--student", bomb, "--out", str(out), *exercises, "--sandbox", "docker")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads((out / bomb / "report.json").read_text(encoding="utf-8"))
    results = {r["exercise"]: r for r in report["exercises"]}
    assert results["race-counter"]["status"] == ("failed" if bomb == "fills_disk_at_import" else "error")
    for slug in BESIDE:
        assert (results[slug]["status"], results[slug]["score"]) == ("passed", results[slug]["max_score"]), [
            (c["name"], c["status"], c["message"]) for c in results[slug]["checks"] if c["status"] != "passed"]
    assert _orphaned_containers() == []


def _orphaned_containers() -> list[str]:
    """Containers of ours whose grader process on this host is gone: none may be left behind.
    (ignore_removed: a parallel test's container may go between the listing and its inspection.)"""
    import docker

    from grader.host.sandboxes.container import LABEL_OWNER

    here = socket.gethostname()
    orphans = []
    for c in docker.from_env().containers.list(all=True, filters={"label": LABEL_OWNER}, ignore_removed=True):
        host, _, pid = c.labels[LABEL_OWNER].rpartition(":")
        if host == here and not Path(f"/proc/{pid}").exists():
            orphans.append(c.name)
    return orphans


@ALONE
def test_a_fork_bomb_in_a_batch_costs_no_one_else_a_point(tmp_path, docker_image):
    """Beside a fork bomb's container, a correct answer can run out of time merely starting its
    threads (seen: race-counter 8/10). The batch grades whoever ran beside it again, after it."""
    cls = tmp_path / "class"
    (cls / "bomb").mkdir(parents=True)
    hostile("fork_bomb_at_import")(cls / "bomb")
    (cls / "correct").mkdir()
    shutil.copy(ROOT / "solutions" / "race-counter" / "race_counter.py", cls / "correct")
    out = tmp_path / "out"
    proc = run_cli("batch", str(cls), "--out", str(out), "--sandbox", "docker", "--workers", "2")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    journal = json.loads((out / "batch.json").read_text(encoding="utf-8"))
    students = {s["student"]: s for s in journal["students"]}
    reports = {name: json.loads((out / name / "report.json").read_text(encoding="utf-8")) for name in students}
    assert reports["bomb"]["forks_refused"] > 0 and students["bomb"]["graded_again"] is False
    assert students["bomb"]["exercises"]["race-counter"] == 0
    # Both were started together and the bomb runs for seconds: they overlapped, so it was graded again.
    assert students["correct"]["graded_again"] is True, proc.stdout
    (result,) = [r for r in reports["correct"]["exercises"] if r["exercise"] == "race-counter"]
    assert (result["status"], result["score"]) == ("passed", result["max_score"]), [
        (c["name"], c["status"], c["message"]) for c in result["checks"] if c["status"] != "passed"]
    assert _orphaned_containers() == []

