"""The judge zygote (grader.harness.judge.zygote): a judge forked from it is what a fresh
`python -m pytest` judge is (report, log, limits, session, time limit), and a dead zygote is replaced."""

from __future__ import annotations

import os
import resource
import signal
import textwrap
import time
from pathlib import Path

import pytest

from grader.harness.judge.launch import run_judge
from grader.harness.judge.zygote_client import JudgeZygote

PACKS = Path(__file__).resolve().parent / "packs"


@pytest.fixture
def zygote():
    z = JudgeZygote()
    yield z
    z.close()


def _judge(tests_dir: Path, work: Path, zygote=None, time_limit: float = 30, env=None) -> dict:
    student = work.parent / "adder.py"
    student.write_text("def add(a, b):\n    return a + b\n", encoding="utf-8")
    return run_judge(tests_dir=tests_dir, student_path=student, module="adder",
                     check_backstop=5, time_limit=time_limit, work_dir=work, env=env, zygote=zygote)


def _verdicts(data: dict) -> list:
    return [(t["nodeid"], t["metadata"]["verdict"]) for t in data["report"]["tests"]]


def test_a_forked_judge_reports_as_a_fresh_one(tmp_path, zygote):
    (tmp_path / "fresh").mkdir()
    (tmp_path / "forked").mkdir()
    fresh = _judge(PACKS / "tiny-add" / "tests", tmp_path / "fresh")
    forked = _judge(PACKS / "tiny-add" / "tests", tmp_path / "forked", zygote)
    assert forked["exit_code"] == fresh["exit_code"] == 0
    assert not forked["timed_out"]
    assert _verdicts(forked) == _verdicts(fresh)
    assert _verdicts(forked)[0][1]["status"] == "passed"
    # the same log, but for the seconds it took
    assert forked["log"].split(" in ")[0] == fresh["log"].split(" in ")[0]


def _tests(tmp_path: Path, body: str) -> Path:
    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "test_judge.py").write_text(textwrap.dedent(body), encoding="utf-8")
    return tests


def test_a_forked_judge_has_the_judges_limits_session_folder_and_environment(tmp_path, zygote):
    tests = _tests(tmp_path, f"""
        import os, re, resource, sys, tempfile
        from grader.harness.judge import fork_client
        def test_setup():
            assert resource.getrlimit(resource.RLIMIT_NOFILE)[0] <= 512
            assert resource.getrlimit(resource.RLIMIT_CPU)[0] == 2 * 30 + 5
            assert resource.getrlimit(resource.RLIMIT_AS)[0] <= 2 * 1024**3
            assert os.getsid(0) == os.getpid()  # a session (and process group) of its own
            assert os.getcwd() == {str(tmp_path / "work")!r}
            assert tempfile.gettempdir() == {str(tmp_path / "lane")!r}
            assert os.environ["GRADER_STUDENT_UID"] == "4242"
            links = [os.readlink(f"/proc/self/fd/{{fd}}") for fd in os.listdir("/proc/self/fd")
                     if os.path.exists(f"/proc/self/fd/{{fd}}")]
            # Not the zygote's, nor its template's: only its own fork server's, forked for it, under
            # the judge's limits as a server it started itself would be.
            server, pid = fork_client._ADOPTED
            assert [link for link in links if link.startswith("socket:")] == [
                os.readlink(f"/proc/self/fd/{{server.fileno()}}")]
            with open(f"/proc/{{pid}}/limits") as fh:
                assert re.search(r"Max cpu time +65 +65 ", fh.read())
            assert os.readlink("/proc/self/fd/0") == "/dev/null"
            print("judge says hello")
    """)
    (tmp_path / "work").mkdir()
    (tmp_path / "lane").mkdir()
    data = _judge(tests, tmp_path / "work", zygote,
                  env={"TMPDIR": str(tmp_path / "lane"), "GRADER_STUDENT_UID": "4242", "GRADER_STUDENT_GID": "4242"})
    assert data["exit_code"] == 0, data["log"]
    assert resource.getrlimit(resource.RLIMIT_CPU)[0] != 2 * 30 + 5  # set in the judge, not here


def test_a_forked_judge_past_its_time_limit_is_killed_with_its_group(tmp_path, zygote):
    tests = _tests(tmp_path, f"""
        import subprocess, sys, time
        def test_hang():
            child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
            open({str(tmp_path / "child.pid")!r}, "w").write(str(child.pid))
            time.sleep(60)
    """)
    (tmp_path / "work").mkdir()
    start = time.monotonic()
    data = _judge(tests, tmp_path / "work", zygote, time_limit=3)
    assert time.monotonic() - start < 15
    assert data["timed_out"] and data["report"] is None
    assert data["exit_code"] == -signal.SIGKILL
    child = int((tmp_path / "child.pid").read_text())
    assert _gone(child)


def _gone(pid: int) -> bool:
    for _ in range(100):
        try:
            with open(f"/proc/{pid}/stat", "rb") as fh:
                if fh.read().rsplit(b")", 1)[1].split()[0] == b"Z":
                    return True
        except FileNotFoundError:
            return True
        time.sleep(0.05)
    return False


def test_a_dead_zygote_is_replaced_at_the_next_judge(tmp_path, zygote):
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    assert _judge(PACKS / "tiny-add" / "tests", tmp_path / "one", zygote)["exit_code"] == 0
    assert zygote._proc is not None
    first = zygote._proc.pid
    os.kill(first, signal.SIGKILL)
    zygote._proc.wait()
    data = _judge(PACKS / "tiny-add" / "tests", tmp_path / "two", zygote)
    assert data["exit_code"] == 0 and _verdicts(data)[0][1]["status"] == "passed"
    assert zygote._proc.pid != first
