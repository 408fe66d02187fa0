"""Students' accounts from the class list the LMS gives (`grader site add-students`).

read_roster() takes the CSV as teachers have it, in English or Chinese, UTF-8, GBK (what Chinese Excel
saves) or Windows-1252 (what Western Excel saves), comma, semicolon or tab:

- Moodle's participants download ("First name", "Last name", "Username", "ID number", "Email
  address"; "名", "姓", "用户名", "ID号", "电子邮件地址"; or the field names, "firstname", ...);
- Moodle's offline grading worksheet ("Identifier" = "Participant 12345" / "参与者12345", "Full
  name", "Email address");
- Canvas's gradebook export ("Student" = "Last, First", "ID", "SIS User ID", "SIS Login ID"; its
  "Points Possible" row and its Test Student are skipped);
- a plain CSV with a name column and an id or email column.

A student's username is the LMS's own login or number, so importing the class list again finds the
same accounts: the first of these columns the file fills is used for everyone: the login (Username,
SIS Login ID), the student number (ID number, 学号, SIS User ID, id), the email, the LMS's number
(Moodle's participant number, Canvas's user ID).

create_accounts() makes (or finds) the accounts and gives each a new one-time sign-in link and API
token; links_csv() is the teacher's sheet of them, to send through the LMS.
"""

from __future__ import annotations

import csv
import io
import os
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # Django's models load only once the site is set up (commands.py, tests)
    from .models import Person

# Headers, compared after _key(): casefolded, spaces, "_", "-" and "*" removed.
LOGIN = ("username", "用户名", "用户帐号", "用户账号", "账号", "帐号", "sisloginid", "loginid", "login", "登录名")
NUMBER = ("idnumber", "id号", "学号", "学生编号", "编号", "sisuserid", "studentid", "studentnumber", "studentno",
          "matriculationnumber", "id")
EMAIL = ("emailaddress", "email", "mail", "电子邮件地址", "电子邮件", "电子邮箱", "邮箱", "email地址",
         "邮件地址")
PARTICIPANT = ("identifier", "标识符", "识别码", "标识")  # Moodle's worksheet: "Participant 12345"
FULL_NAME = ("fullname", "全名", "姓名", "name", "studentname", "名字", "学生姓名", "student")
FIRST_NAME = ("firstname", "givenname", "名")
LAST_NAME = ("lastname", "surname", "familyname", "姓")
LANG = ("lang", "language", "语言")
ROLES = ("roles", "role", "角色")
EXPECTED = ("a username or id column (Username/用户名, ID number/ID号/学号, SIS Login ID, SIS User ID, id, "
            "Email address/电子邮件地址, or Moodle's Identifier \"Participant 12345\"), and a name column "
            "(Full name/全名/姓名, First name/名 and Last name/姓, Canvas's Student, or name)")

MOODLE_PARTICIPANT = re.compile(r"([^\d\s][^\d]*?)\s*(\d+)")  # "Participant 12345", "参与者12345"
USERNAME_MAX = 150  # Django's User.username
NAME_MAX = 200  # Person.display_name
ROSTER_ID_MAX = 100  # Person.roster_id
LANGS = {"en": "en", "english": "en", "英文": "en", "英语": "en",
         "zh": "zh", "zh-cn": "zh", "zh_cn": "zh", "zh-hans": "zh", "zh_hans": "zh", "cn": "zh", "chinese": "zh",
         "中文": "zh", "简体中文": "zh", "汉语": "zh"}
CANVAS_TEST_STUDENT = ("student, test", "test student")
STUDENT_ROLES = ("student", "学生")
SHOWN_PROBLEMS = 10  # a long list helps no one: the first ten lines, and how many more


class RosterError(Exception):
    """The roster cannot be used; the message says where (line, column) and what to do."""


@dataclass
class Entry:
    username: str
    name: str
    email: str
    lang: str | None
    # The LMS's id for them, for Person.roster_id (Canvas's ID, else the student number, else the email);
    # not part of what an entry is (two entries of one student are equal).
    roster_id: str = field(default="", compare=False)


@dataclass
class Created:
    person: Person
    sign_in_token: str
    api_token: str
    created: bool


# ---- reading ----------------------------------------------------------------------------------------

