"""A teacher's own exercise, outside this repository: `grader new` writes a pack that loads and
fails until filled in, and `grader check --samples --repeat` grades its cases as the catalog's are."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.host.packs import load_exercise

from .conftest import run_cli

LOCKED = """import threading


def count_up(n_threads, per_thread):
    total = 0
    lock = threading.Lock()

    def work():
        nonlocal total
        for _ in range(per_thread):
            with lock:
                total += 1

    threads = [threading.Thread(target=work) for _ in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return total
"""


def test_a_new_pack_fails_check_until_its_solution_is_written_then_passes(tmp_path: Path):
    packs = tmp_path / "my-packs"
    packs.mkdir()
    made = run_cli("new", "shared-total", "--exercises", str(packs))
    assert made.returncode == 0, made.stdout + made.stderr
    assert "solution/shared_total.py" in made.stdout and "grader translate shared-total" in made.stdout
    pack = packs / "shared-total"
    assert (pack / "i18n" / "zh.po").exists() and (pack / "README.zh.md").exists()

    unfinished = run_cli("check", "--exercise", "shared-total", "--exercises", str(packs), "--sandbox", "local")
    assert unfinished.returncode == 1
    assert "write the reference solution of shared-total in solution/shared_total.py" in unfinished.stdout

    (pack / "solution" / "shared_total.py").write_text(LOCKED, encoding="utf-8")
    done = run_cli("check", "--exercise", "shared-total", "--exercises", str(packs), "--sandbox", "local")
    assert done.returncode == 0, done.stdout
    assert "as expected" in done.stdout

    (pack / "samples" / "lock_per_call.py").write_text(
        LOCKED.replace("    lock = threading.Lock()\n", "").replace("with lock:", "with threading.Lock():"),
        encoding="utf-8")
    expected = (pack / "samples" / "expected.yaml").read_text(encoding="utf-8")
    (pack / "samples" / "expected.yaml").write_text(
        expected + "lock_per_call:\n  status: failed\n  score: 0.0\n  checks:\n    counts_every_increment: failed\n",
        encoding="utf-8")
    samples = run_cli("check", "--exercise", "shared-total", "--exercises", str(packs), "--samples",
                      "--repeat", "2", "--sandbox", "local")
    assert samples.returncode == 0, samples.stdout
    assert samples.stdout.count("2/2") == 3  # solution, starter, lock_per_call, each the same twice


def test_a_sample_that_comes_out_otherwise_is_shown_and_fails_the_command(tmp_path: Path):
    packs = tmp_path / "packs"
    packs.mkdir()
    assert run_cli("new", "shared-total", "--exercises", str(packs)).returncode == 0
    pack = packs / "shared-total"
    (pack / "solution" / "shared_total.py").write_text(LOCKED, encoding="utf-8")
    expected = (pack / "samples" / "expected.yaml").read_text(encoding="utf-8")
    (pack / "samples" / "expected.yaml").write_text(expected.replace("    counts_every_increment: failed",
                                                                     "    counts_every_increment: passed"))
    result = run_cli("check", "--exercise", "shared-total", "--exercises", str(packs), "--samples",
                     "--sandbox", "local")
    assert result.returncode == 1 and "DIFFERENT" in result.stdout and "starter" in result.stdout


def test_a_report_that_does_not_mention_what_expected_yaml_asks_fails_the_command(tmp_path: Path):
    """`--samples` checks report_mentions, as the grader's own tests do: one comparison for both."""
    packs = tmp_path / "packs"
    packs.mkdir()
    assert run_cli("new", "shared-total", "--exercises", str(packs)).returncode == 0
    pack = packs / "shared-total"
    (pack / "solution" / "shared_total.py").write_text(LOCKED, encoding="utf-8")
    expected = pack / "samples" / "expected.yaml"
    mention = "  report_mentions:\n  - a phrase no report says\n"
    expected.write_text(expected.read_text(encoding="utf-8").replace(
        "starter:\n  status: failed\n", "starter:\n  status: failed\n" + mention), encoding="utf-8")
    result = run_cli("check", "--exercise", "shared-total", "--exercises", str(packs), "--samples",
                     "--sandbox", "local")
    assert result.returncode == 1, result.stdout
    assert "DIFFERENT" in result.stdout
    assert "the report does not mention 'a phrase no report says'" in result.stdout


def test_repeat_below_one_is_refused_before_grading(tmp_path: Path):
    result = run_cli("check", "--exercise", "race-counter", "--samples", "--repeat", "0")
    assert result.returncode == 2 and "at least once" in result.stdout


def test_the_config_file_names_the_packs_folder(tmp_path: Path):
    packs = tmp_path / "packs"
    packs.mkdir()
    assert run_cli("new", "shared-total", "--exercises", str(packs)).returncode == 0
    config = tmp_path / "grader.yaml"
    config.write_text(f"exercises: {packs}\n", encoding="utf-8")
    listed = run_cli("list", "--config", str(config))
    assert "shared-total" in listed.stdout and "race-counter" not in listed.stdout


def test_a_bad_name_says_what_a_name_looks_like(tmp_path: Path):
    result = run_cli("new", "Bad_Name", "--exercises", str(tmp_path))
    assert result.returncode == 2 and "lowercase words joined by hyphens" in result.stdout


def test_the_student_file_can_be_named_apart_from_the_slug(tmp_path: Path):
    # Issue 23: `grader new` named the student's file after the slug, with no way to choose it.
    made = run_cli("new", "event-gate", "--file", "gate.py", "--exercises", str(tmp_path))
    assert made.returncode == 0, made.stdout + made.stderr
    pack = tmp_path / "event-gate"
    assert (pack / "gate.py").exists() and (pack / "solution" / "gate.py").exists()
    assert (pack / "tests" / "test_gate.py").exists()
    assert "student_file: gate.py" in (pack / "exercise.yaml").read_text(encoding="utf-8")
    assert "solution/gate.py" in made.stdout
    assert load_exercise(pack).student_file == "gate.py"
    # the spelling this option had before stays
    again = run_cli("new", "event-latch", "--student-file", "latch.py", "--exercises", str(tmp_path))
    assert again.returncode == 0 and (tmp_path / "event-latch" / "latch.py").exists()


@pytest.mark.parametrize(("name", "why"), [
    ("my-gate.py", "letters, digits and underscores, then .py"),
    ("gate", "letters, digits and underscores, then .py"),
    ("../gate.py", "letters, digits and underscores, then .py"),
    ("class.py", "class is a Python keyword"),
    ("queue.py", "queue is a module Python or the grader imports already"),
])
def test_a_student_file_the_child_could_not_import_is_refused_saying_why(tmp_path: Path, name: str, why: str):
    wrong = run_cli("new", "other-gate", "--file", name, "--exercises", str(tmp_path))
    assert wrong.returncode == 2 and "--file" in wrong.stdout and why in wrong.stdout, wrong.stdout
    assert not (tmp_path / "other-gate").exists()


def test_a_slug_whose_file_would_shadow_a_module_asks_for_file(tmp_path: Path):
    wrong = run_cli("new", "queue", "--exercises", str(tmp_path))
    assert wrong.returncode == 2 and "queue.py (from the slug)" in wrong.stdout and "--file" in wrong.stdout
    made = run_cli("new", "queue", "--file", "handoff_queue.py", "--exercises", str(tmp_path))
    assert made.returncode == 0 and (tmp_path / "queue" / "handoff_queue.py").exists()
