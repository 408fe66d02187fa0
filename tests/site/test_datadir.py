"""The data folder on first start: made, with a secret key only its owner can read; the first
teacher's one-time link, until the teacher has signed in."""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys

import pytest

from grader.site import datadir, serve


def test_the_first_start_makes_the_folder_and_a_private_secret_key(tmp_path):
    data = datadir.prepare(tmp_path / "new" / "course")
    key = data / "secret_key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600 and len(key.read_text().strip()) >= 50
    before = key.read_text()
    key.chmod(0o644)  # loosened by hand: tightened again, and never replaced
    datadir.prepare(data)
    assert stat.S_IMODE(key.stat().st_mode) == 0o600 and key.read_text() == before
    assert list((data / "locale").rglob("django.mo"))  # the catalogs, compiled


def test_a_file_is_not_a_data_folder(tmp_path):
    (tmp_path / "course").write_text("x")
    with pytest.raises(datadir.DataFolderError, match="is a file"):
        datadir.prepare(tmp_path / "course")


@pytest.mark.django_db
def test_the_first_teachers_link_until_the_teacher_signs_in(client):
    from grader.site.people.models import Person

    link = serve.first_teacher_link("http://127.0.0.1:8000")
    assert link and link.startswith("http://127.0.0.1:8000/people/sign-in/")
    second = serve.first_teacher_link("http://127.0.0.1:8000")  # a restart before signing in: a new link
    assert second != link and Person.objects.filter(role="teacher").count() == 1
    path = second.removeprefix("http://127.0.0.1:8000")
    assert client.get(link.removeprefix("http://127.0.0.1:8000")).status_code == 404  # the old one is spent
    assert client.post(path).status_code == 302
    assert serve.first_teacher_link("http://127.0.0.1:8000") is None


def _grader(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("GRADER_DATA", "GRADER_DB", "GRADER_BROKER")}
    return subprocess.run([sys.executable, "-m", "grader.cli", *args], capture_output=True, text=True, timeout=120,
                          env=env)


def test_a_mistyped_data_folder_is_not_taken_for_an_empty_site(tmp_path):
    for command in (["site", "status"], ["worker"]):
        done = _grader(*command, "--data", str(tmp_path / "typo"))
        assert done.returncode == 2 and "No course site in" in done.stdout, done.stdout + done.stderr
    assert not (tmp_path / "typo").exists()


def test_serve_says_what_is_wrong_with_its_folder_or_port(tmp_path):
    (tmp_path / "file").write_text("x")
    done = _grader("serve", "--data", str(tmp_path / "file"))
    assert done.returncode == 2 and "is a file, not a folder" in done.stdout and "Traceback" not in done.stderr
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = _grader("serve", "--data", str(tmp_path / "site"), "--port", str(port))
    assert done.returncode == 2 and f"Cannot listen on 127.0.0.1:{port}" in done.stdout, done.stdout + done.stderr
