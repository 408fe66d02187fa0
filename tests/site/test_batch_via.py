"""`grader batch --via`'s side of the queue (grader/site/submissions/batch.py): what it does with a
row the workers could not grade, with a grade made from other packs, with Ctrl-C, and how its rows
stay out of the site's pages. The whole path, with real workers, PostgreSQL and Redis, is in
tests/site/test_cluster.py."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from grader.host.assignment import Assignment
from grader.host.messages import MessageError
from grader.host.results import StudentResult
from grader.site.submissions import grade
from grader.site.submissions.access import visible_to
from grader.site.submissions.batch import ClusterGrading, Stopped
from grader.site.submissions.models import Batch, Submission

from .conftest import file_of

S = Submission.State
RACE = Assignment.of(["race-counter"])


def _folder(tmp_path: Path) -> Path:
    name, content = file_of("race-counter", solved=True)
    (tmp_path / "sub" / "hw").mkdir(parents=True)
    (tmp_path / "sub" / "hw" / name).write_bytes(content)
    return tmp_path / "sub"


def _result(version: str) -> dict:
    return StudentResult(student="ann", score=10.0, max_score=10.0, sandbox="docker", sandbox_note="",
                         exercises=[]).to_dict() | {
        "exercises": [{"exercise": "race-counter", "title": "t", "status": "passed", "score": 10.0,
                       "max_score": 10.0, "pack_version": version}]}


def _grade_in_thread(grading: ClusterGrading, folder: Path, key: str = "k1") -> dict:
    outcome: dict = {}

    def run():
        try:
            outcome["result"] = grading.grade(folder=folder, student="ann", key=key, lang="zh", assignment=RACE)
        except Exception as exc:  # noqa: BLE001 - the test looks at it
            outcome["error"] = exc
    thread = threading.Thread(target=run)
    thread.start()
    outcome["thread"] = thread
    return outcome


def _sent(grading: ClusterGrading) -> Submission:
    """The row the student's thread sent, once it waits for it. (The database is SQLite's shared
    in-memory one here, where a read beside another connection's write fails at once: so the test
    looks only when that thread is done writing, and the poller never runs by itself: see _answer.)"""
    for _ in range(1500):
        if grading._waiting:
            return Submission.objects.get(pk=next(iter(grading._waiting)))
        time.sleep(0.02)
    raise AssertionError("no row was sent")


def _answer(grading: ClusterGrading, row: Submission, **fields) -> None:
    """What a worker would write, then one round of the poller's."""
    Submission.objects.filter(pk=row.pk).update(**fields)
    grading._poll_once()


def _grading(versions: dict) -> ClusterGrading:
    return ClusterGrading(versions=versions, poll_seconds=3600)  # rounds only when _answer asks


@pytest.mark.django_db(transaction=True)
def test_a_student_is_sent_with_their_folders_below_students_and_their_grade_taken(tmp_path):
    grading = _grading({"race-counter": "v1"})
    waiting = _grade_in_thread(grading, _folder(tmp_path))
    row = _sent(grading)
    assert row.priority == Submission.Priority.BATCH and row.batch_student == "ann" and row.batch_key == "k1"
    assert row.student_id is None and row.exercise_id is None
    assert [f.name for f in row.files.all()] == [f"hw/{file_of('race-counter')[0]}"]  # its folder kept
    batch = Batch.objects.get()
    assert batch.lang == "zh" and batch.assignment["exercises"][0]["slug"] == "race-counter"
    _answer(grading, row, state=S.GRADED, result=_result("v1"))
    waiting["thread"].join(10)
    assert "error" not in waiting and waiting["result"].score == 10.0


