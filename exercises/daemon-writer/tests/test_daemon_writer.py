"""Hidden checks for daemon-writer. Each test is one check named in exercise.yaml."""

import pytest

from grader.harness.judge.api import expect

N = 100


def _want(n):
    return [f"line {i}" for i in range(n)]


def _missing(lines, n):
    got = set(lines or [])
    return sum(1 for line in _want(n) if line not in got)


@pytest.fixture(scope="module")
def main_run(student):
    return student.record("call_main", n=N)


def test_script_writes_every_line(student):
    obs = student.run("as_script", n=N)
    lines = obs["lines"] or []
    expect(obs["exit_status"] == 0, "Run as `python writer.py out.txt 100`, your program ended with exit "
           "status {status}, not 0.", status=obs["exit_status"])
    expect(lines == _want(N), "Run as `python writer.py out.txt 100`, the program ended with {count} of the "
           "100 lines in the file ({missing} missing). Its writer was still alive ({daemons}): a daemon "
           "thread is killed the moment the main code ends, with the lines still in its queue. Tell the writer "
           "that there is no more work (put a sentinel such as None after the last line), then join() it "
           "before main() returns.", count=len(lines), missing=_missing(lines, N),
           daemons=", ".join(obs["daemons_cut_off"]) or "-")


def test_main_returns_when_the_file_is_complete(main_run, student):
    obs = main_run.observations
    lines = obs["lines"] or []
    expect(lines == _want(N), "When main(path, 100) returned, the file held {count} of the 100 lines "
           "({missing} missing or out of order). main() must not return before the writer has written "
           "everything: put a sentinel after the last line and join() the writer.",
           count=len(lines), missing=len(_want(N)) - sum(1 for a, b in zip(lines, _want(N)) if a == b))
    early = student.run("call_main", n=N, hold=False)["lines"] or []
    expect(early == _want(N), "When the writer started before main() had put any line, main(path, 100) "
           "returned with {count} of the 100 lines in the file. The writer must not stop because the queue "
           "is empty for a moment: it stops at the sentinel only, and waits in q.get() until then.",
           count=len(early))


def test_every_size(student):
    for n in (0, 1, 37):
        obs = student.run("call_main", n=n)
        lines = obs["lines"] or []
        expect(lines == _want(n), "main(path, {n}) left {count} {count:line|lines} in the file, not exactly line 0 to "
               "line {last}.", n=n, count=len(lines), last=n - 1)


def test_writer_has_ended(main_run):
    obs = main_run.observations
    expect(obs["threads_started"] >= 1, "main() started no thread: the exercise is to keep the writer "
           "thread and make it finish its work, not to write the file from main().")
    expect(not obs["alive"], "When main() returned, these threads were still alive: {alive}. The writer "
           "must end by itself (it takes the sentinel and returns), and main() must join() it.",
           alive=", ".join(obs["alive"]))


def test_waits_instead_of_sleeping(main_run):
    obs = main_run.observations
    expect(not obs["main_sleeps"], "main() slept {seconds} s instead of waiting for the writer.",
           seconds=sum(obs["main_sleeps"]))


def test_fresh_file_each_run(student):
    obs = student.run("call_main", n=3, existing="an old line\n")
    lines = obs["lines"] or []
    expect(lines == _want(3), "The file already held `an old line` from an earlier run; after main(path, 3) "
           "it holds {count} lines, starting with {first!r}. Open the file with mode `'w'` so that each run "
           "starts it afresh (the starter's `'a'` appends to what was there).",
           count=len(lines), first=lines[0] if lines else None)


MODERN = {"setDaemon()": "t.daemon = True", "isDaemon()": "t.daemon",
          "currentThread()": "threading.current_thread()", "activeCount()": "threading.active_count()",
          "getName()": "t.name", "setName()": "t.name = ..."}


def test_no_deprecated_api(main_run):
    obs = main_run.observations
    for found in obs["deprecated"]:
        what = found["what"]
        instead = next((modern for old, modern in MODERN.items() if old in what), "the modern spelling")
        expect(False, "Line {line} uses {what}, which Python deprecated in 3.10 (it warns, and will be "
               "removed). Write {instead} instead.", line=found["line"], what=what, instead=instead)
