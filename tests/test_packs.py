"""Pack loading names the file and key of every mistake."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from grader.host.packs import PackError, load_all, load_exercise

from .conftest import ROOT


@pytest.fixture
def pack(tmp_path) -> Path:
    dest = tmp_path / "race-counter"
    shutil.copytree(ROOT / "exercises" / "race-counter", dest)
    return dest


def _edit(pack: Path, change) -> None:
    path = pack / "exercise.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data), encoding="utf-8")


def test_the_shipped_packs_load():
    slugs = [ex.slug for ex in load_all(ROOT / "exercises")]
    assert slugs == ["asyncio-gather", "bounded-desks", "daemon-writer", "gevent-crawler", "gevent-pool",
                     "gevent-workers", "lock-ordering", "parallel-primes",
                     "pool-async", "process-queue", "producer-consumer", "queue-drain", "race-counter",
                     "reentrant-lock", "semaphore-handoff", "threads-or-processes", "word-tally"]


@pytest.mark.parametrize("exercise", load_all(ROOT / "exercises"), ids=lambda ex: ex.slug)
@pytest.mark.parametrize("readme", ["README.md", "README.zh.md"])
def test_a_packs_readme_names_each_visible_check_and_no_hidden_one(exercise, readme):
    text = (exercise.root / readme).read_text(encoding="utf-8")
    for name, check in exercise.spec.checks.items():
        named = f"`{name}`" in text
        assert named == (check.visibility.value == "visible"), (readme, name, check.visibility.value)


def test_unknown_key_is_named(pack):
    _edit(pack, lambda d: d.update(colour="blue"))
    with pytest.raises(PackError, match=r"exercise.yaml: colour: unknown key"):
        load_exercise(pack)


def test_unknown_key_inside_a_check_is_named(pack):
    _edit(pack, lambda d: d["checks"]["keeps_simulated_work"].update(weight=2))
    with pytest.raises(PackError, match=r"checks.keeps_simulated_work.weight: unknown key"):
        load_exercise(pack)


def test_points_must_be_positive(pack):
    _edit(pack, lambda d: d["checks"]["keeps_simulated_work"].update(points=0))
    with pytest.raises(PackError, match=r"checks.keeps_simulated_work.points: .*greater than 0"):
        load_exercise(pack)


def test_listed_check_without_a_test(pack):
    _edit(pack, lambda d: d["checks"].update(no_such_check={"points": 1, "description": "x"}))
    with pytest.raises(PackError, match=r"checks.no_such_check: listed, but no test_no_such_check"):
        load_exercise(pack)


def test_test_not_listed(pack):
    _edit(pack, lambda d: d["checks"].pop("keeps_simulated_work"))
    with pytest.raises(PackError, match=r"test_race_counter.py: test_keeps_simulated_work: a test not listed"):
        load_exercise(pack)


def test_missing_required_key(pack):
    _edit(pack, lambda d: d.pop("student_file"))
    with pytest.raises(PackError, match=r"student_file: required key is missing"):
        load_exercise(pack)


def test_student_file_must_be_a_module_name(pack):
    _edit(pack, lambda d: d.update(student_file="../evil.py"))
    with pytest.raises(PackError, match=r"student_file: .*plain module file name"):
        load_exercise(pack)


@pytest.mark.parametrize("name", ["threading.py", "gevent.py", "lambda.py"])
def test_student_file_must_not_replace_a_module_the_child_imports(pack, name):
    # the child puts the student's module in sys.modules under its own name
    _edit(pack, lambda d: d.update(student_file=name))
    with pytest.raises(PackError, match=r"student_file: .*(imports already|keyword)"):
        load_exercise(pack)


def test_missing_starter(pack):
    (pack / "race_counter.py").unlink()
    with pytest.raises(PackError, match=r"missing race_counter.py"):
        load_exercise(pack)


def test_version_changes_with_content(pack):
    before = load_exercise(pack).version()
    (pack / "README.md").write_text("changed", encoding="utf-8")
    assert load_exercise(pack).version() != before
