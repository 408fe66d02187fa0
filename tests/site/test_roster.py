"""Students' accounts from LMS class lists: what each export reads as, what is refused and why,
re-imports, teachers left alone, and `grader site add-students` end to end."""

from __future__ import annotations

import csv
import io
import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from grader.site.people.models import Person, digest
from grader.site.people.roster import Entry, RosterError, add_students, create_accounts, links_csv, read_roster

from .conftest import ROOT, make_person

ROSTERS = Path(__file__).resolve().parent / "rosters"


def read(name: str) -> list[Entry]:
    return read_roster((ROSTERS / name).read_bytes())


def test_moodle_participants_in_english():
    assert read("moodle_participants_en.csv") == [
        Entry("asmith", "Alice Smith", "alice.smith@uni.example.edu", None),
        Entry("bberg", "Bob van der Berg", "bob.berg@uni.example.edu", None),
        Entry("zhangsan", "张三", "zhangsan@uni.example.edu", None),  # 姓 + 名, no space
        # Grace Hopper (Teacher) is left out; a student who also assists is in
        Entry("wangll", "Li Lei Wang", "wangll@uni.example.edu", None),
    ]
    assert [e.roster_id for e in read("moodle_participants_en.csv")] == ["20230001", "20230002", "20230003",
                                                                         "20230004"]