def read_roster(data: bytes) -> list[Entry]:
    rows = _rows(_decode(data))
    header_at, columns = _find_header(rows)
    below = rows[header_at + 1:]
    login = _username_column(columns, below)
    what, title = _WHAT[login], columns.title(login)
    entries: list[Entry] = []
    first_line: dict[str, int] = {}
    duplicates: dict[str, list[int]] = {}
    no_username: list[int] = []
    problems: list[str] = []
    for line, row in below:
        cells = [c.strip() for c in row]
        name = _name(cells, columns)
        if not name and not any(columns.get(cells, k) for k in IDS):
            continue  # a blank row, or one of the LMS's own (Canvas's posting-policy row)
        if columns.canvas and name == "Points Possible":
            continue  # Canvas's second row: the assignments' maximum points
        if columns.canvas and columns.get(cells, "name").casefold() in CANVAS_TEST_STUDENT:
            continue  # Canvas's "Student, Test", the teacher's student view
        roles = columns.get(cells, "roles").casefold()
        if roles and not any(r in roles for r in STUDENT_ROLES):
            continue  # Moodle's participants list also holds the course's teachers
        username = _username(columns.get(cells, login), login)
        if not username:
            no_username.append(line)
            continue
        if len(username) > USERNAME_MAX:
            problems.append(f"line {line}: the {what} in column {title} is longer than {USERNAME_MAX} "
                            "characters; shorten it")
            continue
        key = username.casefold()
        if key in first_line:
            duplicates.setdefault(key, [first_line[key]]).append(line)
            continue
        first_line[key] = line
        lang_cell = columns.get(cells, "lang")
        lang = LANGS.get(lang_cell.casefold()) if lang_cell else None
        if lang_cell and lang is None:
            problems.append(f"line {line}: the language {lang_cell!r} (column {columns.title('lang')}) is "
                            "neither en nor zh; write en or zh, or leave it empty")
        email = columns.get(cells, "email")
        email = email.lower() if "@" in email else ""
        # Canvas's own ID first: its gradebook import matches on it (the teacher's grade export fills it in).
        # Moodle's participant number last: it is the worksheet's own, another assignment's differs.
        ids = (columns.get(cells, "canvas_id"), columns.get(cells, "number"), email,
               _participant(columns.get(cells, "participant")), username)
        roster_id = next((v for v in ids if v and len(v) <= ROSTER_ID_MAX), "")
        entries.append(Entry(username, name[:NAME_MAX], email, lang, roster_id))
    if no_username:
        problems.append(f"{_lines(no_username)}: no {what} in column {title} (the students' usernames); "
                        "fill it in, or delete those rows")
    for key, lines in duplicates.items():
        problems.append(f"{_lines(lines)}: the same {what} {key!r} (column {title}) more than once; keep one "
                        "row for each student")
    if problems:
        shown = problems[:SHOWN_PROBLEMS]
        more = f"\n  ... and {len(problems) - SHOWN_PROBLEMS} more" if len(problems) > SHOWN_PROBLEMS else ""
        raise RosterError("fix these rows, then run the command again:\n  " + "\n  ".join(shown) + more)
    if not entries:
        raise RosterError(f"no students below the header (line {rows[header_at][0]}). Download the class list "
                          "again from the LMS, with its students in it.")
    return entries


def _decode(data: bytes) -> str:
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise RosterError("this is an Excel workbook, not a CSV file. In Excel: File > Save As > \"CSV UTF-8 "
                          "(Comma delimited)\", then give that file.")
    # Excel's "Unicode Text" is UTF-16 with a BOM; else UTF-8, else what Excel saves CSV as in the
    # teacher's locale: GBK (GB18030 is its superset) in Chinese, Windows-1252 in Western Europe.
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise _not_text(data, exc, "is not UTF-16 text (as its start says)") from exc
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = _legacy(data)
    if "\x00" in text:
        raise RosterError("this is not a text file (it holds NUL bytes). Give the CSV file the LMS downloads "
                          "(or Excel's \"CSV UTF-8\").")
    return text


