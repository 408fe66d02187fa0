"""The container's streams as its channel: the inputs' tar in on stdin, result lines out on stdout
(pure, and the entry's two ends in a subprocess; the whole path in Docker is every docker test)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap

from docker.utils.socket import STDERR, STDOUT

from grader.harness import result_lines
from grader.host.packs import load_all
from grader.host.sandboxes.base import JudgeJob
from grader.host.sandboxes.container import inputs_archive
from grader.host.sandboxes.container_streams import LOG_LINES, Results

from .conftest import ROOT

RUN = {"report": {"tests": []}, "exit_code": 0, "timed_out": False}


def test_result_lines_arrive_in_any_pieces_and_a_cut_line_is_not_believed():
    data = result_lines.encode("race-counter", RUN) + result_lines.encode("word-tally", {**RUN, "exit_code": 1})
    data += result_lines.encode("queue-drain", RUN)[:-5]  # the wall clock stopped it mid-line
    results = Results(cap=1 << 20, log_cap=1 << 20)
    for start in range(0, len(data), 7):
        results.feed(STDOUT, data[start:start + 7])
    assert set(results.runs) == {"race-counter", "word-tally"}
    assert results.runs["word-tally"].exit_code == 1 and not results.over_cap


def test_a_result_judged_again_replaces_the_first_and_other_lines_are_ignored():
    results = Results(cap=1 << 20, log_cap=1 << 20)
    results.feed(STDOUT, result_lines.encode("race-counter", {**RUN, "exit_code": 1}))
    results.feed(STDOUT, b"not json\n[1, 2]\n" + b'{"slug": 3, "run": {}}\n')
    results.feed(STDOUT, result_lines.encode("race-counter", RUN))
    assert list(results.runs) == ["race-counter"] and results.runs["race-counter"].exit_code == 0


def test_more_results_than_the_cap_are_none_at_all():
    results = Results(cap=100, log_cap=1 << 20)
    results.feed(STDOUT, result_lines.encode("race-counter", RUN))
    results.feed(STDOUT, result_lines.encode("word-tally", {**RUN, "log": "x" * 200}))
    results.feed(STDOUT, result_lines.encode("queue-drain", RUN))
    assert results.over_cap and results.runs == {}


def test_the_log_keeps_its_last_lines_of_what_it_read_and_never_mixes_in_results():
    results = Results(cap=1 << 20, log_cap=1 << 20)
    results.feed(STDERR, "".join(f"line {n}\n" for n in range(100)).encode() + b"the end, unfinished")
    results.feed(STDOUT, result_lines.encode("race-counter", RUN))
    tail = results.log_tail().splitlines()
    assert len(tail) == LOG_LINES and tail[-1] == "the end, unfinished" and tail[0] == f"line {101 - LOG_LINES}"
    capped = Results(cap=1 << 20, log_cap=10)
    capped.feed(STDERR, b"first\n")
    capped.feed(STDERR, b"a runaway log\n" * 10)
    assert capped.log_tail() == "first"


ENTRY_ENDS = textwrap.dedent("""
    import os, sys
    from pathlib import Path
    from grader.harness import container_entry, result_lines
    channel = container_entry._take_results_channel()
    container_entry.receive_inputs(Path(sys.argv[1]))
    print("printed", flush=True)  # fd 1 is the log now
    assert sys.stdin.read() == ""  # and stdin is closed to everyone after the inputs
    channel.write(result_lines.encode("race-counter", {"exit_code": 0})); channel.flush()
""")


def test_the_entry_unpacks_the_inputs_without_waiting_for_stdin_to_close_and_keeps_stdout(tmp_path):
    exercises = load_all(ROOT / "exercises")[:2]
    data = inputs_archive([JudgeJob(ex, b"x = 1\n") for ex in exercises])
    entry = subprocess.Popen([sys.executable, "-c", ENTRY_ENDS, str(tmp_path)], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    assert entry.stdin is not None
    entry.stdin.write(data)
    entry.stdin.flush()  # not closed: the tar's end marker ends the inputs
    out, err = entry.communicate(timeout=60)
    assert entry.returncode == 0, err.decode()
    assert out.splitlines() == [result_lines.encode("race-counter", {"exit_code": 0}).rstrip(b"\n")]
    assert b"printed" in err
    for ex in exercises:
        student = tmp_path / "submission" / ex.slug / ex.student_file
        assert student.read_bytes() == b"x = 1\n" and stat.S_IMODE(student.stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "judge").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "submission").stat().st_mode) == 0o755
    assert (tmp_path / "judge" / "plan.json").is_file()
    assert sorted(os.listdir(tmp_path / "judge" / "exercises")) == sorted(ex.slug for ex in exercises)
