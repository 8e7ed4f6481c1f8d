"""Shell completion through click's own mechanism, for bash, zsh and fish.

The scripts come from ``_INFUSE_CALC_COMPLETE=<shell>_source infuse-calc``; completions run
through :meth:`infuse_calc.cli.InfuseGroup.main` (which overrides click's) and the lazy
command registry.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from infuse_calc.cli import COMMANDS, cli
from infuse_calc.cli.params import (
    COMMON_CONCENTRATION_UNITS,
    COMMON_RATE_UNITS,
    COMMON_WEIGHT_UNITS,
    complete_units,
)
from infuse_calc.quantities import parse_concentration, parse_dose, parse_weight

SHELLS = ("bash", "zsh", "fish")
SCRIPT_DIR = Path(sys.executable).parent


def source(shell: str) -> str:
    result = CliRunner().invoke(
        cli, [], prog_name="infuse-calc", env={"_INFUSE_CALC_COMPLETE": f"{shell}_source"}
    )
    assert result.exit_code == 0, result.output
    return result.stdout


def complete(words: str | list[str], env: dict[str, str] | None = None) -> list[str]:
    """What bash would be offered after ``words`` (the last word is being completed).

    A list gives the words as bash holds them: ``'"10 mg/'`` is one word still being typed.
    """
    parts = words.split(" ") if isinstance(words, str) else words
    words = " ".join(parts)
    result = CliRunner().invoke(
        cli,
        [],
        prog_name="infuse-calc",
        env={
            "_INFUSE_CALC_COMPLETE": "bash_complete",
            "COMP_WORDS": words,
            "COMP_CWORD": str(len(parts) - 1),
            **(env or {}),
        },
    )
    assert result.exit_code == 0, result.output
    return [line.split(",", 1)[1] for line in result.stdout.splitlines()]


@pytest.mark.parametrize("shell", SHELLS)
def test_scripts_are_generated(shell: str) -> None:
    script = source(shell)
    assert "_INFUSE_CALC_COMPLETE" in script
    marker = {"bash": "complete -o nosort -F", "zsh": "compdef", "fish": "complete --no-files"}
    assert marker[shell] in script


def test_bash_script_parses_and_registers(tmp_path: Path) -> None:
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("bash is not installed")
    script = tmp_path / "infuse-calc.bash"
    script.write_text(source("bash"), encoding="utf-8")
    subprocess.run([bash, "-n", str(script)], check=True)
    shown = subprocess.run(
        [bash, "-c", f"source {script} && complete -p infuse-calc"],
        check=True,
        capture_output=True,
        text=True,
    )
    assert shown.stdout.strip().endswith("_infuse_calc_completion infuse-calc")
    assert shown.stderr == ""


@pytest.mark.parametrize("shell", ["zsh", "fish"])
def test_other_shells_parse_the_script(shell: str, tmp_path: Path) -> None:
    program = shutil.which(shell)
    if program is None:
        pytest.skip(f"{shell} is not installed")
    script = tmp_path / f"infuse-calc.{shell}"
    script.write_text(source(shell), encoding="utf-8")
    subprocess.run([program, "-n", str(script)], check=True)


def test_zsh_registers_the_completion(tmp_path: Path) -> None:
    zsh = shutil.which("zsh")
    if zsh is None:
        pytest.skip("zsh is not installed")
    script = tmp_path / "infuse-calc.zsh"
    script.write_text(source("zsh"), encoding="utf-8")
    program = f"autoload -Uz compinit && compinit -u -d {tmp_path}/zcompdump && source {script}"
    done = subprocess.run(
        [zsh, "-f", "-c", f"{program} && print -r -- ${{_comps[infuse-calc]}}"],
        check=True,
        capture_output=True,
        text=True,
    )
    assert done.stdout == "_infuse_calc_completion\n"


def test_fish_completes_for_real_through_the_installed_script(tmp_path: Path) -> None:
    fish = shutil.which("fish")
    if fish is None or not (SCRIPT_DIR / "infuse-calc").exists():
        pytest.skip("needs fish and the installed infuse-calc script")
    script = tmp_path / "infuse-calc.fish"
    script.write_text(source("fish"), encoding="utf-8")
    env = {
        **os.environ,
        "PATH": f"{SCRIPT_DIR}{os.pathsep}{os.environ['PATH']}",
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path),
        "XDG_DATA_HOME": str(tmp_path),
    }
    done = subprocess.run(
        [fish, "--no-config", "-c", f"source {script}; complete -C 'infuse-calc convert 7 -w 72'"],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    )
    assert sorted(done.stdout.splitlines()) == ["72 g", "72 kg", "72 lb"]  # fish sorts


def test_bash_completes_for_real_through_the_installed_script(tmp_path: Path) -> None:
    """bash calls the installed ``infuse-calc`` exactly as it would at a prompt."""
    bash = shutil.which("bash")
    if bash is None or not (SCRIPT_DIR / "infuse-calc").exists():
        pytest.skip("needs bash and the installed infuse-calc script")
    script = tmp_path / "infuse-calc.bash"
    script.write_text(source("bash"), encoding="utf-8")
    program = (
        f"source {script}\n"
        "COMP_WORDS=(infuse-calc convert 7 --format j); COMP_CWORD=4\n"
        "_infuse_calc_completion infuse-calc\n"
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    env = {**os.environ, "PATH": f"{SCRIPT_DIR}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(
        [bash, "-c", program], check=True, capture_output=True, text=True, env=env
    )
    assert done.stdout == "json\n"


def test_commands_complete_from_the_registry() -> None:
    assert complete("infuse-calc ") == list(COMMANDS)
    assert complete("infuse-calc conv") == ["convert"]


@pytest.mark.parametrize("name", list(COMMANDS))
def test_every_commands_options_complete(name: str) -> None:
    """Lazy loading: each command's long options complete though --help loads none."""
    command = cli.get_command(None, name)  # type: ignore[arg-type]
    assert command is not None
    offered = complete(f"infuse-calc {name} --")
    longs = {
        flag
        for param in command.params
        for flag in [*param.opts, *getattr(param, "secondary_opts", [])]
        if flag.startswith("--")
    }
    assert longs <= set(offered)
    assert "--help" in offered