def _legacy(data: bytes) -> str:
    """GB18030 or Windows-1252, whichever the bytes read as. Both decode most bytes: Western text read
    as GB18030 turns an accented letter and the next one into a Chinese character inside a Latin word
    ("Jörg" becomes "J鰎g"), so GB18030 wins only if most words with Chinese characters hold no Latin letter."""
    try:
        gb: str | None = data.decode("gb18030")
    except UnicodeDecodeError as exc:
        gb, gb_error = None, exc
    try:
        western: str | None = data.decode("cp1252")
    except UnicodeDecodeError:
        western = None
    if gb is not None and (western is None or _reads_as_chinese(gb)):
        return gb
    if western is not None:
        return western
    raise _not_text(data, gb_error, "is neither UTF-8 nor GBK text")


def _reads_as_chinese(text: str) -> bool:
    clean = mixed = 0
    for word in re.findall(r"[^\W\d_]+", text):
        if any(_cjk(c) for c in word):
            if re.search(r"[A-Za-z]", word):
                mixed += 1
            else:
                clean += 1
    return clean > mixed


def _not_text(data: bytes, error: UnicodeDecodeError, what: str) -> RosterError:
    line = data[:error.start].count(b"\n") + 1
    return RosterError(f"line {line} {what}. Save the file as \"CSV UTF-8\" (Excel: File > Save As), or "
                       "download it again from the LMS.")


