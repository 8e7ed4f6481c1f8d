"""Shared fixtures: a CLI runner with stdout and stderr kept apart, and golden files."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from infuse_calc.cli import cli

GOLDEN = Path(__file__).parent / "golden"


@pytest.fixture(autouse=True)
def _no_user_settings(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The developer's own config file and INFUSE_CALC_* variables never reach a test."""
    for name in list(os.environ):
        if name.startswith("INFUSE_CALC_"):
            monkeypatch.delenv(name)
    missing = tmp_path_factory.getbasetemp() / "no-config" / "config.toml"
    monkeypatch.setenv("INFUSE_CALC_CONFIG", str(missing))
    # nor their drug library (drug-library.toml in the user config directory)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.getbasetemp() / "no-config"))


@pytest.fixture(autouse=True)
def factor_cache_dir(
    _no_user_settings: None,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Path]:
    """Every test (and every process it starts) gets a fresh, empty factor cache directory:
    tests never read or write the user's cache, which other runs on the machine share."""
    from infuse_calc import factor_cache

    directory = tmp_path_factory.mktemp("factor-cache")
    monkeypatch.setenv(factor_cache.ENV_VAR, str(directory))
    # and for a process started without INFUSE_CALC_* variables: the user cache directory
    monkeypatch.setenv("XDG_CACHE_HOME", str(directory / "xdg"))
    factor_cache.reset()
    yield directory
    factor_cache.reset()


@pytest.fixture
def run() -> object:
    """``run(*args)`` invokes the CLI in-process; the result has .stdout and .stderr."""

    def invoke(*args: str, input: str | None = None) -> Result:
        runner = CliRunner()
        return runner.invoke(cli, list(args), input=input, env={"COLUMNS": "100"})

    return invoke


def check_golden(name: str, actual: str) -> None:
    """Compare with tests/golden/<name>; ``UPDATE_GOLDEN=1`` rewrites the file instead."""
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(actual, encoding="utf-8")
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, f"output differs from {path}"