def test_formats_and_units_complete() -> None:
    assert complete("infuse-calc convert 7 --format ") == ["table", "plain", "csv", "json"]
    assert complete("infuse-calc convert 7 --dose-unit mcg/kg") == ["mcg/kg/min", "mcg/kg/h"]
    assert complete("infuse-calc convert 7 -w 72") == ["72 kg", "72 lb", "72 g"]
    assert complete("infuse-calc convert 7 -w 72l") == ["72 lb"]
    assert complete("infuse-calc convert 7 -c 10")[:3] == ["10 mg/mL", "10 mcg/mL", "10 units/mL"]
    assert complete(["infuse-calc", "convert", "0.5", "-c", '"10 mg/']) == [
        "10 mg/mL",
        "10 mg/50 mL",
        "10 mg/100 mL",
        "10 mg/250 mL",
    ]


def test_no_number_no_unit_guess() -> None:
    assert complete_units("", COMMON_WEIGHT_UNITS) == []
    assert complete_units("kg", COMMON_WEIGHT_UNITS) == []
    assert complete_units(".5", COMMON_WEIGHT_UNITS) == []


def test_every_offered_value_parses_without_warning() -> None:
    """A completion must never offer something the parser refuses or warns about."""
    for unit in COMMON_RATE_UNITS:
        assert parse_dose(f"7 {unit}").warnings == ()
    for unit in COMMON_WEIGHT_UNITS:
        # 72 kg, 72 lb = 32.66 kg, 850 g = 0.85 kg: all inside 0.1 to 650 kg
        assert parse_weight(f"{850 if unit == 'g' else 72} {unit}").warnings == ()
    for unit in COMMON_CONCENTRATION_UNITS:
        assert parse_concentration(f"1 {unit}").warnings == ()


def test_completion_survives_a_broken_config(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[defaults]\nformat = 'xml'\n", encoding="utf-8")
    assert complete("infuse-calc conv", {"INFUSE_CALC_CONFIG": str(path)}) == ["convert"]
    path.write_text("[defaults\n", encoding="utf-8")
    assert complete("infuse-calc convert 7 --format c", {"INFUSE_CALC_CONFIG": str(path)}) == [
        "csv"
    ]


@settings(max_examples=100)
@given(
    number=st.decimals(min_value=0, max_value=10_000, places=3, allow_nan=False),
    unit=st.sampled_from(COMMON_CONCENTRATION_UNITS),
    cut=st.integers(min_value=0, max_value=12),
    space=st.booleans(),
)
def test_a_typed_unit_prefix_keeps_its_unit(
    number: Decimal, unit: str, cut: int, space: bool
) -> None:
    """Whatever part of a unit is typed, that unit is offered and nothing that differs."""
    typed = f"{number:f}{' ' if space else ''}{unit[:cut]}"
    offered = [item.value for item in complete_units(typed, COMMON_CONCENTRATION_UNITS)]
    assert f"{number:f} {unit}" in offered
    assert all(value.startswith(f"{number:f} {unit[:cut]}") for value in offered)


def test_main_passes_a_custom_complete_var(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """InfuseGroup.main overrides click's; complete_var must still reach click."""
    monkeypatch.setenv("_MY_COMPLETE", "bash_source")
    with pytest.raises(SystemExit) as stopped:
        cli.main(args=[], prog_name="infuse-calc", complete_var="_MY_COMPLETE")
    assert stopped.value.code == 0
    assert "_MY_COMPLETE=bash_complete" in capsys.readouterr().out
