"""Safe extraction: every crafted archive is refused with its reason before anything is written."""

from __future__ import annotations

import io
import stat
import tarfile
import tempfile
import zipfile
from pathlib import Path

import pytest

from grader.host.batch import archives
from grader.host.batch.archives import Refused, extract


def make_tar(path: Path, members: list[tuple[tarfile.TarInfo, bytes | None]], mode: str = "w") -> Path:
    with tarfile.open(path, mode) as tar:
        for info, data in members:
            if data is not None:
                info.size = len(data)
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    return path


def file_info(name: str) -> tarfile.TarInfo:
    return tarfile.TarInfo(name)


def refused_id(path: Path, tmp_path: Path) -> str:
    dest = Path(tempfile.mkdtemp(dir=tmp_path))
    with pytest.raises(Refused) as err:
        extract(path, dest)
    assert list(dest.iterdir()) == [], "nothing may be written from a refused archive"
    return err.value.message["id"]


def test_a_plain_tar_gz_and_zip_extract(tmp_path):
    tgz = make_tar(tmp_path / "a.tar.gz", [(file_info("alice/race_counter.py"), b"x = 1\n")], "w:gz")
    (tmp_path / "t").mkdir()
    assert extract(tgz, tmp_path / "t") == ["alice/race_counter.py"]
    z = tmp_path / "a.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("race_counter.py", "x = 1\n")
    (tmp_path / "z").mkdir()
    assert extract(z, tmp_path / "z") == ["race_counter.py"]
    assert (tmp_path / "z" / "race_counter.py").read_text() == "x = 1\n"


@pytest.mark.parametrize("name", ["../escape.py", "/etc/evil.py", "a/../../escape.py"])
def test_path_traversal_is_refused(tmp_path, name):
    assert refused_id(make_tar(tmp_path / "t.tar", [(file_info(name), b"x")]), tmp_path) == "archive_unsafe_path"
    z = tmp_path / "t.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr(zipfile.ZipInfo(name), "x")
    assert refused_id(z, tmp_path) == "archive_unsafe_path"


def test_links_and_devices_are_refused(tmp_path):
    sym = file_info("race_counter.py")
    sym.type, sym.linkname = tarfile.SYMTYPE, "/etc/passwd"
    assert refused_id(make_tar(tmp_path / "s.tar", [(sym, None)]), tmp_path) == "archive_link"
    hard = file_info("race_counter.py")
    hard.type, hard.linkname = tarfile.LNKTYPE, "other.py"
    assert refused_id(make_tar(tmp_path / "h.tar", [(file_info("other.py"), b"x"), (hard, None)]),
                      tmp_path) == "archive_link"
    dev = file_info("null")
    dev.type = tarfile.CHRTYPE
    assert refused_id(make_tar(tmp_path / "d.tar", [(dev, None)]), tmp_path) == "archive_special_file"
    z = tmp_path / "s.zip"
    with zipfile.ZipFile(z, "w") as zf:
        info = zipfile.ZipInfo("race_counter.py")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(info, "/etc/passwd")
    assert refused_id(z, tmp_path) == "archive_link"


def test_zip_bomb_is_refused_by_its_ratio(tmp_path):
    z = tmp_path / "bomb.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("race_counter.py", b"\0" * (5 * 1024 * 1024))
    assert z.stat().st_size < 50_000
    assert refused_id(z, tmp_path) == "archive_bomb"


def test_caps_on_entries_file_size_and_total(tmp_path, monkeypatch):
    monkeypatch.setattr(archives, "MAX_ENTRIES", 5)
    many = make_tar(tmp_path / "many.tar", [(file_info(f"f{i}.py"), b"x") for i in range(6)])
    assert refused_id(many, tmp_path) == "archive_too_many_entries"
    monkeypatch.setattr(archives, "MAX_FILE_BYTES", 100)
    big = make_tar(tmp_path / "big.tar", [(file_info("big.py"), b"x" * 101)])
    assert refused_id(big, tmp_path) == "archive_file_too_large"
    monkeypatch.setattr(archives, "MAX_TOTAL_BYTES", 150)
    total = make_tar(tmp_path / "total.tar", [(file_info(f"f{i}.py"), b"x" * 60) for i in range(3)])
    assert refused_id(total, tmp_path) == "archive_too_large"


