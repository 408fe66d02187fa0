"""Issue 22, "a Chinese class from Moodle": a class as Moodle's "Download all submissions" gives it,
graded end to end with the local sandbox, one cheap exercise (race-counter, ~1 s a student).

- 陈静: Moodle's folder holding the student's zip (it was ignored: 0/10, "graded");
- 周杰: a zip holding another zip (it was "missing");
- 王芳: `race_counter.py` and a newer upload `race_counter (1).py` (the old one was graded);
- 李雷: their `race_counter.py` and a second download of the starter, `race_counter (1).py`;
- 张伟: the file saved as GBK with Chinese comments (it was refused: "not valid UTF-8 (byte 53)");
- 赵敏: a zip from Windows' compressor, GBK names without the UTF-8 flag (it was refused whole);
- 孙丽: a UTF-8 BOM and CRLF line ends.
"""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from pathlib import Path

from grader.host import intake
from grader.host.batch.run import grade_class
from grader.host.grading import grade_submission
from grader.host.packs import load_all

from .conftest import ROOT, SAMPLES
from .test_archives import GbkName

SOLUTION = (ROOT / "solutions" / "race-counter" / "race_counter.py").read_bytes()
STARTER = (ROOT / "exercises" / "race-counter" / "race_counter.py").read_bytes()
PARTIAL = (SAMPLES / "race-counter" / "lock_per_call.py").read_bytes()  # 4 of 10
GBK_SOLUTION = "# 作业一：线程安全的计数器（用锁保护）\n".encode("gbk") + SOLUTION + "# 完\n".encode("gbk")


def moodle(cls: Path, name: str, number: int) -> Path:
    folder = cls / f"{name}_{number}_assignsubmission_file_"
    folder.mkdir(parents=True)
    return folder


def make_moodle_class(cls: Path) -> Path:
    with zipfile.ZipFile(moodle(cls, "陈静", 2481005) / "陈静作业1.zip", "w") as zf:
        zf.writestr("陈静作业1/race_counter.py", SOLUTION)
        zf.writestr("陈静作业1/说明.txt", "见代码")
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as zf:
        zf.writestr("race_counter.py", SOLUTION)
    with zipfile.ZipFile(cls / "周杰_2481006_assignsubmission_file_作业1.zip", "w") as zf:
        zf.writestr("周杰/作业1.zip", inner.getvalue())
    wang = moodle(cls, "王芳", 2481007)
    (wang / "race_counter.py").write_bytes(PARTIAL)
    (wang / "race_counter (1).py").write_bytes(SOLUTION)
    li = moodle(cls, "李雷", 2481008)
    (li / "race_counter.py").write_bytes(SOLUTION)
    (li / "race_counter (1).py").write_bytes(STARTER)
    (moodle(cls, "张伟", 2481009) / "race_counter.py").write_bytes(GBK_SOLUTION)
    with zipfile.ZipFile(cls / "赵敏_2481010_assignsubmission_file_作业一.zip", "w") as zf:
        zf.writestr(GbkName("作业一/race_counter.py"), SOLUTION)
        zf.writestr(GbkName("作业一/说明.txt"), "见代码")
    (moodle(cls, "孙丽", 2481011) / "race_counter.py").write_bytes(
        b"\xef\xbb\xbf# \xe8\xae\xa1\xe6\x95\xb0\r\n" + SOLUTION.replace(b"\n", b"\r\n"))
    return cls


def test_a_moodle_class_is_graded_from_the_right_files(tmp_path):
    cls = make_moodle_class(tmp_path / "class")
    out = tmp_path / "out"
    batch = grade_class(submissions=cls, out_dir=out, sandbox="local", exercises=["race-counter"], workers=2)
    scores = {e.student: (e.status, e.score) for e in batch.entries}
    assert scores == {name: ("graded", 10.0) for name in ("陈静", "周杰", "王芳", "李雷", "张伟", "赵敏", "孙丽")}
    reports = {e.student: json.loads((out / e.folder / "report.json").read_text(encoding="utf-8"))
               for e in batch.entries}
    source = {name: r["exercises"][0]["source"] for name, r in reports.items()}
    assert source == {"陈静": "陈静作业1.zip/陈静作业1/race_counter.py", "周杰": "作业1.zip/race_counter.py",
                      "王芳": "race_counter (1).py", "李雷": "race_counter.py", "张伟": "", "赵敏": "",
                      "孙丽": ""}
    assert reports["陈静"]["ignored_files"] == ["陈静作业1.zip/陈静作业1/说明.txt"]
    assert reports["赵敏"]["ignored_files"] == ["说明.txt"]  # the zip's 作业一/ folder is stepped into
    assert reports["王芳"]["ignored_files"] == ["race_counter.py"]  # the older version: not graded
    assert reports["李雷"]["ignored_files"] == ["race_counter (1).py"]  # the starter downloaded again
    assert "Graded from <code>race_counter (1).py</code>" in (out / "王芳" / "report.html").read_text(encoding="utf-8")


