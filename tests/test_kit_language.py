"""A Chinese kit speaks Chinese only (issue 25): a student who self-checks wrong answers reads no
English word in the terminal, in the report, in the starters or in the Makefile's own messages,
outside code, file names, check ids and a short allow-list."""

from __future__ import annotations

import ast
import html.parser
import io
import os
import re
import shlex
import subprocess
import sys
import tokenize
from pathlib import Path

import pytest

from grader.host import packs
from grader.host.handout import make_handout

from .conftest import ROOT

EXERCISES = {ex.slug: ex for ex in packs.load_all(ROOT / "exercises")}
# A race the schedule search finds (an interleaving), a busy wait (threads and their lines), a
# deadlock: the three kinds of details a report shows.
WRONG = {"race-counter": "lock_per_call.py", "queue-drain": "continue_on_empty.py",
         "lock-ordering": "orders_by_balance.py"}
# Words that are English but not for a student to translate:
ALLOWED = {
    "Python", "Docker", "WSL", "Ubuntu", "Linux", "macOS", "Windows",  # names of products
    "make", "check", "submit", "PYTHON", "EX",  # the kit's command and its variables, typed as they are
    "TODO",  # the marker editors list; the starters' TODO comments keep it
    "CPU",  # written so in Chinese too
    "MainThread",  # Python's name of the main thread, as threading.current_thread().name gives it
}


def _code_words(*sources: str) -> set[str]:
    """The names a student's file and the starters use (code, when a message names them), and the
    words of the student's own comments (their lines are quoted where a thread is stuck)."""
    names = set()
    for source in sources:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.NAME:
                names.add(token.string)
            elif token.type == tokenize.COMMENT:
                names |= set(re.findall(r"[A-Za-z]+", token.string))
    return names


def _prose(source: str) -> str:
    """A file's docstrings and comments."""
    tree = ast.parse(source)
    docs = [ast.get_docstring(node) or "" for node in ast.walk(tree)
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))]
    comments = [t.string for t in tokenize.generate_tokens(io.StringIO(source).readline) if t.type == tokenize.COMMENT]
    return "\n".join(docs + comments)


def english_words(text: str, allowed: set[str]) -> list[str]:
    """The English words of `text` outside code: `code spans`, paths, calls, identifiers (a word with
    `_`, a digit, or next to `(`, `.`, `/`, `=`) and `allowed` are left out."""
    text = re.sub(r"`[^`]*`", " ", text)
    words = []
    for token in re.split(r"[\s，。：；（）、“”！？,;:]+", text):
        token = token.strip("[]\"'")  # a status word in brackets is a word: "[failed]"
        if not token or re.search(r"[_\d/\\.()=<>\[\]{}$@#|*'-]", token):
            continue
        for word in re.findall(r"[A-Za-z]{3,}", token):
            if word not in allowed:
                words.append(word)
    return words


class _Text(html.parser.HTMLParser):
    """A page's text as a student reads it: no <code>, no style; the title included."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("code", "style", "script"):
            self.skipping += 1

    def handle_endtag(self, tag):
        if tag in ("code", "style", "script"):
            self.skipping -= 1

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def page_text(page: str) -> str:
    parser = _Text()
    parser.feed(page)
    return "\n".join(parser.parts)


def _check_command(kit: Path) -> list[str]:
    """The command the kit's `make check` runs (from `make -n`), with this checkout's grader for the
    kit's venv: the kit's own entry, without installing it again."""
    dry = subprocess.run(["make", "-n", "--no-print-directory", "check", "SANDBOX=local"], cwd=kit,
                         capture_output=True, text=True, env={**os.environ, "MAKEFLAGS": ""})
    recipe = dry.stdout.replace("\\\n", " ")
    line = next(line for line in recipe.splitlines() if "grader check " in line)
    words = shlex.split(line)
    assert words[0] == ".grader/venv/bin/grader", line
    return [sys.executable, "-m", "grader.cli", *words[1:]]


@pytest.fixture(scope="module")
def kit(tmp_path_factory) -> Path:
    return make_handout([EXERCISES[slug] for slug in WRONG], tmp_path_factory.mktemp("zh") / "kit", lang="zh")


def test_a_chinese_kit_says_nothing_in_english(kit):
    # the finder itself: English outside code is found, a status word in brackets too
    assert english_words("Full report: reports/x.html [failed] 返回了 `run()` run_x decrement()", {"run"}) == [
        "Full", "report", "failed"]
    allowed = set(ALLOWED)
    allowed |= set(WRONG) | {w for slug in WRONG for w in re.findall(r"[A-Za-z]+", slug)}  # folder names
    found = {}
    for slug, sample in WRONG.items():
        ex = EXERCISES[slug]
        handed_out = (kit / slug / ex.student_file).read_text(encoding="utf-8")
        wrong = (ROOT / "tests" / "samples" / slug / sample).read_text(encoding="utf-8")
        (kit / slug / ex.student_file).write_text(wrong, encoding="utf-8")
        allowed |= set(ex.spec.checks) | _code_words(wrong) | {Path(ex.student_file).stem}
        found[f"{slug}/{ex.student_file} as handed out"] = _prose(handed_out)
    found = {key: english_words(prose, allowed) for key, prose in found.items()}

    done = subprocess.run(_check_command(kit), cwd=kit, capture_output=True, text=True, timeout=600,
                          env={**os.environ, "COLUMNS": "200"})
    terminal = done.stdout + done.stderr
    assert done.returncode == 1 and "自查" in terminal, terminal  # graded, and failed: the wrong answers
    report = (kit / "reports" / "self-check" / "report.html").read_text(encoding="utf-8")
    assert "死锁" in report and "未通过" in report  # the deadlock and the race are in it
    found["terminal"] = english_words(terminal, allowed)
    found["report.html"] = english_words(page_text(report), allowed)
    one = subprocess.run([*_check_command(kit), "--exercise", "queue-drain"], cwd=kit, capture_output=True,
                         text=True, timeout=600, env={**os.environ, "COLUMNS": "200"})
    found["make check EX=queue-drain"] = english_words(one.stdout + one.stderr, allowed)
    assert found == {key: [] for key in found}, terminal


def test_the_chinese_kits_makefile_says_in_chinese_that_python_is_too_old(kit, tmp_path):
    old = tmp_path / "python3.9"  # a Python that says it is 3.9: the Makefile's first check refuses it
    fake = "import sys; sys.version_info = (3, 9, 0); sys.version = '3.9.0'; exec(compile(sys.argv[1], 'c', 'exec'))"
    old.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} -c "{fake}" "$2"\n')
    old.chmod(0o755)
    done = subprocess.run(["make", "--no-print-directory", "check", f"PYTHON={old}"], cwd=kit,
                          capture_output=True, text=True, env={**os.environ, "MAKEFLAGS": ""})
    said = done.stderr.splitlines()[0]
    assert done.returncode != 0 and "3.9.0" in said and "Python 3.11" in said, done.stderr
    assert english_words(said, ALLOWED) == [], said
    assert not (kit / ".grader" / "venv").exists()

