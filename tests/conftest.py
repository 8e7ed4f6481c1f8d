"""Shared fixtures: a CLI runner with stdout and stderr kept apart, and golden files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from infuse_calc.cli import cli

GOLDEN = Path(__file__).parent / "golden"


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
