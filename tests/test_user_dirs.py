"""The user's directories are platformdirs' (worked out without importing it on Linux), and
a run decides whether any setting can apply without loading the config machinery."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import platformdirs
import pytest

from infuse_calc import user_dirs
from infuse_calc.cli import _settings_may_apply

# (HOME, XDG_CONFIG_HOME, XDG_CACHE_HOME); None: unset
ENVIRONMENTS = [
    ("/home/ana", None, None),
    ("/home/ana/", None, None),
    ("/", None, None),
    ("/home/ana", "/srv/conf", "/srv/cache"),
    ("/home/ana", "/srv/conf/", "/srv/cache/"),
    ("/home/ana", "", ""),
    ("/home/ana", "relative/conf", "relative/cache"),  # the XDG spec ignores relative paths
    ("/home/ana", "~/conf", "~/cache"),
    ("relative-home", "/srv/conf", None),  # platformdirs answers (password file)
    (None, "/srv/conf", "/srv/cache"),
]


@pytest.mark.parametrize(("home", "config", "cache"), ENVIRONMENTS)
def test_directories_are_platformdirs_own(
    monkeypatch: pytest.MonkeyPatch, home: str | None, config: str | None, cache: str | None
) -> None:
    for name, value in (("HOME", home), ("XDG_CONFIG_HOME", config), ("XDG_CACHE_HOME", cache)):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    assert user_dirs.user_config_dir() == platformdirs.user_config_dir("infuse-calc")
    assert user_dirs.user_cache_dir() == platformdirs.user_cache_dir("infuse-calc")


@pytest.mark.skipif(sys.platform != "linux", reason="the XDG rule is Linux's")
def test_the_linux_answer_by_hand(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", "/home/ana")
    monkeypatch.delenv("XDG_CONFIG_HOME")
    monkeypatch.setenv("XDG_CACHE_HOME", "/srv/cache")
    assert user_dirs.user_config_dir() == "/home/ana/.config/infuse-calc"
    assert user_dirs.user_cache_dir() == "/srv/cache/infuse-calc"


def test_the_config_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "conf"))
    monkeypatch.setenv("INFUSE_CALC_CONFIG", "~/other.toml")
    assert user_dirs.config_file() == str(tmp_path / "other.toml")
    monkeypatch.delenv("INFUSE_CALC_CONFIG")
    expected = Path(platformdirs.user_config_dir("infuse-calc")) / "config.toml"
    assert user_dirs.config_file() == str(expected)
    assert user_dirs.config_file({"INFUSE_CALC_CONFIG": "/x/y.toml"}) == "/x/y.toml"


# --- whether a setting can apply ------------------------------------------------------------


@pytest.fixture
def bare(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No INFUSE_CALC_* variable but the factor cache's; the config file would be
    <tmp>/conf/infuse-calc/config.toml."""
    for name in list(os.environ):
        if name.startswith("INFUSE_CALC_") and name != "INFUSE_CALC_CACHE_DIR":
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "conf"))
    return tmp_path / "conf" / "infuse-calc" / "config.toml"


def test_nothing_can_apply_without_a_file_or_variable(bare: Path) -> None:
    assert not _settings_may_apply()


def test_a_config_file_can_apply(bare: Path) -> None:
    bare.parent.mkdir(parents=True)
    bare.write_text("", encoding="utf-8")
    assert _settings_may_apply()


def test_a_config_file_that_cannot_be_read_is_reported(bare: Path) -> None:
    bare.mkdir(parents=True)  # a directory where the file should be
    assert _settings_may_apply()


@pytest.mark.parametrize("name", ["INFUSE_CALC_PUMP_RESOLUTION", "INFUSE_CALC_CONVERT_FORMAT"])
def test_a_variable_can_apply(bare: Path, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    monkeypatch.setenv(name, "")  # even empty: the config layer decides what empty means
    assert _settings_may_apply()


def test_the_variables_that_name_files_are_not_settings(
    bare: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("INFUSE_CALC_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("INFUSE_CALC_CONFIG", str(tmp_path / "missing.toml"))
    assert not _settings_may_apply()
    (tmp_path / "missing.toml").write_text("", encoding="utf-8")
    assert _settings_may_apply()


def test_a_config_file_in_the_user_config_directory_applies(bare: Path, run: Any) -> None:
    args = ["convert", "7 mcg/kg/min", "-w", "72", "-c", "10 mg/mL", "--format", "json"]
    # 7 x 72 x 60 / 1000 / 10 = 3.024 mL/h: 3 mL/h at 0.1 mL/h steps, 3.02 at 0.01
    assert json.loads(run(*args).stdout)["pump_rate_rounded"]["value"] == 3.0
    bare.parent.mkdir(parents=True)
    bare.write_text('[convert]\npump_resolution = "0.01"\n', encoding="utf-8")
    document = json.loads(run(*args).stdout)
    assert document["pump_resolution"]["value"] == 0.01
    assert document["pump_rate_rounded"]["value"] == 3.02
