"""The user config file, INFUSE_CALC_* variables and their precedence (file < env < option)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from hypothesis import given, settings
from hypothesis import strategies as st

from infuse_calc.cli import COMMANDS, cli
from infuse_calc.config import (
    DEFAULT_KEYS,
    ConfigError,
    ConfigFile,
    Source,
    check_command_keys,
    env_name,
    option_key,
    parse_config,
    resolve,
)
from tests.conftest import check_golden

# The worked case: 70 mcg/kg/min x 72 kg = 5,040 mcg/min = 302.4 mg/h; at 1 mg/mL the pump
# runs 302.4 mL/h. Its pump setting shows which resolution won:
#   0.1 -> 302.4, 0.25 -> 302.5 (302.4 / 0.25 = 1209.6 steps -> 1210 x 0.25),
#   0.5 -> 302.5, 1 -> 302, 0.2 -> 302.4 (1512 steps exactly), 0.01 -> 302.4.
CASE = ["convert", "70 mcg/kg/min", "-w", "72", "-c", "1 mg/mL", "--format", "json"]


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), env={"COLUMNS": "100"})


@pytest.fixture
def config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A config file that INFUSE_CALC_CONFIG points at (write its text in the test)."""
    path = tmp_path / "config.toml"
    monkeypatch.setenv("INFUSE_CALC_CONFIG", str(path))
    return path


def resolution(*extra: str) -> tuple[float, float]:
    """(pump resolution used, rounded pump rate) of the worked case."""
    result = invoke(*CASE, *extra)
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    return document["pump_resolution"]["value"], document["pump_rate_rounded"]["value"]


# --- core: parsing ---------------------------------------------------------------------------


def test_parse_defaults_and_command_tables() -> None:
    text = (
        "[defaults]\nformat = 'plain'\npump_resolution = 0.01\ndrop_factor = 20\n"
        "thousands_separator = false\nlibrary = '~/lib.toml'\n"
        "[convert]\npump_resolution = '1'\nexplain = true\n"
    )
    config = parse_config(text, "/x/config.toml", ["convert"])
    # Numbers become text, read later by the option's exact parser: 0.01 stays "0.01".
    assert config.defaults == {
        "format": "plain",
        "pump_resolution": "0.01",
        "drop_factor": "20",
        "thousands_separator": False,
        "library": "~/lib.toml",
    }
    assert config.commands == {"convert": {"pump_resolution": "1", "explain": True}}


