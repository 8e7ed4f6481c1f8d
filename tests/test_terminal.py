"""Fitting the terminal: ``python -m``, colour switches, thousands separators, help examples."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from infuse_calc import __version__, notation
from infuse_calc.cli import COMMANDS, cli

ESCAPE = "\x1b["
CASE = ["convert", "7000 mcg/kg/min", "-w", "72", "-c", "1 mg/mL"]
# 7,000 mcg/kg/min x 72 kg = 504,000 mcg/min = 30,240 mg/h; at 1 mg/mL that is 30,240 mL/h.


def invoke(*args: str, env: dict[str, str | None] | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), env={"COLUMNS": "100", **(env or {})})


def python_m(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("INFUSE_CALC_")}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-m", "infuse_calc", *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
        check=False,
    )


# --- python -m infuse_calc -------------------------------------------------------------------


def test_python_m_version() -> None:
    done = python_m("--version")
    assert (done.returncode, done.stdout) == (0, f"infuse-calc, version {__version__}\n")


def test_python_m_calculates_like_the_script(tmp_path: Path) -> None:
    done = python_m(
        "convert",
        "7 mcg/kg/min",
        "-w",
        "72",
        "-c",
        "10 mg/mL",
        "--format",
        "plain",
        INFUSE_CALC_CONFIG=str(tmp_path / "none.toml"),
    )
    assert done.returncode == 0, done.stderr
    same = invoke("convert", "7 mcg/kg/min", "-w", "72", "-c", "10 mg/mL", "--format", "plain")
    assert done.stdout == same.stdout
    # 7 mcg/kg/min x 72 kg = 504 mcg/min = 30.24 mg/h; / 10 mg/mL = 3.024 mL/h
    assert "Exact rate      3.024 mL/h (calculated: not a pump setting)\n" in done.stdout


def test_python_m_bad_input_is_one_line_exit_2(tmp_path: Path) -> None:
    done = python_m(
        "convert", "7 mcg/kg/min", "-w", "-72", INFUSE_CALC_CONFIG=str(tmp_path / "none.toml")
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith("Error: ")
    assert done.stderr.count("\n") == 1
    assert "Traceback" not in done.stderr


def test_python_m_usage_error_names_the_program(tmp_path: Path) -> None:
    done = python_m("frobnicate", INFUSE_CALC_CONFIG=str(tmp_path / "none.toml"))
    assert done.returncode == 2
    assert done.stderr == "Error: No such command 'frobnicate'.\n"


def test_python_m_broken_config_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[defaults]\nformat = \n", encoding="utf-8")
    done = python_m("convert", "7 mcg/kg/min", INFUSE_CALC_CONFIG=str(path))
    assert done.returncode == 2
    assert done.stderr.startswith(f"Error: config file {path}: ")
    assert "(at line 2, column " in done.stderr
    assert done.stderr.count("\n") == 1


def test_python_m_completion(tmp_path: Path) -> None:
    done = python_m(
        _INFUSE_CALC_COMPLETE="bash_complete",
        COMP_WORDS="infuse-calc conv",
        COMP_CWORD="1",
        INFUSE_CALC_CONFIG=str(tmp_path / "none.toml"),
    )
    assert (done.returncode, done.stdout) == (0, "plain,convert\n")


def test_help_loads_no_heavy_module_even_with_a_config_file(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[defaults]\nformat = 'plain'\n[convert]\nexplain = true\n", "utf-8")
    code = (
        "import sys\n"
        "from infuse_calc.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('pint', 'rich') if m in sys.modules))\n"
    )
    env = {**os.environ, "INFUSE_CALC_CONFIG": str(path)}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert done.stdout.splitlines()[-1] == "[]"


# --- thousands separators --------------------------------------------------------------------


def test_separators_on_by_default() -> None:
    out = invoke(*CASE, "--format", "plain").stdout
    assert "Set pump to     30,240 mL/h (exact)\n" in out


def test_no_thousands_separator_option() -> None:
    out = invoke("--no-thousands-separator", *CASE, "--format", "plain").stdout
    assert "Set pump to     30240 mL/h (exact)\n" in out
    assert "," not in out
    # the process default is back afterwards (CliRunner runs in this process)
    assert notation.THOUSANDS_SEPARATORS is True
    assert notation.format_number(30240) == "30,240"


def test_separator_from_file_env_option(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "config.toml"
    monkeypatch.setenv("INFUSE_CALC_CONFIG", str(path))
    path.write_text("[defaults]\nthousands_separator = false\n", encoding="utf-8")
    assert "30240 mL/h" in invoke(*CASE, "--format", "plain").stdout
    monkeypatch.setenv("INFUSE_CALC_THOUSANDS_SEPARATOR", "true")
    assert "30,240 mL/h" in invoke(*CASE, "--format", "plain").stdout
    out = invoke("--no-thousands-separator", *CASE, "--format", "plain").stdout
    assert "30240 mL/h" in out


def test_separator_off_leaves_machine_output_alone() -> None:
    on = json.loads(invoke(*CASE, "--format", "json").stdout)
    off = json.loads(invoke("--no-thousands-separator", *CASE, "--format", "json").stdout)
    # Only the warnings (human sentences) differ; every figure is the same full-precision float.
    assert on.pop("warnings") != off.pop("warnings")
    assert on == off
    assert on["pump_rate"] == {"value": 30240.0, "unit": "mL/h"}


def test_separator_off_applies_to_warnings_too() -> None:
    result = invoke("--no-thousands-separator", *CASE, "--format", "plain")
    assert "30240 mL/h" in result.stderr


# --- NO_COLOR / FORCE_COLOR ------------------------------------------------------------------


def test_table_piped_has_no_escapes() -> None:
    out = invoke(*CASE, "--format", "table").stdout
    assert ESCAPE not in out
    assert "30,240 mL/h" in out


def test_force_color_colours_a_piped_table() -> None:
    out = invoke(*CASE, "--format", "table", env={"FORCE_COLOR": "1"}).stdout
    assert ESCAPE in out


@pytest.mark.parametrize("force", [None, "1"])
def test_no_color_means_no_escapes_at_all(force: str | None) -> None:
    out = invoke(*CASE, "--format", "table", env={"NO_COLOR": "1", "FORCE_COLOR": force}).stdout
    assert ESCAPE not in out
    assert "30,240 mL/h" in out


def test_colour_never_reaches_plain_or_machine_output() -> None:
    for fmt in ("plain", "csv", "json"):
        out = invoke(*CASE, "--format", fmt, env={"FORCE_COLOR": "1"}).stdout
        assert ESCAPE not in out


# --- help ------------------------------------------------------------------------------------


def _paths() -> list[list[str]]:
    paths: list[list[str]] = [[]]
    for name in COMMANDS:
        paths.append([name])
        command = cli.get_command(None, name)  # type: ignore[arg-type]
        if isinstance(command, click.Group):
            paths.extend([name, sub] for sub in command.commands)
    return paths


@pytest.mark.parametrize("path", _paths(), ids=lambda p: " ".join(p) or "infuse-calc")
def test_help_ends_with_real_examples(path: list[str]) -> None:
    result = invoke(*path, "--help")
    assert result.exit_code == 0, result.output
    after = result.stdout.split("Examples:", 1)
    assert len(after) == 2, "no Examples: section"
    examples = re.findall(r"^\s+(infuse-calc .*)$", after[1], flags=re.MULTILINE)
    assert len(examples) >= 2
    for example in examples:
        assert example.startswith("infuse-calc ")
        assert not path or path[0] in example.split()