def test_what_intake_tells_each_moodle_student(tmp_path):
    cls = make_moodle_class(tmp_path / "class")
    race = [ex for ex in load_all(ROOT / "exercises") if ex.slug == "race-counter"]

    def warnings(name: str, number: int) -> list[dict]:
        taken = intake.take(cls / f"{name}_{number}_assignsubmission_file_", race)
        assert "race-counter" in taken.accepted
        return taken.warnings.get("race-counter", [])

    assert warnings("张伟", 2481009) == [{"id": "read_as_gb18030", "params": {"file": "race_counter.py"}}]
    assert warnings("王芳", 2481007) == [{"id": "older_versions_not_graded", "params": {
        "graded": "race_counter (1).py", "files": "race_counter.py"}}]
    assert warnings("李雷", 2481008) == [{"id": "starter_copies_not_graded", "params": {
        "graded": "race_counter.py", "files": "race_counter (1).py"}}]
    assert warnings("孙丽", 2481011) == [] and warnings("陈静", 2481005) == []


def test_the_report_tells_a_gbk_student_to_save_as_utf8(tmp_path):
    (tmp_path / "race_counter.py").write_bytes(GBK_SOLUTION)
    result = grade_submission(submission=tmp_path, student="张伟", exercises=["race-counter"], sandbox="local",
                              lang="zh")
    (ex,) = result.exercises
    assert ex.score == 10.0
    assert {"id": "read_as_gb18030", "params": {"file": "race_counter.py"}} in ex.warnings
    assert any("下次请以 UTF-8 保存" in w for w in ex.warning_texts)


def test_the_moodle_layout_holds_for_loose_files_too(tmp_path):
    # Moodle's download of a second upload: `<name>_<id>_assignsubmission_file_race_counter (1).py`
    cls = tmp_path / "class"
    cls.mkdir()
    (cls / "Li Lei_12345_assignsubmission_file_race_counter.py").write_bytes(PARTIAL)
    (cls / "Li Lei_12345_assignsubmission_file_race_counter (1).py").write_bytes(SOLUTION)
    from grader.host.batch.roster import discover

    staging = tmp_path / "staging"
    staging.mkdir()
    (sub,) = discover(cls, staging, ["race_counter.py"]).submissions
    assert sorted(p.name for p in sub.folder.iterdir()) == ["race_counter (1).py", "race_counter.py"]
    race = [ex for ex in load_all(ROOT / "exercises") if ex.slug == "race-counter"]
    assert intake.take(sub.folder, race).accepted["race-counter"] == SOLUTION
    shutil.rmtree(staging)


def test_a_student_folder_named_in_gbk_bytes_is_graded_under_its_chinese_name(tmp_path):
    # Issue 22: `unzip` leaves a Windows zip's names as GBK bytes; such a folder killed the whole batch
    # (UnicodeEncodeError writing the report), on every rerun, and no grades.csv was written.
    import os

    cls = tmp_path / "class"
    cls.mkdir()
    gbk = os.fsencode(cls) + b"/" + "陈静".encode("gbk")
    os.mkdir(gbk)
    with open(gbk + b"/race_counter.py", "wb") as fh:
        fh.write(SOLUTION)
    (cls / "alice").mkdir()
    (cls / "alice" / "race_counter.py").write_bytes(SOLUTION)
    out = tmp_path / "out"
    batch = grade_class(submissions=cls, out_dir=out, sandbox="local", exercises=["race-counter"], workers=2)
    assert {e.student: e.score for e in batch.entries} == {"陈静": 10.0, "alice": 10.0}
    assert "陈静,graded,10" in (out / "grades.csv").read_text(encoding="utf-8-sig")