def test_moodle_participants_in_chinese_saved_as_gbk():
    data = (ROSTERS / "moodle_participants_zh_gbk.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # the sample really is what Chinese Excel writes
    assert read_roster(data) == [
        Entry("2023001", "张三", "zhangsan@xueyuan.example.cn", None),  # no Username column: the ID号
        Entry("2023002", "李小明", "lixm@xueyuan.example.cn", None),
        Entry("2023003", "欧阳美丽", "ouyangml@xueyuan.example.cn", None),
    ]  # 王老师 (教师) is left out


def test_moodle_grading_worksheet():
    assert read("moodle_worksheet.csv") == [
        Entry("alice.smith@uni.example.edu", "Alice Smith", "alice.smith@uni.example.edu", None),
        Entry("bob.berg@uni.example.edu", "Bob van der Berg", "bob.berg@uni.example.edu", None),
        Entry("zhangsan@uni.example.edu", "张三", "zhangsan@uni.example.edu", None),
    ]


def test_moodle_worksheet_without_emails_uses_the_participant_number():
    data = ("标识符,全名,状态,成绩,最高分数\n参与者6801,张三,已提交评分,,100.00\n参与者6802,李四,没有提交,,100.00\n"
            ).encode("gb18030")
    assert read_roster(data) == [Entry("6801", "张三", "", None), Entry("6802", "李四", "", None)]
    # A language this module has no header for: the "Participant 123" column is recognised by its values.
    data = b"Identifiant,Nom complet\nParticipant 17,Marie Curie\n"
    assert read_roster(data) == [Entry("17", "Marie Curie", "", None)]


def test_canvas_gradebook():
    entries = read("canvas_gradebook.csv")  # Points Possible and the Test Student are skipped
    assert entries == [
        Entry("asmith", "Alice Smith", "", None),
        Entry("bberg", "Bob van der Berg", "", None),
        Entry("zhangsan", "张三", "", None),
    ]
    assert [e.roster_id for e in entries] == ["1001", "1002", "1003"]  # what Canvas's import matches on


def test_canvas_without_sis_columns_uses_canvas_ids():
    data = (b"Student,ID,SIS User ID,SIS Login ID,Section,HW1 (7)\n"
            b"    Points Possible,,,,,10.00\n"
            b'"Doe, Jane",501,,,Sec 1,9\n'
            b'"Roe, Rick",502,,,Sec 1,\n')
    assert read_roster(data) == [Entry("501", "Jane Doe", "", None), Entry("502", "Rick Roe", "", None)]


def test_plain_csv_with_semicolons_and_languages():
    assert read("plain.csv") == [
        Entry("20230001", "Alice Smith", "alice.smith@uni.example.edu", "en"),
        Entry("20230003", "张三", "zhangsan@uni.example.edu", "zh"),
        Entry("20230002", "Bob van der Berg", "", None),
    ]


@pytest.mark.parametrize("delimiter", [",", "\t", ";"])
def test_plain_csv_with_emails_only(delimiter):
    text = delimiter.join(["Name", "E-mail", "Language"]) + "\r\n" + \
        delimiter.join(["Ann Lee", "Ann.Lee@Example.org", "zh-CN"]) + "\r\n\r\n" + \
        delimiter.join(["王五", "wangwu@example.org", ""]) + "\r\n"
    assert read_roster(text.encode("utf-8-sig")) == [
        Entry("ann.lee@example.org", "Ann Lee", "ann.lee@example.org", "zh"),
        Entry("wangwu@example.org", "王五", "wangwu@example.org", None)]


def test_utf16_from_excel_unicode_text():
    data = "Full name\tUsername\n赵六\tzhaoliu\n".encode("utf-16")
    assert read_roster(data) == [Entry("zhaoliu", "赵六", "", None)]


def test_duplicates_are_listed_with_their_lines():
    data = b"Full name,Username\nAnn,ann\nBob,bob\nAnn Again,ANN\nCid,cid\nBob,bob\n"
    with pytest.raises(RosterError) as caught:
        read_roster(data)
    message = str(caught.value)
    assert "lines 2, 4: the same username 'ann' (column 'Username') more than once" in message
    assert "lines 3, 6: the same username 'bob'" in message


def test_rows_without_a_username_are_listed():
    data = b"First name,Last name,Username,Email address\nAnn,Lee,alee,a@x.org\nBob,Ng,,b@x.org\nCid,Li,,\n"
    with pytest.raises(RosterError) as caught:
        read_roster(data)
    assert "lines 3, 4: no username in column 'Username'" in str(caught.value)


def test_a_bad_language_is_refused():
    with pytest.raises(RosterError, match=r"line 2: the language 'fr' \(column 'lang'\) is neither en nor zh"):
        read_roster(b"name,email,lang\nAnn,ann@x.org,fr\n")


def test_no_recognisable_column_names_the_columns_found_and_expected():
    with pytest.raises(RosterError) as caught:
        read_roster("Nom,Prénom,Note\nCurie,Marie,18\n".encode())
    message = str(caught.value)
    assert "Found the columns 'Nom', 'Prénom', 'Note'" in message
    assert "Username/用户名" in message and "Email address/电子邮件地址" in message


@pytest.mark.parametrize("data", [b"", b"\xef\xbb\xbf", b"\r\n , \r\n"])
def test_an_empty_file(data):
    with pytest.raises(RosterError, match="the file is empty. Expected a header row with a username or id"):
        read_roster(data)


def test_a_header_without_students():
    with pytest.raises(RosterError, match=r"no students below the header \(line 1\)"):
        read_roster(b"Username,Full name\n")


def test_windows_1252_from_western_excel():
    data = "Full name,Username\nJörg Müller,jmueller\nRenée Çelik,rcelik\nÉlodie Lefèvre,elefevre\n"
    assert read_roster(data.encode("cp1252")) == [Entry("jmueller", "Jörg Müller", "", None),
                                                  Entry("rcelik", "Renée Çelik", "", None),
                                                  Entry("elefevre", "Élodie Lefèvre", "", None)]
    # A Chinese GBK file still reads as Chinese, its English header beside it or not.
    assert [e.name for e in read("moodle_participants_zh_gbk.csv")] == ["张三", "李小明", "欧阳美丽"]
    mixed = "Username,Full name,Email地址\nzs,张三,zs@x.cn\nlxm,李小明,lxm@x.cn\n"
    assert [e.name for e in read_roster(mixed.encode("gbk"))] == ["张三", "李小明"]


def test_neither_utf8_nor_gbk():
    data = b"Full name,Username\nAnn,ann\nRen\xe9e \x81,renee\n"  # 0x81 is no Windows-1252 character either
    with pytest.raises(RosterError, match="line 3 is neither UTF-8 nor GBK text. Save the file as \"CSV UTF-8\""):
        read_roster(data)


def test_an_excel_workbook_is_not_csv():
    with pytest.raises(RosterError, match="Excel workbook, not a CSV file"):
        read_roster(b"PK\x03\x04\x14\x00\x06\x00" + bytes(range(256)))


def test_a_title_line_above_the_header():
    assert read_roster(b"CS 330 class list\nname,student id\nAnn,1\n") == [Entry("1", "Ann", "", None)]


# ---- accounts --------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_accounts_are_made_with_names_languages_and_working_tokens():
    created = create_accounts(read("plain.csv"), lang=None)
    assert [(c.person.user.username, c.person.display_name, c.person.lang, c.person.role, c.created)
            for c in created] == [("20230001", "Alice Smith", "en", "student", True),
                                  ("20230003", "张三", "zh", "student", True),
                                  ("20230002", "Bob van der Berg", "en", "student", True)]
    for c in created:
        assert Person.by_sign_in_token(c.sign_in_token) == c.person
        assert Person.by_api_token(c.api_token) == c.person
        assert not c.person.user.has_usable_password()  # they set one after the link
    assert created[0].person.user.email == "alice.smith@uni.example.edu"
    assert created[0].person.roster_id == "20230001"
    assert [c.person.lang for c in create_accounts(read("moodle_worksheet.csv"), lang="zh")] == ["zh"] * 3


@pytest.mark.django_db
def test_importing_again_keeps_the_accounts_and_old_links_stop_working():
    first = create_accounts(read("moodle_participants_en.csv"))
    alice = first[0].person
    alice.lang = "zh"  # her own choices, on her page
    alice.display_name = "Ally"
    alice.save()
    again = create_accounts(read("moodle_participants_en.csv"))
    assert [c.person.pk for c in again] == [c.person.pk for c in first]
    assert not any(c.created for c in again)
    assert Person.objects.count() == 4
    for old, new in zip(first, again):
        assert Person.by_sign_in_token(old.sign_in_token) is None
        assert Person.by_api_token(old.api_token) is None
        assert Person.by_sign_in_token(new.sign_in_token) == new.person
        assert Person.by_api_token(new.api_token) == new.person
    alice.refresh_from_db()
    assert (alice.lang, alice.display_name) == ("zh", "Ally")  # kept: the roster does not say otherwise
    create_accounts(read("moodle_participants_en.csv"), lang="en")
    alice.refresh_from_db()
    assert alice.lang == "en"  # the teacher said so


@pytest.mark.django_db
@pytest.mark.parametrize("second", ["canvas_gradebook.csv", "plain.csv"])
def test_another_lms_export_of_the_class_finds_the_same_accounts(second):
    first = create_accounts(read("moodle_participants_en.csv"))
    again = create_accounts(read(second))
    assert not any(c.created for c in again)
    assert Person.objects.count() == 4
    by_pk = {c.person.pk: c.person for c in first}
    for c in again:
        before = by_pk[c.person.pk]
        assert c.person.user.username == before.user.username  # asmith stays asmith, not 20230001 or 1001
        assert c.person.roster_id == before.roster_id  # Moodle's ID number, not Canvas's 1001
        assert Person.by_sign_in_token(c.sign_in_token) == c.person


@pytest.mark.django_db
def test_an_email_or_roster_id_shared_by_two_students_matches_neither():
    made = create_accounts([Entry("ann", "Ann", "team@x.org", None, "7"), Entry("bea", "Bea", "team@x.org", None, "7")])
    assert [m.created for m in made] == [True, True]  # two entries of one roster are two students
    (c,) = create_accounts([Entry("cat", "Cat", "team@x.org", None, "7")])
    assert c.created and c.person.user.username == "cat"


@pytest.mark.django_db
def test_an_empty_roster_id_is_filled_in():
    (made,) = create_accounts([Entry("ann", "Ann", "ann@x.org", None)])
    Person.objects.filter(pk=made.person.pk).update(roster_id="")
    (again,) = create_accounts([Entry("ANN@x.org", "Ann", "ann@x.org", None, "1001")])
    assert again.person.pk == made.person.pk and again.person.roster_id == "1001"


@pytest.mark.django_db
def test_a_deactivated_student_listed_again_can_sign_in_again():
    (made,) = create_accounts([Entry("ann", "Ann", "ann@x.org", None)])
    made.person.user.is_active = False
    made.person.user.save()
    (again,) = create_accounts([Entry("ann", "Ann", "ann@x.org", None)])
    again.person.user.refresh_from_db()
    assert again.person.user.is_active


@pytest.mark.django_db
def test_teachers_and_admins_are_not_touched():
    teacher = make_person("asmith", role="teacher", lang="zh")
    teacher.new_sign_in_token()
    before = Person.objects.values().get(pk=teacher.pk)
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_superuser("bberg", password="admin-pw")
    created = create_accounts(read("moodle_participants_en.csv"), lang="en")
    assert [c.person.user.username for c in created] == ["zhangsan", "wangll"]
    assert Person.objects.values().get(pk=teacher.pk) == before  # role, language, link, token as they were
    teacher.user.refresh_from_db()
    assert teacher.user.check_password("pw-asmith")
    assert not Person.objects.filter(user__username="bberg").exists()


def test_a_username_longer_than_django_allows():
    with pytest.raises(RosterError, match="line 3: the username in column 'Username' is longer than 150"):
        read_roster(f"Username,Full name\nann,Ann\n{'x' * 151},Long\n".encode())


@pytest.mark.django_db
def test_all_or_nothing():
    def entries():
        yield Entry("ann", "Ann", "", None)
        raise RuntimeError("the roster broke off")  # after Ann's account was made

    with pytest.raises(RuntimeError):
        create_accounts(entries())
    assert not Person.objects.filter(user__username="ann").exists()


@pytest.mark.django_db
def test_links_csv_opens_in_excel():
    created = create_accounts([Entry("zhangsan", "张三", "", None), Entry("eve", "=HYPERLINK(\"x\")", "", None)])
    data = links_csv(created, "https://grader.example.edu/")
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["student", "sign_in_link", "api_token", "name"]
    assert rows[1] == ["zhangsan", f"https://grader.example.edu/people/sign-in/{created[0].sign_in_token}/",
                       created[0].api_token, "张三"]
    assert rows[2][3] == "'=HYPERLINK(\"x\")"  # shown as text, not run as a formula


# ---- add_students ----------------------------------------------------------------------------------

@pytest.mark.django_db
def test_add_students_writes_the_links_in_the_data_folder_not_beside_the_roster(tmp_path, settings):
    settings.DATA = tmp_path / "data"
    settings.DATA.mkdir()
    roster = tmp_path / "class.csv"
    roster.write_bytes((ROSTERS / "canvas_gradebook.csv").read_bytes())
    count, out = add_students(roster, out=None, base_url="http://h:8000/", lang="zh")
    assert (count, out) == (3, tmp_path / "data" / "links" / "class-links.csv")
    assert not (tmp_path / "class-links.csv").exists()
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert stat.S_IMODE(out.parent.stat().st_mode) == 0o700
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert [r["student"] for r in rows] == ["asmith", "bberg", "zhangsan"]
    token = rows[0]["sign_in_link"].removeprefix("http://h:8000/people/sign-in/").removesuffix("/")
    assert Person.by_sign_in_token(token).user.username == "asmith"
    assert set(Person.objects.values_list("lang", flat=True)) == {"zh"}


@pytest.mark.django_db
def test_add_students_refuses_what_it_cannot_use(tmp_path):
    with pytest.raises(RosterError, match=r"missing\.csv does not exist"):
        add_students(tmp_path / "missing.csv", out=None, base_url="http://h", lang=None)
    with pytest.raises(RosterError, match="is a folder"):
        add_students(tmp_path, out=None, base_url="http://h", lang=None)
    roster = tmp_path / "class.csv"
    roster.write_bytes((ROSTERS / "plain.csv").read_bytes())
    with pytest.raises(RosterError, match="is the roster itself"):
        add_students(roster, out=roster, base_url="http://h", lang=None)
    assert roster.read_bytes() == (ROSTERS / "plain.csv").read_bytes()
    with pytest.raises(RosterError, match="does not exist: make the folder"):
        add_students(roster, out=tmp_path / "no" / "links.csv", base_url="http://h", lang=None)
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"Nom,Note\nCurie,18\n")
    with pytest.raises(RosterError, match=r"bad\.csv: no column says who the students are"):
        add_students(bad, out=None, base_url="http://h", lang=None)
    assert not Person.objects.exists()


