"""The kit a teacher hands out: it installs in a fresh folder and venv, self-checks with the same
judge (starters fail, reference solutions pass the visible checks), also without Linux's pidfd and
/proc, and holds nothing of a hidden check, a solution or a sample."""

from __future__ import annotations

import ast
import io
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from grader.host import pack_i18n, packs
from grader.host.handout import make_handout

from .conftest import ROOT

EXERCISES = packs.load_all(ROOT / "exercises")


@pytest.fixture(scope="module")
def kit_zip(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("handout") / "concurrency-kit.zip"
    return make_handout(EXERCISES, out, lang="zh")


def _unpack(kit_zip: Path, where: Path) -> Path:
    with zipfile.ZipFile(kit_zip) as zf:
        zf.extractall(where)
    return where / "concurrency-kit"


def _make_check(kit: Path, *args: str, **env) -> subprocess.CompletedProcess:
    return subprocess.run(["make", "check", "SANDBOX=local", f"PYTHON={sys.executable}", *args], cwd=kit,
                          capture_output=True, text=True, timeout=900, env={**os.environ, **env})


@pytest.mark.slow  # installs the kit into a fresh venv and grades it: ~60 s
def test_the_kit_installs_and_self_checks_starters_and_solutions(kit_zip, tmp_path):
    kit = _unpack(kit_zip, tmp_path)
    for ex in EXERCISES:
        assert (kit / ex.slug / ex.student_file).read_bytes() == pack_i18n.starter(ex, "zh")  # its prose in zh
        assert (kit / ex.slug / "README.md").read_text(encoding="utf-8") == (
            ex.root / "README.zh.md").read_text(encoding="utf-8")
    untouched = _make_check(kit)  # nothing started: nothing graded, nothing failed
    assert untouched.returncode == 0, untouched.stdout + untouched.stderr
    assert "还没有开始任何练习" in untouched.stdout
    starter = _make_check(kit, "EX=race-counter")  # named: graded, started or not
    assert starter.returncode != 0, starter.stdout + starter.stderr  # like a test runner
    assert "未通过" in starter.stdout and "queue-drain" not in starter.stdout
    for ex in EXERCISES:
        shutil.copy(ex.solution, kit / ex.slug / ex.student_file)
    solutions = _make_check(kit)
    assert solutions.returncode == 0, solutions.stdout + solutions.stderr
    report = (kit / "reports" / "self-check" / "report.html").read_text(encoding="utf-8")
    assert 'lang="zh-CN"' in report and "老师给这道练习评分时还有" in report  # the grade has hidden checks too


@pytest.mark.slow  # installs the kit into a fresh venv (the macOS path): ~45 s
def test_the_kit_works_without_pidfd_and_proc(kit_zip, tmp_path):
    # What a Mac lacks: the fork server polls for exits, and the probe asks multiprocessing.
    kit = _unpack(kit_zip, tmp_path)
    for ex in EXERCISES:
        shutil.copy(ex.solution, kit / ex.slug / ex.student_file)
    done = _make_check(kit, GRADER_PORTABLE="1")
    assert done.returncode == 0, done.stdout + done.stderr
    probe = subprocess.run([str(kit / ".grader" / "venv" / "bin" / "python"), "-c",
                            "import grader.harness.child.fork_server as f; print(f.PIDFD)"],
                           capture_output=True, text=True, env={**os.environ, "GRADER_PORTABLE": "1"})
    assert probe.stdout.strip() == "False"


def _kit_texts(kit_zip: Path) -> dict[str, str]:
    """Every file of the kit as text, the grader's wheel opened too."""
    texts = {}
    with zipfile.ZipFile(kit_zip) as zf:
        for name in zf.namelist():
            data = zf.read(name)
            if name.endswith(".whl"):
                with zipfile.ZipFile(io.BytesIO(data)) as wheel:
                    for inner in wheel.namelist():
                        texts[f"{name}!{inner}"] = wheel.read(inner).decode("utf-8", "replace")
            else:
                texts[name] = data.decode("utf-8", "replace")
    return texts


def _hidden_texts(exercise) -> set[str]:
    """What a hidden check is made of: its name, hint, its test's source and messages, in both languages."""
    hidden = {n: c for n, c in exercise.spec.checks.items() if c.visibility.value == "hidden"}
    found = set()
    for name, check in hidden.items():
        found.add(name)
        if check.hint:
            found |= {check.hint, pack_i18n.pack_text(exercise, check.hint, "zh")}
    for test_file in exercise.tests_dir.glob("test_*.py"):
        tree = ast.parse(test_file.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name[len("test_"):] in hidden:
                for sub in ast.walk(node):
                    if isinstance(sub, ast.Constant) and isinstance(sub.value, str) and len(sub.value) > 20:
                        found |= {sub.value, pack_i18n.pack_text(exercise, sub.value, "zh")}
    return found


def test_the_kit_holds_no_hidden_check_solution_or_sample(kit_zip):
    texts = _kit_texts(kit_zip)
    everything = "\n".join(texts.values())
    for ex in EXERCISES:
        for secret in _hidden_texts(ex):
            assert secret not in everything, (ex.slug, secret[:80])
        solution = ex.solution.read_text(encoding="utf-8")
        samples = [p.read_text(encoding="utf-8") for p in ex.samples_dir.glob("*.py")]
        for name, text in texts.items():
            assert text != solution and text not in samples, name
    kit_files = [n for n in texts if "!" not in n]  # the kit itself, not the grader's own package
    assert not [n for n in kit_files if "/solution" in n or "/samples/" in n or "/tests/samples" in n]
    for name, text in texts.items():
        if name.endswith(".py"):
            for node in ast.walk(ast.parse(text)):
                modules = ([a.name for a in node.names] if isinstance(node, ast.Import)
                           else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
                assert not [m for m in modules if m.split(".")[0] in ("solutions", "tests")], (name, modules)


def test_a_kit_for_an_assignment_has_its_exercises_title_deadline_and_points(tmp_path, monkeypatch):
    from grader.host import handout
    from grader.host.assignment import load_assignment, plan

    monkeypatch.setattr(handout, "_wheels", lambda folder, with_dependencies: folder.mkdir(parents=True))
    homework = tmp_path / "assignment.yaml"
    homework.write_text("title: 作业三\nexercises:\n  - queue-drain\n  - slug: race-counter\n    points: 20\n"
                        "deadline: 2026-11-30T23:59:00+08:00\n", encoding="utf-8")
    chosen = plan(ROOT / "exercises", load_assignment(homework))
    kit = make_handout(chosen.exercises, tmp_path / "kit", lang="zh", assignment=chosen)
    readme = (kit / "README.md").read_text(encoding="utf-8")
    assert readme.startswith("# 作业三\n\n截止时间：2026-11-30 23:59+08:00。\n\n- `queue-drain/drain.py`")
    assert "，20 分" in readme and "，10 分" in readme
    # What to hand in (issue 22): the files by name, as UTF-8, not a zip.
    assert "## 提交" in readme and "`drain.py`、`race_counter.py`。" in readme
    assert "UTF-8" in readme.split("## 提交")[1] and "而不是压缩包" in readme
    assert sorted(p.name for p in kit.iterdir() if not p.name.startswith(".")) == [
        "Makefile", "README.md", "check.py", "queue-drain", "race-counter"]
    plain = make_handout(chosen.exercises, tmp_path / "plain", lang="en")
    text = (plain / "README.md").read_text(encoding="utf-8")
    assert text.startswith("# Concurrency exercises: your kit\n\n- ")
    assert "## Hand in\nUpload these files" in text and "`drain.py`, `race_counter.py`." in text
    assert "rather than a zip" in text


def test_a_zip_named_in_capitals_is_a_zip(tmp_path, monkeypatch):
    # Issue 22: `--out kit.ZIP` made a folder named kit.ZIP.
    from grader.host import handout

    monkeypatch.setattr(handout, "_wheels", lambda folder, with_dependencies: folder.mkdir(parents=True))
    out = make_handout(EXERCISES[:1], tmp_path / "kit.ZIP", lang="en")
    assert out.is_file() and zipfile.is_zipfile(out)


def test_every_readme_of_the_kit_names_the_same_commands(tmp_path, monkeypatch):
    from grader.host import handout

    monkeypatch.setattr(handout, "_wheels", lambda folder, with_dependencies: folder.mkdir(parents=True))
    for lang in ("en", "zh"):
        kit = make_handout(EXERCISES, tmp_path / lang, lang=lang)
        makefile = (kit / "Makefile").read_text(encoding="utf-8")
        assert "--started-only $(if $(EX),--exercise $(EX))" in makefile and "DIR" not in makefile
        readme = (kit / "README.md").read_text(encoding="utf-8")
        assert "make check " in readme and f"make check EX={EXERCISES[0].slug}" in readme
        for ex in EXERCISES:
            task = (kit / ex.slug / "README.md").read_text(encoding="utf-8")
            assert f"`make check EX={ex.slug}`" in task and "DIR=" not in task, (lang, ex.slug)


def test_the_kits_make_submit_says_what_is_missing_and_has_the_server_given(tmp_path, monkeypatch):
    from grader import cli
    from grader.host import handout

    monkeypatch.setattr(handout, "_wheels", lambda folder, with_dependencies: folder.mkdir(parents=True))
    assert cli.main(["handout", "--out", str(tmp_path / "kit"), "--exercise", "race-counter",
                     "--server", "https://grader.example.edu"]) == 0
    kit = tmp_path / "kit"
    makefile = (kit / "Makefile").read_text(encoding="utf-8")
    assert "\nSERVER ?= https://grader.example.edu\n" in makefile and "\nTOKEN ?= $(GRADER_TOKEN)\n" in makefile
    command = "grader submit $(EX)/*.py --exercise $(EX) --server $(SERVER) --token $(TOKEN) --lang $(REPORT_LANG)"
    assert f"\t@$(VENV)/bin/{command}\n" in makefile
    readme = (kit / "README.md").read_text(encoding="utf-8")
    assert "make submit EX=race-counter TOKEN=<your token>" in readme and "(https://grader.example.edu)" in readme

    def dry(where: Path, *args: str) -> subprocess.CompletedProcess:
        # a student's make runs at the top level: not inside `make test`'s (which adds "Entering directory")
        env = {k: v for k, v in os.environ.items() if k not in ("GRADER_TOKEN", "MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
        return subprocess.run(["make", "-n", "submit", *args], cwd=where, capture_output=True, text=True,
                              timeout=60, env=env)

    no_ex = dry(kit)  # said before anything is installed: nothing else printed
    assert no_ex.returncode == 2 and no_ex.stdout == "", no_ex.stdout
    assert "Which exercise? make submit EX=<exercise>" in no_ex.stderr
    no_token = dry(kit, "EX=race-counter")
    assert no_token.returncode == 2 and "your page on the course site" in no_token.stderr
    given = dry(kit, "EX=race-counter", "TOKEN=gr_abc", "VENV=/nowhere")
    assert given.stdout.endswith("/nowhere/bin/grader submit race-counter/*.py --exercise race-counter "
                                 "--server https://grader.example.edu --token gr_abc --lang en\n"), given.stdout
    assert cli.main(["handout", "--out", str(tmp_path / "bad"), "--server", "grader.example.edu $(shell)"]) == 2
    # Without --server, in Chinese: SERVER is asked for, in the kit's language.
    zh = make_handout(EXERCISES[:1], tmp_path / "zh", lang="zh")
    assert "\nSERVER ?= \n" in (zh / "Makefile").read_text(encoding="utf-8")
    assert "请指明要提交的练习" in dry(zh).stderr
    no_server = dry(zh, f"EX={EXERCISES[0].slug}", "TOKEN=gr_abc")
    assert no_server.returncode == 2 and "缺少课程网站的地址" in no_server.stderr
    given = dry(zh, f"EX={EXERCISES[0].slug}", "TOKEN=gr_abc", "SERVER=https://x.example", "VENV=/nowhere")
    assert given.stdout.endswith(" --lang zh\n"), given.stdout  # grader submit speaks the kit's language
    text = (zh / "README.md").read_text(encoding="utf-8")
    assert "## 在终端里提交" in text and f"make submit EX={EXERCISES[0].slug} TOKEN=<你的令牌>" in text