def test_names_that_are_not_utf8_are_refused(tmp_path):
    tar_path = tmp_path / "n.tar"
    with tarfile.open(tar_path, "w", format=tarfile.GNU_FORMAT, encoding="latin-1") as tar:
        info = file_info("caf\xe9.py")
        info.size = 1
        tar.addfile(info, io.BytesIO(b"x"))
    assert refused_id(tar_path, tmp_path) == "archive_name_not_utf8"
    z = tmp_path / "n.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("cafX.py", "x")
    # Latin-1 bytes in the name, without the UTF-8 flag, as old tools write them: neither UTF-8 nor GBK.
    z.write_bytes(z.read_bytes().replace(b"cafX", b"caf\xe9"))
    assert refused_id(z, tmp_path) == "archive_name_unreadable"


def test_utf8_names_are_kept(tmp_path):
    z = tmp_path / "u.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("李雷/race_counter.py", "x = 1\n")
    (tmp_path / "u").mkdir()
    assert extract(z, tmp_path / "u") == ["李雷/race_counter.py"]


def test_empty_and_unreadable_archives_are_refused(tmp_path):
    empty_zip = tmp_path / "empty.zip"
    zipfile.ZipFile(empty_zip, "w").close()
    assert refused_id(empty_zip, tmp_path) == "archive_empty"
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"this is not an archive")
    assert refused_id(junk, tmp_path) == "archive_unreadable"


class GbkName(zipfile.ZipInfo):
    """A member whose name is written as GBK bytes without the UTF-8 flag (zipfile itself would
    write any non-ASCII name as UTF-8 and set the flag)."""

    def __init__(self, name: str):
        super().__init__(name.encode("gbk").decode("cp437"))  # what zipfile reads such a name as

    def _encodeFilenameFlags(self):  # zipfile's own (private) name
        return self.filename.encode("cp437"), self.flag_bits & ~0x800


def gbk_zip(path: Path, files: dict[str, str]) -> Path:
    """A zip as Windows' built-in compressor writes it on a Chinese system: GBK names, no UTF-8 flag."""
    with zipfile.ZipFile(path, "w") as zf:
        for name, text in files.items():
            zf.writestr(GbkName(name), text)
    return path


def test_gbk_names_without_the_utf8_flag_are_read_as_gbk(tmp_path):
    # Regression (issue 22): such a zip was refused whole, its names shown as mojibake.
    z = gbk_zip(tmp_path / "g.zip", {"作业一/race_counter.py": "x = 1\n", "作业一/说明.txt": "见代码"})
    assert "作业一/race_counter.py".encode("gbk") in z.read_bytes()
    with zipfile.ZipFile(z) as zf:
        assert all(not (i.flag_bits & 0x800) for i in zf.infolist())
    (tmp_path / "g").mkdir()
    assert extract(z, tmp_path / "g") == ["作业一/race_counter.py", "作业一/说明.txt"]
    assert (tmp_path / "g" / "作业一" / "说明.txt").read_text() == "见代码"


def test_zip_member_names_try_the_flag_then_utf8_then_gbk():
    name = archives.zip_member_name
    assert name("李雷/a.py", 0x800) == "李雷/a.py"
    assert name("plain/a.py", 0) == "plain/a.py"
    assert name("李雷/a.py".encode().decode("cp437"), 0) == "李雷/a.py"  # UTF-8 without the flag
    assert name("李雷/a.py".encode("gbk").decode("cp437"), 0) == "李雷/a.py"
    with pytest.raises(Refused) as err:
        name(b"caf\xe9.py".decode("cp437"), 0, "x.zip")
    assert err.value.message == {"id": "archive_name_unreadable", "params": {"archive": "x.zip",
                                                                            "file": "caf\\xe9.py"}}


def test_gbk_names_keep_every_safety_rule(tmp_path):
    z = gbk_zip(tmp_path / "up.zip", {"../作业.py": "x = 1\n"})
    assert refused_id(z, tmp_path) == "archive_unsafe_path"
    z = tmp_path / "link.zip"
    with zipfile.ZipFile(z, "w") as zf:
        info = GbkName("链接.py")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(info, "/etc/passwd")
    assert refused_id(z, tmp_path) == "archive_link"
