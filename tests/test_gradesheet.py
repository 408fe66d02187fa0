"""Filling the LMS's own grade sheet (a Moodle grading worksheet, a Canvas gradebook export) with a
batch's totals: pure functions, the roster's LMS numbers, and the command."""

from __future__ import annotations

import json

import pytest

from grader.cli import main
from grader.host.batch import gradesheet
from grader.host.batch.gradesheet import Graded, SheetError
from grader.host.batch.roster import discover

MOODLE = (
    '\ufeff"Identifier","Full name","Email address","Status","Grade","Maximum Grade","Grade can be changed",'
    '"Last modified (submission)","Last modified (grade)","Feedback comments"\r\n'
    '"Participant 67890","Zhang San",zs@example.edu,"Submitted for grading",,100.00,Yes,'
    '"Monday, 23 November 2026, 10:00 AM",-,\r\n'
    '"Participant 67891","Li Lei",ll@example.edu,"Submitted for grading",,100.00,Yes,'
    '"Monday, 23 November 2026, 10:05 AM",-,\r\n'
    '"Participant 67892","Han Meimei",hm@example.edu,"No submission",,100.00,Yes,-,-,\r\n'
)
CANVAS = (
    "Student,ID,SIS User ID,SIS Login ID,Section,HW3 Threads (4567),Current Score\n"
    "    Points Possible,,,,,10.00,(read only)\n"
    '"Li, Lei",12345,,lilei,Section A,,\n'
    '"Han, Meimei",12346,,hanmm,Section A,,\n'
)


def _filled(text: str, graded: list[Graded], column=None, out_of=None):
    sheet = gradesheet.read(text.encode("utf-8"))
    return gradesheet.fill(sheet, gradesheet.layout(sheet, column), graded, out_of)


def _rows(filled) -> list[list[str]]:
    return gradesheet.read(gradesheet.write(filled.sheet)).rows


def test_moodle_worksheet_is_filled_by_participant_number_and_nothing_else_changes():
    filled = _filled(MOODLE, [Graded("Zhang San", "67890", 17.0, 20.0), Graded("Li Lei", "67891", 8.5, 20.0)])
    rows = _rows(filled)
    original = gradesheet.read(MOODLE.encode("utf-8")).rows
    assert filled.layout.lms == "moodle" and filled.layout.header == "Grade"
    assert [r[4] for r in rows[1:]] == ["17", "8.5", ""]
    assert [r[:4] + r[5:] for r in rows] == [r[:4] + r[5:] for r in original]  # every other cell as it was
    assert filled.matched == 2 and filled.rows_left == ["Han Meimei"] and filled.not_in_sheet == []
    assert filled.sheet_maximum == 100.0  # 17/20 would be read as 17 of 100: the command says --out-of
    written = gradesheet.write(filled.sheet)
    assert written.startswith(b"\xef\xbb\xbf") and b"\r\n" in written


def test_out_of_scales_each_total_to_the_sheets_maximum():
    filled = _filled(MOODLE, [Graded("Zhang San", "67890", 17.0, 20.0), Graded("Li Lei", "67891", 2.0, 3.0)],
                     out_of=100)
    assert [r[4] for r in _rows(filled)[1:]] == ["85", "66.67", ""]
    assert filled.sheet_maximum is None


def test_without_a_number_a_student_is_matched_by_a_name_only_one_row_has():
    text = MOODLE + '"Participant 67893","Li Lei",other@example.edu,"Submitted for grading",,100.00,Yes,-,-,\r\n'
    filled = _filled(text, [Graded("zhang  san", "", 20.0, 20.0), Graded("Li Lei", "", 5.0, 20.0)])
    assert [r[4] for r in _rows(filled)[1:]] == ["20", "", "", ""]
    assert filled.not_in_sheet == ["Li Lei"]  # two rows are called Li Lei: neither is guessed


def test_a_student_we_could_not_grade_keeps_the_cell_as_it_was():
    text = MOODLE.replace('"Submitted for grading",,100.00', '"Submitted for grading",12,100.00', 1)
    filled = _filled(text, [Graded("Zhang San", "67890", None, 20.0)])
    assert _rows(filled)[1][4] == "12" and filled.not_graded == ["Zhang San"] and filled.matched == 0


def test_two_students_of_the_batch_on_one_row_are_both_reported_not_overwritten():
    filled = _filled(MOODLE, [Graded("Zhang San", "67890", 10.0, 20.0), Graded("Zhang San", "67890", 3.0, 20.0)])
    assert _rows(filled)[1][4] == "10" and filled.clashes == ["Zhang San"]


def test_canvas_export_fills_the_named_assignment_by_user_id():
    filled = _filled(CANVAS, [Graded("lilei", "12345", 9.0, 10.0), Graded("ghost", "99999", 1.0, 10.0)],
                     column="HW3 Threads")
    rows = _rows(filled)
    assert filled.layout.lms == "canvas" and filled.layout.header == "HW3 Threads (4567)"
    assert [r[5] for r in rows] == ["HW3 Threads (4567)", "10.00", "9", ""]
    assert filled.not_in_sheet == ["ghost"] and filled.rows_left == ["Han, Meimei"]


