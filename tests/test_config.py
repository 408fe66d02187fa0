from __future__ import annotations

import pytest

from grader.host.config import ConfigError, load_config


def test_defaults_lock_the_container_down():
    docker = load_config(None).docker
    assert docker.network_mode == "none" and docker.read_only and docker.pids_limit > 0


def test_overrides_from_yaml(tmp_path):
    path = tmp_path / "grader.yaml"
    path.write_text("docker:\n  mem_limit: 512m\n  pids_limit: 64\n")
    docker = load_config(path).docker
    assert (docker.mem_limit, docker.pids_limit) == ("512m", 64)


@pytest.mark.parametrize("text,named", [
    ("docker:\n  memory: 1g\n", "docker.memory"),
    ("docker:\n  pids_limit: -1\n", "docker.pids_limit"),
    ("docker: [\n", "not valid YAML"),
])
def test_mistakes_name_the_file_and_key(tmp_path, text, named):
    path = tmp_path / "grader.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert str(path) in str(err.value) and named in str(err.value)


def test_a_file_notepad_saved_as_utf16_is_read(tmp_path):
    # Issue 22: Windows Notepad's "Unicode" is UTF-16 with a BOM; it ended in a traceback.
    path = tmp_path / "grader.yaml"
    path.write_bytes("lang: zh\n".encode("utf-16"))
    assert load_config(path).lang == "zh"
    path.write_bytes("\ufefflang: zh\n".encode("utf-8"))
    assert load_config(path).lang == "zh"


def test_a_file_in_no_known_encoding_is_a_settings_problem_not_a_pack_problem(tmp_path):
    from grader.cli import main

    path = tmp_path / "grader.yaml"
    path.write_bytes(b"\xff\x00lang: zh\n")
    with pytest.raises(ConfigError, match="not UTF-8 text"):
        load_config(path)
    assert main(["list", "--config", str(path)]) == 2
