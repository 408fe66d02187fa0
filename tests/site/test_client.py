"""`grader submit` (grader/client.py) end to end: the CLI as a process against `grader serve` as a
process (one site for the module, real gradings in the local sandbox, three in all), and the
handout kit's `make submit` against the same site."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT, file_of
from .live import LiveSite, seed

# Run as a process with cwd=ROOT, so `grader.site` is imported inside Django's setup.
_SET_LANG = """
import sys
from pathlib import Path
from grader.site import serve
serve.setup(Path(sys.argv[1]), None, None)
from grader.site.people.models import Person
assert Person.objects.filter(user__username=sys.argv[2]).update(lang=sys.argv[3]) == 1
"""


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """The site, and each student's token: ann and ben (en), li (zh)."""
    data = tmp_path_factory.mktemp("client") / "site"
    tokens = seed(data, exercises=["race-counter", "queue-drain"], students=["ann", "ben", "li"],
                  course={"rate_burst": 100, "rate_refill_minutes": 1})
    subprocess.run([sys.executable, "-c", _SET_LANG, str(data), "li", "zh"], cwd=ROOT, check=True, timeout=120)
    site = LiveSite(data)
    try:
        yield site, tokens
    finally:
        site.stop()


def submit(*args: str | Path, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("GRADER_TOKEN", "GRADER_SERVER")}
    return subprocess.run([sys.executable, "-m", "grader.cli", "submit", *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def write(folder: Path, name: str, content: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(content)
    return folder / name


def history(site: LiveSite, token: str) -> list[dict]:
    response = site.api(token).get(f"{site.url}/api/v1/submissions", timeout=30)
    response.raise_for_status()
    return response.json()


@pytest.fixture(scope="module")
def right(live, tmp_path_factory):
    """ann's right answer, submitted and graded once for the tests that read it."""
    site, tokens = live
    name, content = file_of("race-counter", solved=True)
    path = write(tmp_path_factory.mktemp("right"), name, content)
    done = submit(path, "--exercise", "race-counter", "--server", site.url, "--token", tokens["ann"])
    found = re.match(r"submission (\d+)\n", done.stdout)
    assert found, done.stdout + done.stderr
    return int(found.group(1)), done


def test_a_right_answer_prints_its_id_its_states_and_the_grade_table(right):
    submission_id, done = right
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == f"submission {submission_id}"
    assert lines[1].startswith("queued")  # the state the site answered the upload with
    assert "graded: 10/10" in lines
    table = lines[lines.index("graded: 10/10") + 1:]
    assert re.fullmatch(r".+: 10/10 \(passed\)", table[0]), table
    assert len(table) > 1 and all(line.startswith("  ok ") and "[passed]" in line for line in table[1:]), table


def test_status_prints_the_same_for_an_earlier_submission_and_nothing_of_anothers(live, right):
    site, tokens = live
    submission_id, done = right
    again = submit("--status", submission_id, "--server", site.url, "--token", tokens["ann"])
    assert again.returncode == 0, again.stdout
    graded = done.stdout[done.stdout.index("graded: "):]  # the states before it vary with the timing
    assert again.stdout == graded
    theirs = submit("--status", submission_id, "--server", site.url, "--token", tokens["ben"])
    assert theirs.returncode == 2 and theirs.stdout == f"No submission {submission_id} of yours.\n"


def test_a_wrong_answer_is_graded_with_its_failed_checks_and_its_exercise_inferred(live, tmp_path):
    site, tokens = live
    name, content = file_of("race-counter")  # the starter: 4/10
    done = submit(write(tmp_path, name, content), "--server", site.url, "--token", tokens["ann"])
    assert done.returncode == 0, done.stdout + done.stderr  # graded, whatever the score
    submission_id = int(re.match(r"submission (\d+)\n", done.stdout).group(1))  # type: ignore[union-attr]
    assert "graded: 4/10" in done.stdout.splitlines()
    assert re.search(r"^.+: 4/10 \(failed\)$", done.stdout, re.M)
    failed = [line for line in done.stdout.splitlines() if line.startswith("  -- ")]
    assert failed and all("[passed]" not in line for line in failed)
    assert site.status(tokens["ann"], submission_id)["exercise"] == "race-counter"  # from race_counter.py


def test_a_refused_upload_exits_2_with_the_sites_reason_and_stores_nothing(live, tmp_path):
    site, tokens = live
    before = history(site, tokens["ben"])
    _, content = file_of("race-counter", solved=True)
    near = submit(write(tmp_path, "Race_Counter.py", content), "--exercise", "race-counter",
                  "--server", site.url, "--token", tokens["ben"])
    assert near.returncode == 2, near.stdout
    assert "has no race_counter.py" in near.stdout and "Race_Counter.py" in near.stdout
    unreadable = submit(write(tmp_path / "bytes", "race_counter.py", b"\x80\x80\xff\n"), "--exercise", "race-counter",
                        "--server", site.url, "--token", tokens["ben"])
    assert unreadable.returncode == 2, unreadable.stdout
    assert "could not be read as text" in unreadable.stdout and "Save it as UTF-8" in unreadable.stdout
    assert near.stdout.count("\n") == unreadable.stdout.count("\n") == 1  # the reason only: no id, no state
    assert history(site, tokens["ben"]) == before


def test_a_zh_students_refusal_is_in_chinese(live, tmp_path):
    site, tokens = live
    before = history(site, tokens["li"])
    _, content = file_of("race-counter", solved=True)
    done = submit(write(tmp_path, "Race_Counter.py", content), "--exercise", "race-counter",
                  "--server", site.url, "--token", tokens["li"])
    assert done.returncode == 2, done.stdout
    assert "你的提交中没有 race_counter.py" in done.stdout and "Race_Counter.py" in done.stdout
    assert history(site, tokens["li"]) == before


def test_which_exercise_is_asked_when_the_file_name_does_not_say(live, tmp_path):
    site, tokens = live
    before = history(site, tokens["ben"])
    _, content = file_of("race-counter", solved=True)
    done = submit(write(tmp_path, "Race_Counter.py", content), "--server", site.url, "--token", tokens["ben"])
    assert done.returncode == 2, done.stdout
    assert done.stdout == "Which exercise? Add --exercise SLUG (one of: race-counter, queue-drain).\n"
    assert history(site, tokens["ben"]) == before


def test_a_wrong_token_exits_4_and_says_to_make_a_new_one(live, tmp_path):
    site, tokens = live
    before = history(site, tokens["ann"])
    name, content = file_of("race-counter", solved=True)
    path = write(tmp_path, name, content)
    for args in ([path, "--exercise", "race-counter"], [path], ["--status", "1"]):  # upload, /exercises, status
        done = submit(*args, "--server", site.url, "--token", tokens["ann"] + "x")
        assert done.returncode == 4, (args, done.stdout)
        assert done.stdout == "The site did not accept your token: make a new one on your page on the site.\n"
    assert history(site, tokens["ann"]) == before


def test_an_unreachable_site_exits_4(tmp_path):
    with socket.socket() as s:  # a port that was free a moment ago: nothing listens on it
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    name, content = file_of("race-counter", solved=True)
    done = submit(write(tmp_path, name, content), "--exercise", "race-counter",
                  "--server", f"http://127.0.0.1:{port}", "--token", "gr_whatever")
    assert done.returncode == 4, done.stdout
    assert done.stdout.startswith(f"The site at http://127.0.0.1:{port} cannot be reached:")


def test_without_server_or_token_it_says_what_to_give():
    done = submit("--status", "1", "--server", "http://127.0.0.1:9")
    assert done.returncode == 2 and "--server URL --token TOKEN" in done.stdout


# Not slow (~3 s): the kit is made without its wheels, and make uses this repository's grader.
def test_the_kits_make_submit_hands_in_and_waits_for_the_grade(live, tmp_path, monkeypatch):
    from grader.host import handout, packs

    site, tokens = live
    monkeypatch.setattr(handout, "_wheels", lambda folder, with_dependencies: folder.mkdir(parents=True))
    exercises = [e for e in packs.load_all(ROOT / "exercises") if e.slug == "race-counter"]
    kit = handout.make_handout(exercises, tmp_path / "kit", lang="en", server=site.url)
    name, content = file_of("race-counter", solved=True)
    write(kit / "race-counter", name, content)
    # This repository's grader instead of the kit's own venv (which installs from PyPI): a venv
    # folder whose bin/ is this one's and whose install stamp is there, so make installs nothing.
    venv = tmp_path / "venv"
    venv.mkdir()
    (venv / "bin").symlink_to(Path(sys.executable).parent)
    (venv / ".installed").touch()
    assert (venv / "bin" / "grader").exists()
    # a student's make runs at the top level: not inside `make test`'s (which adds "Entering directory")
    env = {k: v for k, v in os.environ.items() if k not in ("GRADER_TOKEN", "MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
    done = subprocess.run(["make", "submit", f"VENV={venv}", "EX=race-counter", f"TOKEN={tokens['li']}"],
                          cwd=kit, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert tokens["li"] not in done.stdout  # the command, which holds it, is not echoed
    found = re.match(r"submission (\d+)\n", done.stdout)
    assert found and "graded: 10/10" in done.stdout.splitlines(), done.stdout
    stored = site.status(tokens["li"], int(found.group(1)))  # li's own, for the exercise EX named
    assert stored["exercise"] == "race-counter" and stored["state"] == "graded"


GRADED = {"state": "graded", "score": 0, "max_score": 10, "days_late": 2, "exercises": [
    {"title": "Counter", "score": 0, "max_score": 10, "status": "failed", "checks": [
        {"name": "first", "status": "deadlock", "message": "Deadlock: a thread takes a Lock it holds.\nmore"},
        {"name": "second", "status": "deadlock", "message": "Deadlock: a thread takes a Lock it holds."},
        {"name": "third", "status": "passed", "message": ""}]}]}


def test_the_grade_table_says_each_cause_once():
    from grader.client import _table, _Words

    lines: list[str] = []
    _table(GRADED, _Words("en", lines.append), lines.append)
    assert lines[1] == "  -- first [deadlock]: Deadlock: a thread takes a Lock it holds."
    assert lines[2] == "  -- second [deadlock]: (as first)"
    assert lines[3] == "  ok third [passed]"


def test_a_chinese_student_reads_this_commands_own_words_in_chinese(monkeypatch):
    """The grade's texts come from the site in the student's language; the command's own words
    (states, status words, what to do) follow --lang, which the zh kit's `make submit` passes."""
    from types import SimpleNamespace

    from grader.client import _state_line, _table, _Words, run
    from grader.host.i18n import terminal_lang

    lines: list[str] = []
    say = _Words("zh", lines.append)
    lines.append(_state_line({"state": "queued", "position": 2, "estimated_wait_seconds": 12.4}, say))
    lines.append(_state_line(GRADED, say))
    _table(GRADED, say, lines.append)
    assert lines[:2] == ["排队中，第 3 位，约 12 秒", "已评分：0/10（迟交 2 天）"]
    assert lines[3:] == ["  -- first [死锁]: Deadlock: a thread takes a Lock it holds.",
                         "  -- second [死锁]: （同 first）", "  ok third [通过]"]
    said: list[str] = []
    assert run(SimpleNamespace(server=None, token=None, lang="zh"), out=said.append) == 2
    assert said == ["请给出课程网站的地址和你的令牌：--server 网址 --token 令牌（网站上你自己的页面里有这两项）。"]
    for name in ("GRADER_LANG", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert terminal_lang() == "zh"
    monkeypatch.setenv("GRADER_LANG", "en")
    assert terminal_lang() == "en"
