"""User settings: the config file, environment variables and which of them wins.

Settings people choose once (pump resolution, drop factor, output format, drug library,
thousands separators) can live in a TOML file::

    [defaults]                 # every command that has the option
    format = "plain"
    pump_resolution = "0.01"
    thousands_separator = false

    [convert]                  # one command only; keys are its long option names
    pump_resolution = "1"

Precedence, weakest first: built-in default < ``[defaults]`` < ``[<command>]`` <
``INFUSE_CALC_<KEY>`` < ``INFUSE_CALC_<COMMAND>_<KEY>`` < the command-line option.

This module is pure: it parses text it is given and merges mappings it is given. Reading the
file, the environment and the click commands happens in :mod:`infuse_calc.cli.commands.config`.
"""

from __future__ import annotations

import tomllib
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from infuse_calc.errors import InfuseCalcError
from infuse_calc.user_dirs import CONFIG_ENV as CONFIG_ENV
from infuse_calc.user_dirs import ENV_PREFIX as ENV_PREFIX

DEFAULTS_TABLE = "defaults"

#: the keys of ``[defaults]``: each applies to every command that has the option
DEFAULT_KEYS: dict[str, str] = {
    "format": "output format: table, plain, csv or json",
    "pump_resolution": "smallest pump step, mL/h",
    "pump_max": "the pump's top rate, mL/h (faster rates are warned about)",
    "daily_volume_max": "daily volume of one drug infusion warned about, mL/day (or 'off')",
    "drop_factor": "giving set drop factor, drops/mL",
    "lb_per_kg": "pounds per kg for weights in lb: exact or a course's 2.2",
    "library": "drug library file",
    "thousands_separator": "1,000 in human output (true) or 1000 (false)",
}

#: values must have these TOML types; numbers become text so that the option's own parser
#: (which is exact) reads them, never a binary float.
_KEY_TYPES: dict[str, tuple[type, ...]] = {
    "format": (str,),
    "pump_resolution": (str, int, float),
    "pump_max": (str, int, float),
    "daily_volume_max": (str, int, float),
    "drop_factor": (str, int, float),
    "lb_per_kg": (str, int, float),
    "library": (str,),
    "thousands_separator": (bool,),
}

Value = str | bool
SourceKind = Literal["default", "file", "env", "option"]


class ConfigError(InfuseCalcError):
    """A config file or setting that cannot be used; exit status 2."""


@dataclass(frozen=True)
class Source:
    """Where a setting came from: ``kind`` and, for file/env/option, which one."""

    kind: SourceKind
    where: str = ""

    def __str__(self) -> str:
        return self.kind if not self.where else f"{self.kind}: {self.where}"


@dataclass(frozen=True)
class Setting:
    """A value and its provenance; ``shared`` if it came from ``[defaults]`` or
    ``INFUSE_CALC_<KEY>`` (meant for every command that has the option)."""

    value: Value
    source: Source
    shared: bool = False


@dataclass(frozen=True)
class ConfigFile:
    """A parsed config file: the ``[defaults]`` table and the per-command tables."""

    path: str
    defaults: dict[str, Value] = field(default_factory=dict)
    commands: dict[str, dict[str, Value]] = field(default_factory=dict)

    def table_source(self, table: str) -> Source:
        return Source("file", f"{self.path} [{table}]")


def env_name(*parts: str) -> str:
    """``env_name("convert", "pump_resolution")`` is ``INFUSE_CALC_CONVERT_PUMP_RESOLUTION``."""
    words = [part.upper().replace("-", "_").replace(" ", "_") for part in parts]
    return "_".join([ENV_PREFIX, *words])


def option_key(long_flag: str) -> str:
    """The config key of a long option: ``--pump-resolution`` is ``pump_resolution``."""
    return long_flag.lstrip("-").replace("-", "_")


def _toml_value(path: str, table: str, key: str, value: object, types: tuple[type, ...]) -> Value:
    # bool is an int in Python; check it first so "true" never passes as a number.
    if isinstance(value, bool):
        if bool in types:
            return value
    elif isinstance(value, int | float) and (int in types or float in types):
        return repr(value) if isinstance(value, float) else str(value)
    elif isinstance(value, str) and str in types:
        return value
    expected = " or ".join(
        {str: "a string", int: "a number", float: "a number", bool: "true or false"}[t]
        for t in dict.fromkeys(types)
    )
    expected = expected.replace("a number or a number", "a number")
    raise ConfigError(f"config file {path}: [{table}] {key} = {value!r}: expected {expected}")


def parse_config(text: str, path: str, command_names: Collection[str]) -> ConfigFile:
    """Parse and check a config file's text; ``path`` is only used in messages.

    ``command_names`` are the tables allowed besides ``[defaults]``. The keys inside a
    command's table are checked later, against that command's options
    (:func:`check_command_keys`), because only the CLI knows them.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"config file {path}: {error}") from None
    defaults: dict[str, Value] = {}
    commands: dict[str, dict[str, Value]] = {}
    for name, table in data.items():
        if not isinstance(table, dict):
            raise ConfigError(
                f"config file {path}: key {name!r} must be inside a table such as "
                f"[{DEFAULTS_TABLE}]"
            )
        if name == DEFAULTS_TABLE:
            for key, value in table.items():
                if key not in DEFAULT_KEYS:
                    raise ConfigError(
                        f"config file {path}: unknown key {key!r} in [{DEFAULTS_TABLE}] "
                        f"(known keys: {', '.join(DEFAULT_KEYS)})"
                    )
                defaults[key] = _toml_value(path, name, key, value, _KEY_TYPES[key])
        elif name in command_names:
            commands[name] = {
                key: _toml_value(path, name, key, value, (str, int, float, bool))
                for key, value in table.items()
            }
        else:
            raise ConfigError(
                f"config file {path}: unknown table [{name}] (expected [{DEFAULTS_TABLE}] "
                f"or a command: {', '.join(sorted(command_names))})"
            )
    return ConfigFile(path, defaults, commands)


def check_command_keys(config: ConfigFile, command: str, keys: Collection[str]) -> None:
    """Refuse a key in ``[command]`` that is not one of that command's options."""
    for key in config.commands.get(command, {}):
        if key not in keys:
            known = ", ".join(sorted(keys)) or "none"
            raise ConfigError(
                f"config file {config.path}: unknown key {key!r} in [{command}] "
                f"(options of {command}: {known})"
            )


def resolve(
    key: str,
    command_path: Sequence[str],
    config: ConfigFile | None,
    environ: Mapping[str, str],
) -> Setting | None:
    """The strongest setting of option ``key`` for a command, below the command line.

    ``command_path`` is ``("convert",)`` or ``("config", "show")``; per-command tables are
    those of the top-level command. ``None`` means no file or variable sets it (the
    option's built-in default applies).
    """
    layers: list[Setting] = []
    top = command_path[0] if command_path else None
    if config is not None:
        if key in DEFAULT_KEYS and key in config.defaults:
            layers.append(
                Setting(config.defaults[key], config.table_source(DEFAULTS_TABLE), shared=True)
            )
        if top is not None and key in config.commands.get(top, {}):
            layers.append(Setting(config.commands[top][key], config.table_source(top)))
    names = [(env_name(key), True)] if key in DEFAULT_KEYS else []
    if command_path:
        names.append((env_name(*command_path, key), False))
    for name, shared in names:
        # An empty variable is unset, as click treats it.
        if environ.get(name):
            layers.append(Setting(environ[name], Source("env", name), shared))
    return layers[-1] if layers else None
