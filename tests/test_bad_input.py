"""Issue 22, the QA sweep as one table: every command a teacher (or a student) runs, each kind of
mistaken input that applies to it. Every row: the exit code (2 for bad input, 0 where the input is in
fact fine), no Python traceback, a message that names the option or the path to fix, nothing written
where nothing may be, and the refusal before any grading (grading is replaced by a tripwire in the rows
that must not grade). A subset runs again with --lang zh: the message must be in Chinese.

A new option or command gets its rows here, so that it cannot bring a traceback back."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import subprocess
import sys
import traceback
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from .conftest import ROOT

STARTER = (ROOT / "exercises" / "race-counter" / "race_counter.py").read_bytes()
UNWRITABLE = "/proc/grader-bad-input"  # not writable by anyone, root included (the tests may run as root)
MOODLE = (
    '\ufeff"Identifier","Full name","Email address","Status","Grade","Maximum Grade","Grade can be changed",'
    '"Last modified (submission)","Last modified (grade)","Feedback comments"\r\n'
    '"Participant 67890","Zhang San",zs@example.edu,"Submitted for grading",,100.00,Yes,-,-,\r\n'
)
# A Moodle worksheet as a German or French spreadsheet saves it: semicolons, decimal commas.
SEMICOLON = ('Identifier;Full name;Email address;Status;Grade;Maximum Grade;Grade can be changed\r\n'
             'Participant 67890;Zhang San;zs@example.edu;Submitted for grading;;100,00;Yes\r\n')
CJK = re.compile(r"[\u3400-\u9fff]")


@dataclass
class Row:
    id: str
    argv: Callable[[Path], list[str]]  # given the tmp folder that setup() filled
    code: int = 2
    says: tuple[str, ...] = ()  # each in the output ({t}: the tmp folder), whitespace folded
    not_says: tuple[str, ...] = ()  # case-insensitive
    setup: Callable[[Path], None] | None = None  # on top of the common tree (_tree)
    may_write: tuple[str, ...] = ()  # paths under tmp that may change; () = nothing may
    grades: bool = False  # the row may grade (otherwise grading is a tripwire)
    then: Callable[[Path, str], None] | None = None  # further checks after the run
    zh: bool = False  # run again with --lang zh: the message must be in Chinese
    subprocess: bool = False  # run as `python -m grader.cli` (the site's commands set Django up)


def _tree(t: Path) -> None:
    """What every row starts from: a student's folder, a class, a finished batch, an LMS sheet, and
    settings and assignment files, right and wrong."""
    (t / "sub").mkdir()
    (t / "sub" / "race_counter.py").write_bytes(STARTER)
    (t / "empty").mkdir()
    for name in ("alice", "bob"):
        (t / "class" / name).mkdir(parents=True)
        (t / "class" / name / "race_counter.py").write_bytes(STARTER)
    (t / "a-file").write_text("not a folder\n")
    (t / "graded").mkdir()
    students = [{"student": "Zhang San", "lms_id": "67890", "score": 7.5, "max_score": 10.0, "status": "graded",
                 "exercises": {"race-counter": 7.5}}]
    (t / "graded" / "batch.json").write_text(json.dumps({"schema": 1, "finished": True, "students": students,
                                                         "exercises": [{"slug": "race-counter", "max_score": 10.0}]}))
    (t / "worksheet.csv").write_bytes(MOODLE.encode("utf-8"))
    (t / "semicolon.csv").write_bytes(SEMICOLON.encode("utf-8"))
    (t / "utf16.yaml").write_bytes("lang: zh\n".encode("utf-16"))  # with its BOM, as Notepad saves it
    (t / "broken.yaml").write_text("lang: [zh\n")
    (t / "unknown-key.yaml").write_text("colour: blue\n")
    (t / "gbk.yaml").write_bytes("lang: 中文\n".encode("gbk"))
    (t / "no-packs.yaml").write_text(f"exercises: {t / 'nopacks'}\n")
    (t / "hw-unknown.yaml").write_text("title: HW\nexercises: [race-countr]\n")
    (t / "hw-not-yaml.yaml").write_text("title: [HW\nexercises: {\n")
    (t / "packs").mkdir()


def _snapshot(root: Path) -> dict[str, str]:
    found = {}
    for path in sorted(root.rglob("*")):
        rel = os.fsencode(path.relative_to(root)).decode("utf-8", "backslashreplace")
        found[rel] = "dir" if path.is_dir() else hashlib.sha256(path.read_bytes()).hexdigest()
    return found


class _Graded(Exception):
    """A row that must be refused before any grading reached the grading."""


def _run_in_process(argv: list[str], capsys, monkeypatch, grades: bool) -> tuple[int, str, list[str]]:
    from grader import cli
    from grader.host import grading, handout

    graded: list[str] = []
    if not grades:  # the judging itself (seconds a student): everything before it may run
        def tripwire(box, jobs):
            graded.append(", ".join(job.exercise.slug for job in jobs))
            raise _Graded("judged before the input was refused")

        monkeypatch.setattr(grading, "run_sandbox", tripwire)
    # The kit's wheel is built with pip (seconds): no row is about it.
    monkeypatch.setattr(handout, "_wheels", lambda folder, with_dependencies: folder.mkdir(parents=True))
    monkeypatch.setattr("grader.host.gradescope_zip._wheels",
                        lambda folder, with_dependencies: folder.mkdir(parents=True))
    try:
        code = cli.main(argv)
    except SystemExit as exc:  # argparse's errors
        code = exc.code if isinstance(exc.code, int) else 2
    except _Graded:
        code = -1  # `graded` says why
    except BaseException:  # noqa: BLE001 - what a teacher would see as a traceback
        said = capsys.readouterr()
        pytest.fail(f"a traceback escaped main({argv}):\n{traceback.format_exc()}\n{said.out}{said.err}")
    said = capsys.readouterr()
    return code, said.out + said.err, graded


def _run_subprocess(argv: list[str]) -> tuple[int, str, list[str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRADER_")}
    proc = subprocess.run([sys.executable, "-m", "grader.cli", *argv], capture_output=True, text=True, cwd=ROOT,
                          env={**env, "COLUMNS": "300"}, timeout=120)
    return proc.returncode, proc.stdout + proc.stderr, []


# Further checks of the rows whose input is fine.

def _report_inside_out(t: Path, said: str) -> None:
    made = [p for p in (t / "out").iterdir()]
    assert len(made) == 1 and (made[0] / "report.json").is_file(), made
    assert len(os.fsencode(made[0].name)) <= 255


def _a_zip_file(t: Path, said: str) -> None:
    kit = t / "kit.ZIP"
    assert kit.is_file() and zipfile.is_zipfile(kit), "handout --out kit.ZIP must write a zip file"


def _kit_has_it_once(t: Path, said: str) -> None:
    kit = t / "kit"
    assert sorted(p.name for p in kit.iterdir() if p.is_dir() and not p.name.startswith(".")) == ["race-counter"]
    assert (kit / "README.md").read_text(encoding="utf-8").count("- `race-counter/race_counter.py`") == 1


def _autograder_has_it_once(t: Path, said: str) -> None:
    with zipfile.ZipFile(t / "ag.zip") as zf:
        script = zf.read("run_autograder").decode("utf-8")
        packs = {n.split("/")[1] for n in zf.namelist() if n.startswith("packs/")}
    assert packs == {"race-counter"} and script.count("race-counter") == 1, script


def _read_in_chinese(t: Path, said: str) -> None:
    assert CJK.search(said), "the UTF-16 settings say lang: zh, so the list is in Chinese"


def _grades(t: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO((t / "out" / "grades.csv").read_text(encoding="utf-8-sig"))))


def _every_submission_has_a_row(t: Path, said: str) -> None:
    rows = {r["student"]: r["status"] for r in _grades(t)}
    assert set(rows) == {"bob", "carol", "dave", "陈静"}, rows
    assert all(rows[s] == "error" for s in ("bob", "carol", "dave")), rows


def _zip_in_zip_graded_once(t: Path, said: str) -> None:
    header = (t / "out" / "grades.csv").read_text(encoding="utf-8-sig").splitlines()[0].split(",")
    assert header.count("race-counter") == 1, header
    rows = {r["student"]: r for r in _grades(t)}
    assert set(rows) == {"erin", "alice"}, rows
    assert rows["erin"]["race-counter"] != "" and rows["erin"]["status"] == "graded", rows["erin"]


def _odd_archives(t: Path) -> None:
    cls = t / "odd"
    cls.mkdir()
    (cls / "bob.rar").write_bytes(b"Rar!\x1a\x07\x00" + b"\0" * 32)
    (cls / "carol.7z").write_bytes(b"7z\xbc\xaf\x27\x1c" + b"\0" * 32)
    (cls / "dave.tar.xz").write_bytes(b"\xfd7zXZ\x00" + b"\0" * 32)
    gbk = os.fsencode(cls) + b"/" + "陈静".encode("gbk")  # as `unzip` leaves a Windows zip's names
    os.mkdir(gbk)
    with open(gbk + b"/notes.txt", "wb") as fh:
        fh.write(b"not started\n")
    for junk in ("README_first.txt", "class_list.xlsx", "__init__.py"):
        (cls / junk).write_text("x\n")


def _zip_in_zip(t: Path) -> None:
    cls = t / "zips"
    cls.mkdir()
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as zf:
        zf.writestr("race_counter.py", STARTER)
    with zipfile.ZipFile(cls / "erin.zip", "w") as zf:
        zf.writestr("hw3.zip", inner.getvalue())
    (cls / "alice").mkdir()
    (cls / "alice" / "race_counter.py").write_bytes(STARTER)


def _existing_pack(t: Path) -> None:
    (t / "packs" / "race-counter").mkdir()


def _kit_exists(t: Path) -> None:
    (t / "kit").mkdir()


def _ag_exists(t: Path) -> None:
    (t / "ag.zip").write_bytes(b"an earlier autograder")


def G(*rest: str) -> Callable[[Path], list[str]]:
    """An argv, each part formatted with t, the tmp folder."""
    return lambda t: [part.format(t=t, bad=UNWRITABLE) for part in rest]


GRADE = ("grade", "{t}/sub", "--student", "a")
GS = ("gradesheet", "{t}/graded", "{t}/worksheet.csv")
# Words of the messages, in each language ({suggest}: the suggestion for race-countr).
WORDS = {"en": {"suggest": "did you mean race-counter?", "settings": "Settings", "pack": "exercise pack"},
         "zh": {"suggest": "你是不是想写 race-counter", "settings": "设置文件", "pack": "练习包有误"}}
SETTINGS = ("{settings}",)
NOT_PACK = ("{pack}",)

ROWS = [
    # grade: one student's folder
    Row("grade-submission-missing", G("grade", "{t}/nope", "--student", "a", "--out", "{t}/out"),
        says=("{t}/nope",), zh=True),
    Row("grade-submission-is-a-file", G("grade", "{t}/a-file", "--student", "a", "--out", "{t}/out"),
        says=("{t}/a-file",)),
    Row("grade-out-is-a-file", G(*GRADE, "--out", "{t}/a-file"), says=("--out", "{t}/a-file"), zh=True),
    # Fine input: reports in a folder inside the student's (intake ignores them), never into it.
    Row("grade-out-inside-submission", G("grade", "{t}/empty", "--student", "a", "--out", "{t}/empty/reports",
                                         "--exercise", "race-counter", "--sandbox", "local"),
        code=0, may_write=("empty/reports",), grades=True),
    Row("grade-out-is-the-submission", G(*GRADE, "--out", "{t}/sub"), says=("--out", "{t}/sub")),
    Row("grade-out-unwritable", G(*GRADE, "--out", "{bad}/out"), says=("--out", "{bad}/out")),
    Row("grade-out-under-a-file", G(*GRADE, "--out", "{t}/a-file/out"), says=("--out", "{t}/a-file/out")),
    Row("grade-results-json-in-submission", G(*GRADE, "--out", "{t}/out", "--results-json", "{t}/sub/race_counter.py"),
        says=("--results-json",)),
    Row("grade-results-json-is-a-folder", G(*GRADE, "--out", "{t}/out", "--results-json", "{t}/graded"),
        says=("--results-json", "{t}/graded")),
    Row("grade-results-json-unwritable", G(*GRADE, "--out", "{t}/out", "--results-json", "{bad}/results.json"),
        says=("--results-json", "{bad}/results.json")),
    Row("grade-unknown-slug", G(*GRADE, "--out", "{t}/out", "--exercise", "race-countr"),
        says=("race-countr", "{suggest}"), zh=True),
    Row("grade-abbreviated-out", G(*GRADE, "--ou", "{t}/out"), says=("--ou",)),
    Row("grade-abbreviated-exercise", G(*GRADE, "--out", "{t}/out", "--exerc", "race-counter"), says=("--exerc",)),
    Row("grade-exercises-missing", G(*GRADE, "--out", "{t}/out", "--exercises", "{t}/nopacks"),
        says=("{t}/nopacks",), zh=True),
    Row("grade-exercises-is-a-file", G(*GRADE, "--out", "{t}/out", "--exercises", "{t}/a-file"),
        says=("{t}/a-file",)),
    Row("grade-config-missing", G(*GRADE, "--out", "{t}/out", "--config", "{t}/nope.yaml"),
        says=(*SETTINGS, "{t}/nope.yaml"), not_says=NOT_PACK),
    Row("grade-config-broken-yaml", G(*GRADE, "--out", "{t}/out", "--config", "{t}/broken.yaml"),
        says=(*SETTINGS, "{t}/broken.yaml"), not_says=NOT_PACK, zh=True),
    Row("grade-config-unknown-key", G(*GRADE, "--out", "{t}/out", "--config", "{t}/unknown-key.yaml"),
        says=(*SETTINGS, "colour"), not_says=NOT_PACK),
    Row("grade-assignment-missing", G(*GRADE, "--out", "{t}/out", "--assignment", "{t}/nope.yaml"),
        says=("{t}/nope.yaml",), zh=True),
    Row("grade-assignment-not-yaml", G(*GRADE, "--out", "{t}/out", "--assignment", "{t}/hw-not-yaml.yaml"),
        says=("{t}/hw-not-yaml.yaml",)),
    Row("grade-assignment-unknown-exercise", G(*GRADE, "--out", "{t}/out", "--assignment", "{t}/hw-unknown.yaml"),
        says=("{t}/hw-unknown.yaml", "{suggest}")),
    Row("grade-assignment-and-exercise", G(*GRADE, "--out", "{t}/out", "--assignment", "{t}/hw-unknown.yaml",
                                           "--exercise", "race-counter"), says=("--assignment", "--exercise")),
    # Fine input: the folder name is cut short, and stays inside --out (an empty folder: all missing, no judge).
    Row("grade-student-300-chars", G("grade", "{t}/empty", "--student", "x" * 300, "--out", "{t}/out",
                                     "--exercise", "race-counter", "--sandbox", "local"),
        code=0, may_write=("out",), grades=True, then=_report_inside_out),
    Row("grade-student-300-cjk-chars", G("grade", "{t}/empty", "--student", "陈" * 300, "--out", "{t}/out",
                                         "--exercise", "race-counter", "--sandbox", "local"),
        code=0, may_write=("out",), grades=True, then=_report_inside_out),
    Row("grade-student-with-dots-and-slashes", G("grade", "{t}/empty", "--student", "../../a/../b", "--out",
                                                 "{t}/out", "--exercise", "race-counter", "--sandbox", "local"),
        code=0, may_write=("out",), grades=True, then=_report_inside_out),

    # batch: a class
    Row("batch-class-missing", G("batch", "{t}/nope", "--out", "{t}/out"), says=("{t}/nope",), zh=True),
    Row("batch-class-is-a-plain-file", G("batch", "{t}/a-file", "--out", "{t}/out"), says=("{t}/a-file",)),
    Row("batch-out-inside-class", G("batch", "{t}/class", "--out", "{t}/class/graded"),
        says=("--out", "{t}/class/graded"), zh=True),
    Row("batch-out-is-the-class", G("batch", "{t}/class", "--out", "{t}/class"), says=("--out", "{t}/class")),
    Row("batch-out-is-a-file", G("batch", "{t}/class", "--out", "{t}/a-file"), says=("--out", "{t}/a-file")),
    Row("batch-out-unwritable", G("batch", "{t}/class", "--out", "{bad}/out"), says=("--out", "{bad}/out")),
    Row("batch-one-students-folder", G("batch", "{t}/sub", "--out", "{t}/out"), says=("{t}/sub",)),
    Row("batch-workers-0", G("batch", "{t}/class", "--out", "{t}/out", "--workers", "0"), says=("--workers",),
        zh=True),
    Row("batch-workers-negative", G("batch", "{t}/class", "--out", "{t}/out", "--workers", "-1"),
        says=("--workers",)),
    Row("batch-workers-not-a-number", G("batch", "{t}/class", "--out", "{t}/out", "--workers", "two"),
        says=("--workers",)),
    Row("batch-unknown-slug", G("batch", "{t}/class", "--out", "{t}/out", "--exercise", "race-countr"),
        says=("race-countr", "{suggest}"), zh=True),
    Row("batch-abbreviated-workers", G("batch", "{t}/class", "--out", "{t}/out", "--work", "1"), says=("--work",)),
    Row("batch-exercises-missing", G("batch", "{t}/class", "--out", "{t}/out", "--exercises", "{t}/nopacks"),
        says=("{t}/nopacks",)),
    Row("batch-config-broken-yaml", G("batch", "{t}/class", "--out", "{t}/out", "--config", "{t}/broken.yaml"),
        says=(*SETTINGS, "{t}/broken.yaml"), not_says=NOT_PACK, zh=True),
    Row("batch-config-unknown-key", G("batch", "{t}/class", "--out", "{t}/out", "--config", "{t}/unknown-key.yaml"),
        says=(*SETTINGS, "colour"), not_says=NOT_PACK),
    Row("batch-config-exercises-missing", G("batch", "{t}/class", "--out", "{t}/out", "--config",
                                            "{t}/no-packs.yaml"), says=("{t}/nopacks",)),
    Row("batch-assignment-unknown-exercise", G("batch", "{t}/class", "--out", "{t}/out", "--assignment",
                                               "{t}/hw-unknown.yaml"), says=("{suggest}",)),
    Row("batch-via-not-a-queue", G("batch", "{t}/class", "--out", "{t}/out", "--via", "ftp://x"), says=("--via",)),
    # Fine input: every student has a row whatever they sent (nothing to judge: refused or not started).
    Row("batch-every-submission-has-a-row", G("batch", "{t}/odd", "--out", "{t}/out", "--exercise", "race-counter",
                                              "--sandbox", "local", "--workers", "2"),
        code=0, setup=_odd_archives, may_write=("out",), grades=True, then=_every_submission_has_a_row),
    # Fine input, and it grades: a zip inside a student's zip, the same exercise named twice.
    Row("batch-zip-in-zip-exercise-twice", G("batch", "{t}/zips", "--out", "{t}/out", "--exercise", "race-counter",
                                             "--exercise", "race-counter", "--sandbox", "local", "--workers", "2"),
        code=0, setup=_zip_in_zip, may_write=("out",), grades=True, then=_zip_in_zip_graded_once),

    # gradesheet: the LMS's sheet
    Row("gradesheet-dir-missing", G("gradesheet", "{t}/nope", "{t}/worksheet.csv", "--out-of", "100"),
        says=("{t}/nope",)),
    Row("gradesheet-dir-is-a-file", G("gradesheet", "{t}/a-file", "{t}/worksheet.csv", "--out-of", "100"),
        says=("{t}/a-file",)),
    Row("gradesheet-sheet-missing", G("gradesheet", "{t}/graded", "{t}/nope.csv", "--out-of", "100"),
        says=("{t}/nope.csv",)),
    Row("gradesheet-sheet-is-a-folder", G("gradesheet", "{t}/graded", "{t}/class", "--out-of", "100"),
        says=("{t}/class",)),
    *[Row(f"gradesheet-out-of-{value}", G(*GS, "--out-of", value), says=("--out-of",))
      for value in ("0", "-10", "nan", "inf", "1e308")],
    Row("gradesheet-out-of-not-a-number", G(*GS, "--out-of", "ten"), says=("--out-of",)),
    Row("gradesheet-out-is-the-sheet", G(*GS, "--out-of", "100", "--out", "{t}/worksheet.csv"),
        says=("--out", "{t}/worksheet.csv")),
    Row("gradesheet-out-is-a-folder", G(*GS, "--out-of", "100", "--out", "{t}/class"), says=("--out", "{t}/class")),
    Row("gradesheet-out-unwritable", G(*GS, "--out-of", "100", "--out", "{bad}/filled.csv"),
        says=("--out", "{bad}/filled.csv")),
    Row("gradesheet-column-not-in-sheet", G(*GS, "--out-of", "100", "--column", "Grde"), says=("Grde",)),
    Row("gradesheet-semicolon-sheet-maximum", G("gradesheet", "{t}/graded", "{t}/semicolon.csv"),
        says=("maximum grade is 100", "--out-of 100")),
    Row("gradesheet-unknown-slug", G(*GS, "--out-of", "100", "--exercise", "race-countr"),
        says=("{suggest}",)),
    Row("gradesheet-abbreviated-out-of", G(*GS, "--out-o", "100"), says=("--out-o",)),
    Row("gradesheet-assignment-missing", G(*GS, "--out-of", "100", "--assignment", "{t}/nope.yaml"),
        says=("{t}/nope.yaml",)),

    # check: the packs (no DIR), or a student's folder (DIR)
    Row("check-dir-missing", G("check", "{t}/nope", "--out", "{t}/out"), says=("{t}/nope",), zh=True),
    Row("check-dir-is-a-file", G("check", "{t}/a-file", "--out", "{t}/out"), says=("{t}/a-file",)),
    Row("check-out-is-a-file", G("check", "{t}/sub", "--out", "{t}/a-file"), says=("--out", "{t}/a-file"),
        zh=True),
    Row("check-out-unwritable", G("check", "{t}/sub", "--out", "{bad}/out"), says=("--out", "{bad}/out")),
    Row("check-dir-with-samples", G("check", "{t}/sub", "--out", "{t}/out", "--samples"), says=("--samples",)),
    Row("check-samples-repeat-0", G("check", "--exercise", "race-counter", "--samples", "--repeat", "0"),
        says=("--repeat",), zh=True),
    Row("check-repeat-negative", G("check", "--exercise", "race-counter", "--repeat", "-1"), says=("--repeat",)),
    Row("check-dir-repeat-0", G("check", "{t}/sub", "--out", "{t}/out", "--repeat", "0"), says=("--repeat",)),
    Row("check-unknown-slug", G("check", "--exercise", "race-countr"), says=("{suggest}",),
        zh=True),
    Row("check-started-only-unknown-slug", G("check", "{t}/sub", "--out", "{t}/out", "--started-only",
                                             "--exercise", "race-countr"),
        says=("{suggest}",), zh=True),
    Row("check-exercise-twice-unknown", G("check", "--exercise", "race-counter", "--exercise", "race-countr"),
        says=("{suggest}",)),
    Row("check-exercises-missing", G("check", "--exercises", "{t}/nopacks"), says=("{t}/nopacks",)),
    Row("check-abbreviated-repeat", G("check", "--rep", "2"), says=("--rep",)),
    Row("check-config-unknown-key", G("check", "{t}/sub", "--out", "{t}/out", "--config", "{t}/unknown-key.yaml"),
        says=(*SETTINGS, "colour"), not_says=NOT_PACK),

    # list
    Row("list-exercise-for-exercises", G("list", "--exercise", "race-counter"), says=("--exercise",)),
    Row("list-exercises-missing", G("list", "--exercises", "{t}/nopacks"), says=("{t}/nopacks",), zh=True),
    Row("list-exercises-is-a-file", G("list", "--exercises", "{t}/a-file"), says=("{t}/a-file",)),
    Row("list-exercises-holds-no-pack", G("list", "--exercises", "{t}/empty"), says=("{t}/empty",)),
    Row("list-config-utf16-is-read", G("list", "--config", "{t}/utf16.yaml"), code=0, then=_read_in_chinese),
    Row("list-config-broken-yaml", G("list", "--config", "{t}/broken.yaml"), says=(*SETTINGS, "{t}/broken.yaml"),
        not_says=NOT_PACK, zh=True),
    Row("list-config-unknown-key", G("list", "--config", "{t}/unknown-key.yaml"), says=(*SETTINGS, "colour"),
        not_says=NOT_PACK),
    Row("list-config-not-utf8", G("list", "--config", "{t}/gbk.yaml"), says=(*SETTINGS, "UTF-8"),
        not_says=NOT_PACK),
    Row("list-config-missing", G("list", "--config", "{t}/nope.yaml"), says=(*SETTINGS, "{t}/nope.yaml"),
        not_says=NOT_PACK),
    Row("list-config-exercises-missing", G("list", "--config", "{t}/no-packs.yaml"), says=("{t}/nopacks",)),

    # handout: the students' kit
    Row("handout-out-exists", G("handout", "--out", "{t}/kit"), setup=_kit_exists, says=("{t}/kit",),
        not_says=NOT_PACK, zh=True),
    Row("handout-out-is-a-file", G("handout", "--out", "{t}/a-file"), says=("{t}/a-file",), not_says=NOT_PACK),
    Row("handout-out-unwritable", G("handout", "--out", "{bad}/kit.zip"), says=("--out", "{bad}/kit.zip")),
    Row("handout-out-under-a-file", G("handout", "--out", "{t}/a-file/kit.zip"), says=("--out", "{t}/a-file/kit.zip")),
    Row("handout-out-zip-in-capitals", G("handout", "--out", "{t}/kit.ZIP", "--exercise", "race-counter"), code=0,
        may_write=("kit.ZIP",), then=_a_zip_file),
    Row("handout-exercise-twice", G("handout", "--out", "{t}/kit", "--exercise", "race-counter",
                                    "--exercise", "race-counter"), code=0, may_write=("kit",), then=_kit_has_it_once),
    Row("handout-unknown-slug", G("handout", "--out", "{t}/kit", "--exercise", "race-countr"),
        says=("{suggest}",), zh=True),
    Row("handout-assignment-unknown-exercise", G("handout", "--out", "{t}/kit", "--assignment",
                                                 "{t}/hw-unknown.yaml"), says=("{suggest}",)),
    Row("handout-server-not-a-url", G("handout", "--out", "{t}/kit", "--server", "grader.example.edu $(shell)"),
        says=("--server",), zh=True),
    Row("handout-exercises-missing", G("handout", "--out", "{t}/kit", "--exercises", "{t}/nopacks"),
        says=("{t}/nopacks",)),
    Row("handout-abbreviated-out", G("handout", "--ou", "{t}/kit"), says=("--ou",)),

    # gradescope: the autograder zip
    Row("gradescope-out-exists", G("gradescope", "--out", "{t}/ag.zip"), setup=_ag_exists, says=("{t}/ag.zip",),
        zh=True),
    Row("gradescope-out-is-a-folder", G("gradescope", "--out", "{t}/class"), says=("{t}/class",)),
    Row("gradescope-out-unwritable", G("gradescope", "--out", "{bad}/ag.zip"), says=("--out", "{bad}/ag.zip")),
    Row("gradescope-exercise-twice", G("gradescope", "--out", "{t}/ag.zip", "--exercise", "race-counter",
                                       "--exercise", "race-counter"), code=0, may_write=("ag.zip",),
        then=_autograder_has_it_once),
    Row("gradescope-unknown-slug", G("gradescope", "--out", "{t}/ag.zip", "--exercise", "race-countr"),
        says=("{suggest}",), zh=True),
    Row("gradescope-exercises-missing", G("gradescope", "--out", "{t}/ag.zip", "--exercises", "{t}/nopacks"),
        says=("{t}/nopacks",)),

    # new: a pack to fill in
    Row("new-slug-not-a-name", G("new", "Race_Counter", "--exercises", "{t}/packs"), says=("Race_Counter",)),
    Row("new-slug-a-path", G("new", "../evil", "--exercises", "{t}/packs"), says=("../evil",)),
    Row("new-pack-exists", G("new", "race-counter", "--exercises", "{t}/packs"), setup=_existing_pack,
        says=("race-counter", "exists")),
    Row("new-exercises-missing", G("new", "my-pack", "--exercises", "{t}/nopacks"), says=("{t}/nopacks",)),
    Row("new-exercises-is-a-file", G("new", "my-pack", "--exercises", "{t}/a-file"), says=("{t}/a-file",)),
    Row("new-config-broken-yaml", G("new", "my-pack", "--config", "{t}/broken.yaml"), says=SETTINGS,
        not_says=NOT_PACK),

    # translate: a pack's catalog
    Row("translate-unknown-slug", G("translate", "race-countr"), says=("{suggest}",)),
    Row("translate-slug-a-path", G("translate", "../exercises/race-counter"), says=("../exercises/race-counter",)),
    Row("translate-lang-en", G("translate", "race-counter", "--lang", "en"), says=("--lang",)),
    Row("translate-exercises-missing", G("translate", "race-counter", "--exercises", "{t}/nopacks"),
        says=("{t}/nopacks",)),

    # image: argument errors only (no build)
    Row("image-no-subcommand", G("image"), says=("build",)),
    Row("image-build-abbreviated", G("image", "build", "--registry"), says=("--registry",)),
    Row("image-build-unknown-option", G("image", "build", "--mirorr", "x"), says=("--mirorr",)),

    # the site's commands and submit
    Row("unknown-command", G("grde"), says=("grde",)),
    Row("serve-config-broken-yaml", G("serve", "--data", "{t}/site", "--config", "{t}/broken.yaml"),
        says=("--config", "{t}/broken.yaml")),
    Row("serve-port-not-a-number", G("serve", "--data", "{t}/site", "--port", "http"), says=("--port",)),
    Row("worker-no-site-there", G("worker", "--data", "{t}/nope"), says=("{t}/nope",)),
    Row("site-status-no-site-there", G("site", "status", "--data", "{t}/nope"), says=("{t}/nope",)),
    Row("site-no-subcommand", G("site"), says=("add-students",)),
    Row("site-add-students-roster-missing", G("site", "add-students", "{t}/nope.csv", "--data", "{t}/site",
                                              "--base-url", "https://grader.example.edu"),
        says=("{t}/nope.csv",), subprocess=True),
    Row("submit-no-server", G("submit", "{t}/sub/race_counter.py", "--server", "", "--token", ""),
        says=("--server",), zh=True),
    Row("submit-file-missing", G("submit", "{t}/nope.py", "--server", "http://127.0.0.1:9", "--token", "x",
                                 "--exercise", "race-counter"), says=("{t}/nope.py",), zh=True),
    Row("submit-folder-as-file", G("submit", "{t}/sub", "--server", "http://127.0.0.1:9", "--token", "x",
                                   "--exercise", "race-counter"), says=("{t}/sub",)),
    Row("submit-status-not-a-number", G("submit", "--status", "last"), says=("--status",)),
]

# Commands with --lang: their zh rows run again in Chinese (translate's --lang is the catalog's).
HAS_LANG = {"grade", "batch", "check", "list", "handout", "gradescope", "submit"}
ZH_ROWS = [r for r in ROWS if r.zh]
assert all(r.argv(Path("/t"))[0] in HAS_LANG for r in ZH_ROWS), [r.id for r in ZH_ROWS]
assert len({r.id for r in ROWS}) == len(ROWS)


def _changes(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))


def _check(row: Row, tmp_path: Path, capsys, monkeypatch, lang: str | None) -> None:
    t = tmp_path / "t"
    t.mkdir()
    _tree(t)
    if row.setup:
        row.setup(t)
    argv = row.argv(t) + (["--lang", lang] if lang else [])
    before = _snapshot(t)
    if row.subprocess:
        code, said, graded = _run_subprocess(argv)
    else:
        code, said, graded = _run_in_process(argv, capsys, monkeypatch, row.grades)
    folded = " ".join(said.split())
    where = f"{row.id}: grader {' '.join(argv)}\n--- said:\n{said}"
    assert not graded, f"judged ({graded}) before the input was refused; {where}"
    assert "Traceback (most recent call last)" not in said, where
    assert code == row.code, f"exit {code}, not {row.code}; {where}"
    words = {"t": t, "bad": UNWRITABLE, **WORDS[lang or "en"]}
    for part in row.says:
        assert part.format(**words) in folded, f"does not name {part.format(**words)!r}; {where}"
    for part in row.not_says:
        assert part.format(**words).lower() not in folded.lower(), f"says {part.format(**words)!r}; {where}"
    changed = [c for c in _changes(before, _snapshot(t))
               if not any(c == p or c.startswith(p + "/") for p in row.may_write)]
    assert not changed, f"written where nothing may be: {changed}; {where}"
    assert not Path(UNWRITABLE).exists()
    if row.then:
        row.then(t, said)
    if lang == "zh":
        assert CJK.search(said), f"not in Chinese under --lang zh; {where}"


def _commands() -> set[str]:
    from grader.cli import build_parser

    parser, _ = build_parser()
    return set(next(a for a in parser._actions if a.dest == "command").choices)


assert _commands() <= {r.argv(Path("/t"))[0] for r in ROWS}, "every command has its rows"
CASES = [pytest.param(r, None, id=r.id) for r in ROWS] + [pytest.param(r, "zh", id=f"{r.id}-zh") for r in ZH_ROWS]


@pytest.mark.parametrize("row, lang", CASES)
def test_bad_input(row: Row, lang: str | None, tmp_path, capsys, monkeypatch):
    _check(row, tmp_path, capsys, monkeypatch, lang)