def _rows(text: str) -> list[tuple[int, list[str]]]:
    """The rows with the line each starts on (a quoted cell may hold line breaks)."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max(",;\t", key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = []
    line = 1
    try:
        for row in reader:
            rows.append((line, row))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise RosterError(f"line {reader.line_num}: {exc}. Download the class list again from the LMS.") from exc
    return rows


def _key(header: str) -> str:
    header = unicodedata.normalize("NFKC", header).casefold()
    return re.sub(r"[\s_*\-\ufeff\"']+", "", header)


@dataclass
class Columns:
    header: list[str]
    at: dict[str, int]  # kind ("login", "number", "email", "participant", "canvas_id", "name", ...) -> index
    canvas: bool = False

    def get(self, cells: list[str], kind: str) -> str:
        col = self.at.get(kind)
        return cells[col] if col is not None and col < len(cells) else ""

    def title(self, kind: str) -> str:
        return repr(self.header[self.at[kind]].strip())


IDS = ("login", "number", "email", "participant", "canvas_id")  # in order of preference for usernames


def _find_header(rows: list[tuple[int, list[str]]]) -> tuple[int, Columns]:
    """The header row (among the first ten: some exports put a title above it) and its columns."""
    if not any(any(c.strip() for c in row) for _, row in rows):
        raise RosterError(f"the file is empty. Expected a header row with {EXPECTED}.")
    for at, (_, row) in enumerate(rows[:10]):
        columns = _columns(row, rows[at + 1:])
        if any(k in columns.at for k in IDS):
            return at, columns
    found = next(row for _, row in rows if any(c.strip() for c in row))
    raise RosterError("no column says who the students are. Found the columns "
                      + ", ".join(repr(c.strip()) for c in found if c.strip()) + f"; expected {EXPECTED}.")


def _columns(header: list[str], below: list[tuple[int, list[str]]]) -> Columns:
    keys = [_key(h) for h in header]
    columns = Columns(header, {})

    def first(kind: str, names: Iterable[str]) -> None:
        for name in names:  # in the order of preference, not of the file
            if name in keys and kind not in columns.at:
                columns.at[kind] = keys.index(name)

    if "student" in keys and "id" in keys:  # Canvas: ID is its own user number, "Student" is "Last, First"
        columns.canvas = True
        columns.at["canvas_id"] = keys.index("id")
        columns.at["name"] = keys.index("student")
        first("login", ("sisloginid",))
        first("number", ("sisuserid",))
    else:
        first("login", LOGIN)
        first("number", NUMBER)
        first("name", FULL_NAME)
        first("first", FIRST_NAME)
        first("last", LAST_NAME)
    first("email", EMAIL)
    first("participant", PARTICIPANT)
    first("lang", LANG)
    first("roles", ROLES)
    if "participant" not in columns.at and not columns.canvas and keys and 0 not in columns.at.values():
        # Moodle's worksheet in a language not listed: its first column is "Participant 12345" in any language
        values = [row[0].strip() for _, row in below if row and row[0].strip()]
        if values and all(MOODLE_PARTICIPANT.fullmatch(v) for v in values):
            columns.at["participant"] = 0
            if "name" not in columns.at and "first" not in columns.at and len(header) > 1:
                columns.at["name"] = 1  # the worksheet's next column is the full name
    return columns


def _username_column(columns: Columns, below: list[tuple[int, list[str]]]) -> str:
    """The kind of column that holds usernames: the first, in order of preference, that the file fills
    for someone (Canvas's SIS columns are often empty)."""
    present = [k for k in IDS if k in columns.at]
    filled = [k for k in present if any(columns.get(row, k).strip() for _, row in below)]
    return (filled or present)[0]


_WHAT = {"login": "username", "number": "student number", "email": "email address",
         "participant": "participant number", "canvas_id": "Canvas ID"}


def _username(value: str, kind: str) -> str:
    value = " ".join(value.split())
    if kind == "email":
        return value.lower() if "@" in value else ""  # the same address, however the LMS cased it
    if kind == "participant":
        return _participant(value)
    return value


def _participant(value: str) -> str:
    match = MOODLE_PARTICIPANT.fullmatch(value.strip())
    return match.group(2) if match else ""


def _name(cells: list[str], columns: Columns) -> str:
    full = " ".join(columns.get(cells, "name").split())
    if columns.canvas and "," in full:  # "Last, First"
        last, first = (p.strip() for p in full.split(",", 1))
        return _join(first, last)
    if full:
        return full
    return _join(" ".join(columns.get(cells, "first").split()), " ".join(columns.get(cells, "last").split()))


def _join(first: str, last: str) -> str:
    """Western names "First Last"; Chinese ones family name first, no space: 姓 + 名."""
    if first and last and _cjk(first) and _cjk(last):
        return last + first
    return " ".join(p for p in (first, last) if p)


def _cjk(text: str) -> bool:
    return all(unicodedata.name(c, "").startswith(("CJK ", "HANGUL", "HIRAGANA", "KATAKANA")) or c == "·"
               for c in text)


def _lines(lines: list[int]) -> str:
    shown = ", ".join(str(n) for n in lines[:SHOWN_PROBLEMS])
    more = f" and {len(lines) - SHOWN_PROBLEMS} more" if len(lines) > SHOWN_PROBLEMS else ""
    return ("line " if len(lines) == 1 else "lines ") + shown + more


# ---- accounts --------------------------------------------------------------------------------------

def create_accounts(entries: Iterable[Entry], *, lang: str | None = None) -> list[Created]:
    """Each entry's account (found, else made), with a new sign-in link and API token: the previous
    ones stop working. Teachers and staff are left alone (and not in the result); a student's own
    choices (their language, the name they show) are kept unless the roster or `lang` says otherwise.
    All or nothing.

    Another LMS's export of the same class finds the same accounts: an entry is the account with its
    username, else the one student with its email (any case), else the one student with its roster id.
    A found account keeps its username, and its roster id unless that was empty: the first LMS's id
    stays (another LMS's id for the same student is not written over it)."""
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from .models import Person

    user_model = get_user_model()
    out: list[Created] = []
    found: set[int] = set()  # accounts this roster's entries are already: two entries are two students
    with transaction.atomic():
        for entry in entries:
            chosen = entry.lang or lang
            user = _existing(entry, user_model, Person, found)
            made = user is None
            if user is None:
                user = user_model.objects.create_user(username=entry.username, email=entry.email)  # no password
            person = Person.objects.filter(user=user).first()
            if (person is not None and person.is_teacher) or user.is_staff or user.is_superuser:
                continue
            if person is None:
                person = Person.objects.create(user=user, role=Person.Role.STUDENT, lang=chosen or "en",
                                               display_name=entry.name, roster_id=_roster_id(entry))
            else:
                person.roster_id = person.roster_id or _roster_id(entry)
                person.display_name = person.display_name or entry.name
                person.lang = chosen or person.lang
                person.save(update_fields=["roster_id", "display_name", "lang"])
            if not made and (not user.is_active or (entry.email and user.email != entry.email)):
                # Listed in the class again: their account works again, with the LMS's email.
                user.is_active = True
                user.email = entry.email or user.email
                user.save(update_fields=["is_active", "email"])
            found.add(user.pk)
            out.append(Created(person, person.new_sign_in_token(), person.new_api_token(), made))
    return out


def _existing(entry: Entry, user_model, person_model, taken: set[int]):
    """The account `entry` is: by username (anyone's: a teacher's is then left alone), else the one
    student with its email, else the one student with its roster id (not one another entry of this
    roster is already); None if none (or several) match."""
    user = user_model.objects.filter(username=entry.username).first()
    if user is not None:
        return user
    students = user_model.objects.filter(person__role=person_model.Role.STUDENT, is_staff=False,
                                         is_superuser=False).exclude(pk__in=taken)
    roster_id = _roster_id(entry)
    for found in (students.filter(email__iexact=entry.email) if entry.email else None,
                  students.filter(person__roster_id=roster_id) if roster_id else None):
        if found is not None:
            matches = list(found[:2])
            if len(matches) == 1:
                return matches[0]
    return None


def _roster_id(entry: Entry) -> str:
    return entry.roster_id or (entry.username if len(entry.username) <= ROSTER_ID_MAX else "")


# ---- the teacher's sheet ---------------------------------------------------------------------------

def links_csv(created: Iterable[Created], base_url: str) -> bytes:
    """UTF-8 with a BOM (Excel then reads Chinese names right), one row per student."""
    base_url = base_url.rstrip("/")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["student", "sign_in_link", "api_token", "name"])
    for c in created:
        person = c.person
        writer.writerow([_cell(person.user.get_username()), f"{base_url}/people/sign-in/{c.sign_in_token}/",
                         c.api_token, _cell(person.display_name)])
    return out.getvalue().encode("utf-8-sig")