def test_empty_file_is_no_settings() -> None:
    assert parse_config("", "c.toml", ["convert"]) == ConfigFile("c.toml")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[defaults]\nformat = \n", "config file /x/c.toml: Invalid value (at line 2, column 10)"),
        ("[defaults\n", "config file /x/c.toml: Expected ']' at the end of a table declaration"),
        (
            "[defaults]\nfromat = 'json'\n",
            "config file /x/c.toml: unknown key 'fromat' in [defaults] (known keys: format, "
            "pump_resolution, pump_max, daily_volume_max, drop_factor, lb_per_kg, library, "
            "thousands_separator)",
        ),
        (
            "[conver]\nformat = 'json'\n",
            "config file /x/c.toml: unknown table [conver] (expected [defaults] or a command: "
            "convert)",
        ),
        (
            "format = 'json'\n",
            "config file /x/c.toml: key 'format' must be inside a table such as [defaults]",
        ),
        (
            "[defaults]\nthousands_separator = 'no'\n",
            "config file /x/c.toml: [defaults] thousands_separator = 'no': expected true or false",
        ),
        (
            "[defaults]\npump_resolution = true\n",
            "config file /x/c.toml: [defaults] pump_resolution = True: expected a string or a "
            "number",
        ),
        (
            "[defaults]\nformat = 1\n",
            "config file /x/c.toml: [defaults] format = 1: expected a string",
        ),
        (
            "[convert]\nweight = [72]\n",
            "config file /x/c.toml: [convert] weight = [72]: expected a string or a number or "
            "true or false",
        ),
    ],
)
def test_bad_files_are_refused_naming_file_and_place(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(text, "/x/c.toml", ["convert"])
    assert str(caught.value).startswith(message)
    assert caught.value.exit_code == 2


def test_unknown_key_in_a_command_table() -> None:
    config = parse_config("[convert]\nfromat = 'json'\n", "c.toml", ["convert"])
    with pytest.raises(ConfigError, match=r"unknown key 'fromat' in \[convert\] \(options of "):
        check_command_keys(config, "convert", ["format", "weight"])
    check_command_keys(config, "check", [])  # no [check] table: nothing to refuse


def test_names() -> None:
    assert env_name("convert", "pump_resolution") == "INFUSE_CALC_CONVERT_PUMP_RESOLUTION"
    assert env_name("config", "show", "format") == "INFUSE_CALC_CONFIG_SHOW_FORMAT"
    assert option_key("--pump-resolution") == "pump_resolution"


# --- core: precedence ------------------------------------------------------------------------

FILE = ConfigFile(
    "c.toml",
    defaults={"pump_resolution": "0.01", "format": "csv"},
    commands={"convert": {"pump_resolution": "0.5"}},
)


def test_resolve_layers_in_order() -> None:
    env: dict[str, str] = {}
    # [defaults] alone, for a command without its own table
    assert resolve("pump_resolution", ("titrate",), FILE, env) is not None
    assert resolve("pump_resolution", ("titrate",), FILE, env).value == "0.01"  # type: ignore[union-attr]
    # [convert] beats [defaults]
    setting = resolve("pump_resolution", ("convert",), FILE, env)
    assert setting is not None
    assert (setting.value, setting.source) == ("0.5", Source("file", "c.toml [convert]"))
    # the global variable beats both tables
    env["INFUSE_CALC_PUMP_RESOLUTION"] = "0.2"
    setting = resolve("pump_resolution", ("convert",), FILE, env)
    assert setting is not None
    assert (setting.value, str(setting.source)) == ("0.2", "env: INFUSE_CALC_PUMP_RESOLUTION")
    # the command's own variable beats the global one
    env["INFUSE_CALC_CONVERT_PUMP_RESOLUTION"] = "0.25"
    setting = resolve("pump_resolution", ("convert",), FILE, env)
    assert setting is not None
    assert setting.value == "0.25"
    # an empty variable counts as unset, as in click
    env["INFUSE_CALC_CONVERT_PUMP_RESOLUTION"] = ""
    assert resolve("pump_resolution", ("convert",), FILE, env).value == "0.2"  # type: ignore[union-attr]


def test_resolve_nothing_set() -> None:
    assert resolve("pump_resolution", ("convert",), None, {}) is None
    # a command option that is not a [defaults] key has no global variable
    assert resolve("weight", ("convert",), None, {"INFUSE_CALC_WEIGHT": "72"}) is None
    assert resolve("weight", ("convert",), None, {"INFUSE_CALC_CONVERT_WEIGHT": "72"}) is not None


@settings(max_examples=60)
@given(
    present=st.lists(st.booleans(), min_size=4, max_size=4),
)
def test_resolve_strongest_present_layer_wins(present: list[bool]) -> None:
    """Whatever subset of the four layers is set, the strongest one set wins."""
    layers = ["defaults", "table", "env", "command-env"]
    config = ConfigFile(
        "c.toml",
        defaults={"format": "defaults"} if present[0] else {},
        commands={"convert": {"format": "table"}} if present[1] else {},
    )
    env = {}
    if present[2]:
        env["INFUSE_CALC_FORMAT"] = "env"
    if present[3]:
        env["INFUSE_CALC_CONVERT_FORMAT"] = "command-env"
    setting = resolve("format", ("convert",), config, env)
    expected = [name for name, on in zip(layers, present, strict=True) if on]
    if not expected:
        assert setting is None
    else:
        assert setting is not None
        assert setting.value == expected[-1]


# --- CLI: precedence file < env < option -----------------------------------------------------


def test_built_in_default_without_file() -> None:
    assert resolution() == (0.1, 302.4)


def test_file_env_option_precedence(config_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config_file.write_text("[defaults]\npump_resolution = '1'\n", encoding="utf-8")
    assert resolution() == (1.0, 302.0)  # [defaults]: 302.4 -> 302 at 1 mL/h steps
    config_file.write_text(
        "[defaults]\npump_resolution = '1'\n[convert]\npump_resolution = 0.5\n", encoding="utf-8"
    )
    assert resolution() == (0.5, 302.5)  # [convert] beats [defaults]
    monkeypatch.setenv("INFUSE_CALC_PUMP_RESOLUTION", "1")
    assert resolution() == (1.0, 302.0)  # global variable beats the file
    monkeypatch.setenv("INFUSE_CALC_CONVERT_PUMP_RESOLUTION", "0.25")
    assert resolution() == (0.25, 302.5)  # the command's own variable beats the global one
    assert resolution("--pump-resolution", "1") == (1.0, 302.0)  # the option beats all


def test_format_from_file_env_option(config_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    args = ["convert", "7 mcg/kg/min", "-w", "72"]
    config_file.write_text("[defaults]\nformat = 'json'\n", encoding="utf-8")
    assert json.loads(invoke(*args).stdout)["per_hour"] == {"value": 30.24, "unit": "mg/h"}
    monkeypatch.setenv("INFUSE_CALC_FORMAT", "csv")
    assert invoke(*args).stdout.startswith("direction,dose_value,dose_unit,")
    monkeypatch.setenv("INFUSE_CALC_CONVERT_FORMAT", "plain")
    assert invoke(*args).stdout.startswith("Dose        7 mcg/kg/min\n")
    assert invoke(*args, "--format", "json").stdout.startswith("{\n")


def test_a_command_table_sets_any_option(config_file: Path) -> None:
    # 7 mcg/kg/min x 72 kg = 504 mcg/min = 0.504 mg/min; the weight comes from [convert]
    config_file.write_text("[convert]\nweight = '72 kg'\nformat = 'csv'\n", encoding="utf-8")
    result = invoke("convert", "7 mcg/kg/min")
    assert result.exit_code == 0, result.output
    assert ",0.504,mg/min," in result.stdout


def test_a_flag_from_a_command_table(config_file: Path) -> None:
    config_file.write_text("[convert]\nexplain = true\n", encoding="utf-8")
    out = invoke("convert", "7 mcg/kg/min", "-w", "72", "--format", "plain").stdout
    assert "  7 mcg/kg/min × 72 kg = 504 mcg/min\n" in out


def test_library_path_expands_home(config_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from infuse_calc.cli.defaults import DefaultMap

    monkeypatch.setenv("HOME", "/home/nurse")
    config_file.write_text("[defaults]\nlibrary = '~/ward.toml'\n", encoding="utf-8")
    defaults = DefaultMap(cli)
    with_library = [name for name in COMMANDS if "library" in _option_keys(name)]
    assert with_library, "no command has --library: this test would check nothing"
    for name in with_library:
        assert "/home/nurse/ward.toml" in defaults[name].values()


def _option_keys(name: str) -> dict[str, Any]:
    from infuse_calc.cli.defaults import option_params

    command = cli.get_command(None, name)  # type: ignore[arg-type]
    assert command is not None
    return option_params(command)


def test_every_default_key_reaches_every_command_that_has_it(config_file: Path) -> None:
    """Generic over COMMANDS: a [defaults] key lands in each command's default_map."""
    from infuse_calc.cli.defaults import DefaultMap

    values = {
        "format": "csv",
        "pump_resolution": "0.5",
        "drop_factor": "20",
        "library": "/tmp/lib.toml",
    }
    config_file.write_text(
        "[defaults]\n" + "".join(f"{k} = '{v}'\n" for k, v in values.items()), encoding="utf-8"
    )
    defaults = DefaultMap(cli)
    for name in COMMANDS:
        params = _option_keys(name)
        for key, value in values.items():
            if key in params:
                assert defaults[name][params[key].name] == value, (name, key)


# --- CLI: errors -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[defaults]\nformat = \n", "Invalid value (at line 2, column 10)"),
        ("[defaults]\nformat = 'xml'\n", "[defaults] format = 'xml': is not one of"),
        ("[convert]\npump_resolution = '-1'\n", "[convert] pump_resolution = '-1': negative"),
        ("[convert]\npump_resolution = '0'\n", "[convert] pump_resolution = '0': must be "),
        ("[convert]\npump_resolution = 'nan'\n", "[convert] pump_resolution = 'nan': "),
        ("[convert]\npump_resolution = inf\n", "[convert] pump_resolution = 'inf': "),
        ("[convert]\npump_resolution = '1000'\n", "over 100 mL/h is not plausible"),
        ("[convert]\nfromat = 'json'\n", "unknown key 'fromat' in [convert]"),
        ("[bogus]\n", "unknown table [bogus]"),
    ],
)
def test_bad_config_is_one_line_exit_2(config_file: Path, text: str, message: str) -> None:
    config_file.write_text(text, encoding="utf-8")
    result = invoke("convert", "7 mcg/kg/min", "-w", "72")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith(f"Error: config file {config_file}")
    assert message in result.stderr
    assert result.stderr.count("\n") == 1


def test_config_file_not_utf8_or_a_directory(config_file: Path) -> None:
    config_file.write_bytes(b"[defaults]\nformat = '\xff'\n")
    result = invoke("convert", "7 mcg/kg/min")
    assert (result.exit_code, result.stderr) == (
        2,
        f"Error: config file {config_file}: is not UTF-8 text\n",
    )
    config_file.unlink()
    config_file.mkdir()
    result = invoke("convert", "7 mcg/kg/min")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: config file {config_file}: cannot be read (")


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("INFUSE_CALC_FORMAT", "yaml", "Error: INFUSE_CALC_FORMAT='yaml': is not one of"),
        ("INFUSE_CALC_PUMP_RESOLUTION", "x", "Error: INFUSE_CALC_PUMP_RESOLUTION='x': expected"),
        ("INFUSE_CALC_PUMP_RESOLUTION", "-0.1", "Error: INFUSE_CALC_PUMP_RESOLUTION='-0.1': "),
        (
            "INFUSE_CALC_THOUSANDS_SEPARATOR",
            "maybe",
            "Error: INFUSE_CALC_THOUSANDS_SEPARATOR='maybe': is not a valid boolean",
        ),
        ("INFUSE_CALC_CONVERT_WEIGHT", "-3", "Error: INFUSE_CALC_CONVERT_WEIGHT='-3': negative"),
    ],
)
def test_bad_variable_is_named(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, message: str
) -> None:
    monkeypatch.setenv(name, value)
    result = invoke("convert", "7 mcg/kg/min", "-w", "72")
    assert result.exit_code == 2
    assert result.stderr.startswith(message)
    assert result.stderr.count("\n") == 1


def test_broken_file_still_lets_config_path_help_and_version_work(config_file: Path) -> None:
    config_file.write_text("[defaults\n", encoding="utf-8")
    result = invoke("config", "path")
    assert (result.exit_code, result.stdout) == (0, f"{config_file}\n")
    assert invoke("--help").exit_code == 0
    assert invoke("--version").exit_code == 0
    # A command's own help shows defaults from the file, so it reports the file instead.
    result = invoke("convert", "--help")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: config file {config_file}: Expected ']'")
    result = invoke("config", "show")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: config file {config_file}: Expected ']'")


# --- config path / config show ---------------------------------------------------------------


def test_config_path_default_is_user_config_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    from platformdirs import user_config_dir

    monkeypatch.delenv("INFUSE_CALC_CONFIG")
    expected = Path(user_config_dir("infuse-calc")) / "config.toml"
    assert invoke("config", "path").stdout == f"{expected}\n"


def show_records(*args: str) -> dict[str, dict[str, Any]]:
    result = invoke(*args, "config", "show", "--format", "json")
    assert result.exit_code == 0, result.output
    return {r["setting"]: r for r in json.loads(result.stdout)["settings"]}


def test_show_defaults() -> None:
    records = show_records()
    assert list(records)[: len(DEFAULT_KEYS)] == list(DEFAULT_KEYS)
    assert all(r["source"] == "default" for r in records.values())
    assert records["pump_resolution"]["value"] == "0.1"
    assert records["format"]["value"] == "auto"
    assert records["thousands_separator"]["value"] is True
    assert "convert" in records["pump_resolution"]["commands"]


def test_show_provenance(config_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config_file.write_text(
        "[defaults]\nformat = 'plain'\npump_resolution = '0.01'\n[convert]\nexplain = true\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("INFUSE_CALC_PUMP_RESOLUTION", "0.5")
    monkeypatch.setenv("INFUSE_CALC_CONVERT_WEIGHT", "72")
    records = show_records("--no-thousands-separator")
    assert (records["format"]["value"], records["format"]["source"]) == ("plain", "file")
    assert records["format"]["origin"] == f"{config_file} [defaults]"
    assert records["pump_resolution"]["value"] == "0.5"
    assert records["pump_resolution"]["origin"] == "INFUSE_CALC_PUMP_RESOLUTION"
    assert records["thousands_separator"]["value"] is False
    assert records["thousands_separator"]["source"] == "option"
    assert records["thousands_separator"]["origin"] == "--no-thousands-separator"
    assert records["convert.explain"]["origin"] == f"{config_file} [convert]"
    assert records["convert.weight"]["source"] == "env"
    assert records["convert.weight"]["origin"] == "INFUSE_CALC_CONVERT_WEIGHT"


def test_show_reads_a_variable_as_what_it_means(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INFUSE_CALC_THOUSANDS_SEPARATOR", "0")
    record = show_records()["thousands_separator"]
    assert (record["value"], record["origin"]) == (False, "INFUSE_CALC_THOUSANDS_SEPARATOR")


def test_show_plain_and_table_golden(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A relative path keeps the table narrow and the golden file the same on every machine.
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("INFUSE_CALC_CONFIG", "config.toml")
    config_file = Path("config.toml")
    config_file.write_text(
        "[defaults]\nformat = 'plain'\nthousands_separator = false\n[convert]\n"
        "pump_resolution = '1'\n",
        encoding="utf-8",
    )
    for fmt in ("plain", "table"):
        result = invoke("config", "show", "--format", fmt)
        assert result.exit_code == 0, result.output
        check_golden(f"config_show.{fmt}", result.stdout)


def test_show_csv(config_file: Path) -> None:
    config_file.write_text("[defaults]\ndrop_factor = 20\n", encoding="utf-8")
    lines = invoke("config", "show", "--format", "csv").stdout.splitlines()
    assert lines[0] == "setting,value,source,origin,commands"
    assert any(line.startswith(f"drop_factor,20,file,{config_file} [defaults],") for line in lines)