@pytest.mark.django_db(transaction=True)
def test_a_row_the_workers_could_not_grade_is_an_infrastructure_error_and_the_next_run_sends_again(tmp_path):
    grading = _grading({"race-counter": "v1"})
    waiting = _grade_in_thread(grading, _folder(tmp_path))
    row = _sent(grading)
    _answer(grading, row, state=S.NOT_GRADED, error="no sandbox on host-a")
    waiting["thread"].join(10)
    error = waiting["error"]
    assert isinstance(error, MessageError) and error.message["id"] == "infra_cluster_not_graded"
    assert "no sandbox on host-a" in error.message["params"]["error"]
    assert ClusterGrading(versions={})._earlier("k1", "ann", "zh") is None  # sent again next time


@pytest.mark.django_db(transaction=True)
def test_a_grade_made_with_other_packs_is_not_used_and_an_equal_one_is_taken_without_sending(tmp_path):
    grading = _grading({"race-counter": "v2"})
    waiting = _grade_in_thread(grading, _folder(tmp_path))
    row = _sent(grading)
    _answer(grading, row, state=S.GRADED, result=_result("v1"))
    waiting["thread"].join(10)
    error = waiting["error"]
    assert isinstance(error, MessageError) and error.message["id"] == "infra_cluster_packs_differ"
    assert error.message["params"] == {"exercise": "race-counter", "theirs": "v1", "ours": "v2"}
    assert ClusterGrading(versions={"race-counter": "v2"})._earlier("k1", "ann", "zh") is None
    same = ClusterGrading(versions={"race-counter": "v1"})
    assert same._earlier("k1", "ann", "zh") == row.pk  # the same packs: that grade is taken, nothing sent
    assert same._earlier("k1", "ann", "en") is None  # another language is another report
    assert same._earlier("k2", "ann", "zh") is None  # other files


@pytest.mark.django_db(transaction=True)
def test_ctrl_c_ends_the_wait_and_leaves_the_row_to_be_graded(tmp_path):
    grading = _grading({})
    waiting = _grade_in_thread(grading, _folder(tmp_path))
    row = _sent(grading)
    grading.stop()
    waiting["thread"].join(10)
    assert isinstance(waiting["error"], Stopped)
    assert Submission.objects.get(pk=row.pk).state == S.QUEUED  # the workers grade it; a rerun takes it


@pytest.mark.django_db
def test_a_batchs_rows_are_on_no_page_even_a_teachers(people, tmp_path):
    batch = Batch.objects.create(assignment=None, lang="en")
    Submission.objects.create(batch=batch, batch_student="ann", batch_key="k", priority=Submission.Priority.BATCH)
    assert not visible_to(people["teacher"].user).exists()


@pytest.mark.parametrize("name", ["../escape.py", "/etc/passwd", "a/../../b.py", ".."])
def test_a_worker_refuses_a_stored_name_that_leaves_the_scratch_folder(tmp_path, name):
    with pytest.raises(ValueError, match="leaves the submission's folder"):
        grade._write_inside(tmp_path / "scratch", name, b"x")


def test_a_worker_puts_a_batchs_file_back_in_its_folder(tmp_path):
    (tmp_path / "scratch").mkdir()
    grade._write_inside(tmp_path / "scratch", "作业/hw/race.py", b"x = 1\n")
    assert (tmp_path / "scratch" / "作业" / "hw" / "race.py").read_bytes() == b"x = 1\n"


@pytest.mark.parametrize(("args", "said"), [
    (["--via", "http://queue:6379"], "give the course site's task queue, redis://"),
    (["--via", "redis://127.0.0.1:1/0"], "--via needs the site's database: --db postgres://"),
])
def test_via_without_what_it_needs_says_so_before_anything_is_sent(tmp_path, capsys, monkeypatch, args, said):
    from grader.cli import main

    monkeypatch.delenv("GRADER_DB", raising=False)
    monkeypatch.delenv("GRADER_DATA", raising=False)
    (tmp_path / "class" / "ann").mkdir(parents=True)
    code = main(["batch", str(tmp_path / "class"), "--out", str(tmp_path / "out"), *args])
    assert code == 2 and said in capsys.readouterr().out
    assert not (tmp_path / "out").exists()
