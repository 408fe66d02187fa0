"""Grader settings: the container sandbox's limits, each overridable from a YAML file.

    grader grade ... --config grader.yaml

    lang: zh          # the reports' language when --lang is not given (en, zh)
    hidden_details: hint   # what students see of a hidden check that failed: result, hint or full
    exercises: /srv/my-packs   # a folder of exercise packs (default: this checkout's exercises/)
    docker:
      mem_limit: 1g
      pids_limit: 256

Unknown keys are refused with the file and key named, like exercise packs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .messages import MessageError
from .packs import PackError


class ConfigError(MessageError, PackError):
    """A settings file is wrong; the message names the file and the key, in the teacher's language."""


class DockerSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    image: str | None = Field(None, description="an image to use as is; default: the grader's own, built on first use")
    base: Literal["auto", "registry", "registry-free"] = Field(
        "auto", description="the image's base when it is built on first use; auto: registry, else Debian packages")
    network_mode: str = "none"
    mem_limit: str = "1g"  # memswap_limit is set to the same value: no swap
    nano_cpus: int = Field(2_000_000_000, gt=0, description="CPU quota in billionths of a CPU")
    pids_limit: int = Field(256, gt=16, description="processes and threads in the container, judge included")
    judges_at_once: int = Field(2, ge=1, le=4, description="exercises judged side by side in one container, "
                                "each as its own student user (an exercise that ran beside a limit being hit "
                                "is judged again alone)")
    tmpfs_size: str = "64m"
    read_only: bool = True
    nofile: int = Field(1024, gt=64)
    fsize_bytes: int = Field(64 * 1024**2, gt=0)
    log_max_size: str = "1m"
    startup_seconds: float = Field(30.0, gt=0, description="wall-clock allowance on top of the exercises' limits")
    wall_seconds: float | None = Field(None, gt=0, description="the whole container's wall clock; default: "
                                       "the exercises' time limits added up, plus startup_seconds")


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    lang: Literal["en", "zh"] = Field("en", description="the language of reports when --lang is not given")
    exercises: Path | None = Field(None, description="a folder of exercise packs, when --exercises is not given")
    hidden_details: Literal["result", "hint", "full"] = Field(
        "hint", description="what a student's report shows of a hidden check that did not pass: result (its "
        "name and that it failed), hint (also its author's hint) or full (also its message, stuck lines and "
        "interleaving); the teacher's record and dashboard always have everything")
    docker: DockerSettings = DockerSettings()


def load_config(path: Path | None) -> Settings:
    if path is None:
        return Settings()
    try:
        data = yaml.safe_load(_text(Path(path).read_bytes(), path)) or {}
    except OSError as exc:
        raise ConfigError("config_unreadable", path=str(path), reason=exc.strerror or str(exc)) from exc
    except yaml.YAMLError as exc:
        raise ConfigError("config_not_yaml", path=str(path), detail=str(exc)) from exc
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        raise ConfigError("config_invalid", path=str(path), problems=problems) from exc


def _text(raw: bytes, path: Path) -> str:
    """The file's text: UTF-8 (a BOM allowed), or UTF-16 with its BOM, as Windows Notepad saves it."""
    try:
        if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
            return raw.decode("utf-16")
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError("config_not_utf8", path=str(path), byte=exc.start) from exc