def test_canvas_gets_a_new_assignment_column_with_its_points():
    filled = _filled(CANVAS, [Graded("lilei", "12345", 9.0, 10.0)], column="Concurrency", out_of=50)
    rows = _rows(filled)
    assert rows[0][-1] == "Concurrency" and [r[-1] for r in rows[1:]] == ["50", "45", ""]
    assert all(len(r) == len(rows[0]) for r in rows)


@pytest.mark.parametrize("text, column, says", [
    (CANVAS, None, "--column"),
    ("name,score\nalice,3\n", None, "neither a Moodle grading worksheet"),
    (MOODLE.replace('"Grade",', '"Note",', 1), None, "Name it with --column"),
    ("", None, "empty"),
])
def test_a_sheet_that_cannot_be_filled_says_what_to_do(text, column, says):
    with pytest.raises(SheetError, match=says):
        sheet = gradesheet.read(text.encode("utf-8"))
        gradesheet.layout(sheet, column)


def test_a_sheet_that_is_not_utf8_says_how_to_save_it():
    with pytest.raises(SheetError, match="CSV UTF-8"):
        gradesheet.read("Identifier;Grade\nTeilnehmer/in 1;ä\n".encode("latin-1"))


def test_semicolons_as_a_spreadsheet_saves_them_are_kept():
    text = "Identifier;Full name;Grade\nParticipant 1;Zhang San;\n"
    filled = _filled(text, [Graded("Zhang San", "1", 4.0, 10.0)])
    assert gradesheet.write(filled.sheet) == b"Identifier;Full name;Grade\nParticipant 1;Zhang San;4\n"


def test_the_roster_keeps_each_lms_number(tmp_path):
    import zipfile

    cls = tmp_path / "class"
    (cls / "Zhang San_67890_assignsubmission_file_").mkdir(parents=True)
    with zipfile.ZipFile(cls / "lilei_late_12345_777_hw3.zip", "w") as z:
        z.writestr("race_counter.py", "x = 1\n")
    (cls / "Han Meimei_67892_assignsubmission_file_race_counter.py").write_text("x = 1\n")
    (cls / "alice").mkdir()
    (tmp_path / "staging").mkdir()
    roster = discover(cls, tmp_path / "staging", ["race_counter.py"])
    assert {s.student: s.lms_id for s in roster.submissions} == {
        "Zhang San": "67890", "lilei": "12345", "Han Meimei": "67892", "alice": ""}


def _batch_dir(tmp_path, finished=True):
    out = tmp_path / "graded"
    out.mkdir()
    students = [{"student": "Zhang San", "lms_id": "67890", "score": 15.0, "max_score": 20.0},
                {"student": "Li Lei", "lms_id": "67891", "score": None, "max_score": 20.0},
                {"student": "Wang Wu", "score": 3.0, "max_score": 20.0}]  # a journal from before lms_id
    (out / "batch.json").write_text(json.dumps({"schema": 1, "finished": finished, "students": students}))
    return out


def test_the_command_writes_the_filled_copy_and_names_who_could_not_be_placed(tmp_path, capsys):
    sheet = tmp_path / "worksheet.csv"
    sheet.write_bytes(MOODLE.encode("utf-8"))
    code = main(["gradesheet", str(_batch_dir(tmp_path)), str(sheet), "--out-of", "100"])
    said = capsys.readouterr().out
    rows = gradesheet.read((tmp_path / "worksheet-graded.csv").read_bytes()).rows
    assert [r[4] for r in rows[1:]] == ["75", "", ""]
    assert code == 1 and "Wang Wu" in said and "not in the sheet" in said and "Li Lei" in said
    assert sheet.read_bytes() == MOODLE.encode("utf-8")  # the download itself is never changed


def test_the_command_refuses_a_batch_that_did_not_finish(tmp_path, capsys):
    sheet = tmp_path / "worksheet.csv"
    sheet.write_bytes(MOODLE.encode("utf-8"))
    code = main(["gradesheet", str(_batch_dir(tmp_path, finished=False)), str(sheet)])
    assert code == 2 and "did not finish" in capsys.readouterr().out
    assert not (tmp_path / "worksheet-graded.csv").exists()