def _cell(value: str) -> str:
    """A name from the LMS that Excel would run as a formula ("=HYPERLINK(...)") is shown as text."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def add_students(path: Path, *, out: Path | None, base_url: str, lang: str | None) -> tuple[int, Path]:
    """Read the roster at `path`, make the accounts, write their links and tokens to `out` (0600: it
    signs them in). By default DATA/links/ROSTER-links.csv (the folder 0700), never beside the roster,
    which may be in a repository or a shared folder. Nothing is changed unless the sheet is written."""
    from django.conf import settings
    from django.db import transaction

    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise RosterError(f"{path} does not exist. Give the class list (CSV) downloaded from the LMS.") from exc
    except IsADirectoryError as exc:
        raise RosterError(f"{path} is a folder. Give the class list (CSV) downloaded from the LMS.") from exc
    except OSError as exc:
        raise RosterError(f"{path} cannot be read ({exc.strerror}). Check the file's permissions.") from exc
    try:
        entries = read_roster(data)
    except RosterError as exc:
        raise RosterError(f"{path}: {exc}") from exc
    if out is None:
        links = Path(settings.DATA) / "links"
        try:
            links.mkdir(mode=0o700, exist_ok=True)
            links.chmod(0o700)
        except OSError as exc:
            raise RosterError(f"{links} cannot be made ({exc.strerror}); give --out a file.") from exc
        out = links / (path.stem + "-links.csv")
    out = Path(out)
    if out.resolve() == path.resolve():
        raise RosterError(f"{out} is the roster itself: give --out another file.")
    if out.is_dir():
        raise RosterError(f"{out} is a folder: give --out a file name.")
    if not out.parent.is_dir():
        raise RosterError(f"{out.parent} does not exist: make the folder or give --out another file.")
    tmp = out.with_name(f".{out.name}.tmp{os.getpid()}")
    opened = False
    try:
        with transaction.atomic():  # the tokens of a sheet that cannot be written are never kept
            created = create_accounts(entries, lang=lang)
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
            opened = True
            with os.fdopen(fd, "wb") as f:
                os.fchmod(f.fileno(), 0o600)  # whatever the umask: the file signs students in
                f.write(links_csv(created, base_url))
            os.replace(tmp, out)
    except OSError as exc:
        if opened:
            tmp.unlink(missing_ok=True)
        raise RosterError(f"{out} cannot be written ({exc.strerror}); nothing was changed. Give --out a "
                          "file in a folder you can write.") from exc
    return len(created), out