@pytest.mark.django_db
def test_a_sheet_that_cannot_be_written_changes_nothing(tmp_path):
    roster = tmp_path / "class.csv"
    roster.write_bytes((ROSTERS / "plain.csv").read_bytes())
    (first,) = create_accounts([Entry("20230001", "Alice Smith", "", None)])
    (tmp_path / f".links.csv.tmp{os.getpid()}").mkdir()  # where the sheet is written first: fails even as root
    with pytest.raises(RosterError, match="cannot be written .*nothing was changed"):
        add_students(roster, out=tmp_path / "links.csv", base_url="http://h", lang=None)
    assert Person.by_sign_in_token(first.sign_in_token) == first.person  # the link already sent still works
    assert Person.objects.count() == 1


# ---- the command -----------------------------------------------------------------------------------

def run_add_students(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GRADER_", "DJANGO_"))}
    return subprocess.run([sys.executable, "-m", "grader.cli", "site", "add-students", *args], capture_output=True,
                          text=True, cwd=ROOT, env=env, timeout=300)


@pytest.mark.slow  # ~8 s: three runs of the command, each making or migrating a site's database
def test_the_command_end_to_end(tmp_path):
    data, out = tmp_path / "site", tmp_path / "out.csv"
    roster = ROSTERS / "moodle_participants_zh_gbk.csv"
    done = run_add_students(str(roster), "--data", str(data), "--out", str(out), "--base-url", "https://g.example/",
                            "--lang", "zh")
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"3 students; their sign-in links and tokens: {out}" in done.stdout
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == ["student", "sign_in_link", "api_token", "name"]
    assert [(r[0], r[3]) for r in rows[1:]] == [("2023001", "张三"), ("2023002", "李小明"), ("2023003", "欧阳美丽")]
    assert all(r[1].startswith("https://g.example/people/sign-in/") and r[2].startswith("gr_") for r in rows[1:])
    with sqlite3.connect(data / "site.sqlite3") as db:  # the tokens in the sheet are the ones the site knows
        stored = dict(db.execute("SELECT u.username, p.sign_in_digest || ' ' || p.api_token_digest || ' ' || p.lang "
                                 "FROM people_person p JOIN auth_user u ON u.id = p.user_id").fetchall())
    for r in rows[1:]:
        token = r[1].rsplit("/", 2)[1]
        assert stored[r[0]] == f"{digest(token)} {digest(r[2])} zh"

    unknown = run_add_students(str(roster), "--data", str(data))  # no --base-url, no `grader serve` yet
    assert unknown.returncode == 2 and "Give --base-url" in unknown.stdout
    (data / "site_url").write_text("http://127.0.0.1:8801\n")  # as `grader serve` writes it
    again = run_add_students(str(roster), "--data", str(data))
    assert again.returncode == 0, again.stdout + again.stderr
    written = data / "links" / f"{roster.stem}-links.csv"
    assert f"their sign-in links and tokens: {written}" in again.stdout
    assert stat.S_IMODE(written.stat().st_mode) == 0o600
    links = list(csv.DictReader(io.StringIO(written.read_text(encoding="utf-8-sig"))))
    assert all(r["sign_in_link"].startswith("http://127.0.0.1:8801/people/sign-in/") for r in links)
    with sqlite3.connect(data / "site.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM people_person").fetchone() == (3,)  # the same accounts

    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"Full name,Username\nAnn,ann\nAnn,ann\n")
    refused = run_add_students(str(bad), "--data", str(data), "--base-url", "https://g.example")
    assert refused.returncode == 2
    assert f"Roster problem: {bad}: fix these rows" in refused.stdout
    assert "lines 2, 3: the same username 'ann'" in refused.stdout
    assert not (tmp_path / "bad-links.csv").exists()


def test_serve_leaves_its_address_for_add_students(tmp_path):
    from grader.site import serve

    assert serve.read_site_url(tmp_path) is None
    serve.write_site_url(tmp_path, "http://127.0.0.1:8801")
    assert (tmp_path / "site_url").read_text() == "http://127.0.0.1:8801\n"
    assert serve.read_site_url(tmp_path) == "http://127.0.0.1:8801"