def test_the_command_fills_an_assignments_total_from_the_batchs_exercises(tmp_path, capsys):
    # A batch that graded three exercises; the sheet is for a homework of two, one of them worth 30.
    out = tmp_path / "graded"
    out.mkdir()
    students = [{"student": "Zhang San", "lms_id": "67890", "score": 25.0, "max_score": 30.0,
                 "exercises": {"race-counter": 10.0, "bounded-desks": 5.0, "queue-drain": 10.0}},
                {"student": "Li Lei", "lms_id": "67891", "score": 4.0, "max_score": 30.0,
                 "exercises": {"race-counter": 4.0, "bounded-desks": 0.0, "queue-drain": 0.0}}]
    exercises = [{"slug": s, "max_score": 10.0} for s in ("race-counter", "bounded-desks", "queue-drain")]
    (out / "batch.json").write_text(json.dumps({"schema": 1, "finished": True, "students": students,
                                                "exercises": exercises}))
    homework = tmp_path / "hw.yaml"
    homework.write_text("title: HW\nexercises:\n  - race-counter\n  - slug: bounded-desks\n    points: 30\n")
    sheet = tmp_path / "worksheet.csv"
    sheet.write_bytes(MOODLE.encode("utf-8"))
    code = main(["gradesheet", str(out), str(sheet), "--assignment", str(homework), "--out-of", "100"])
    rows = gradesheet.read((tmp_path / "worksheet-graded.csv").read_bytes()).rows
    assert [r[4] for r in rows[1:3]] == ["62.5", "10"]  # (10 + 15) / 40 and (4 + 0) / 40, out of 100
    assert code == 0, capsys.readouterr().out

    code = main(["gradesheet", str(out), str(sheet), "--exercise", "race-countr"])
    said = capsys.readouterr().out
    assert code == 2 and "did you mean race-counter?" in said and "grader batch" in said


def test_a_sheet_whose_maximum_is_not_the_batchs_is_refused_without_out_of(tmp_path, capsys):
    # Issue 22: a 100-point worksheet and a 20-point batch wrote 20 and exited 0 after a warning line.
    sheet = tmp_path / "worksheet.csv"
    sheet.write_bytes(MOODLE.encode("utf-8"))
    code = main(["gradesheet", str(_batch_dir(tmp_path)), str(sheet)])
    said = capsys.readouterr().out
    assert code == 2 and "nothing was written" in said and "--out-of 100" in said
    assert not (tmp_path / "worksheet-graded.csv").exists()


@pytest.mark.parametrize("out_of", ["0", "-10", "nan", "inf", "1e308"])
def test_an_out_of_that_is_no_maximum_grade_is_refused_before_anything_is_written(tmp_path, capsys, out_of):
    sheet = tmp_path / "worksheet.csv"
    sheet.write_bytes(MOODLE.encode("utf-8"))
    code = main(["gradesheet", str(_batch_dir(tmp_path)), str(sheet), "--out-of", out_of])
    assert code == 2 and "a number above 0" in capsys.readouterr().out
    assert not (tmp_path / "worksheet-graded.csv").exists()


def test_the_download_itself_is_never_the_output(tmp_path, capsys):
    sheet = tmp_path / "worksheet.csv"
    sheet.write_bytes(MOODLE.encode("utf-8"))
    code = main(["gradesheet", str(_batch_dir(tmp_path)), str(sheet), "--out-of", "100", "--out", str(sheet)])
    assert code == 2 and "the LMS's own download" in capsys.readouterr().out
    assert sheet.read_bytes() == MOODLE.encode("utf-8")


def test_students_whose_submission_was_refused_are_named(tmp_path, capsys):
    out = tmp_path / "graded"
    out.mkdir()
    students = [{"student": "Zhang San", "lms_id": "67890", "score": 15.0, "max_score": 20.0, "status": "graded"},
                {"student": "Li Lei", "lms_id": "67891", "score": 0.0, "max_score": 20.0, "status": "error"}]
    (out / "batch.json").write_text(json.dumps({"schema": 1, "finished": True, "students": students}))
    sheet = tmp_path / "worksheet.csv"
    sheet.write_bytes(MOODLE.encode("utf-8"))
    code = main(["gradesheet", str(out), str(sheet), "--out-of", "100"])
    said = capsys.readouterr().out
    assert code == 0 and "1 whose submission was refused or could not run" in said and "Li Lei" in said
    rows = gradesheet.read((tmp_path / "worksheet-graded.csv").read_bytes()).rows
    assert [r[4] for r in rows[1:3]] == ["75", "0"]


def test_the_command_speaks_the_teachers_language(tmp_path, capsys):
    # Issue 22: with --lang zh, every line gradesheet printed was English.
    sheet = tmp_path / "worksheet.csv"
    sheet.write_bytes(MOODLE.encode("utf-8"))
    batch = _batch_dir(tmp_path)
    code = main(["gradesheet", str(batch), str(sheet), "--lang", "zh"])
    refused = capsys.readouterr().out
    assert code == 2 and "什么都没有写入" in refused and "--out-of 100" in refused
    code = main(["gradesheet", str(batch), str(sheet), "--out-of", "100", "--lang", "zh"])
    said = capsys.readouterr().out
    assert code == 1 and "Moodle 评分表：" in said and "不在成绩表里" in said and "Wang Wu" in said
    for english in ("written in column", "not in the sheet", "nothing was written"):
        assert english not in said + refused
