"""The glue that feeds the config file and ``INFUSE_CALC_*`` variables to click.

:class:`DefaultMap` is the root context's ``default_map``. It is lazy (a command's defaults
are worked out only when click asks for that command) and generic (every option of every
command in :data:`infuse_calc.cli.COMMANDS` can be set, found by its long option name), so
new commands need nothing here. click itself then gives the precedence: ``default_map`` <
``auto_envvar_prefix`` variable < the command line.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, MutableMapping
from pathlib import Path
from typing import Any

import click

from infuse_calc.config import (
    ConfigError,
    ConfigFile,
    Setting,
    check_command_keys,
    option_key,
    parse_config,
    resolve,
)
from infuse_calc.user_dirs import config_file


def config_path(environ: Mapping[str, str] | None = None) -> Path:
    """``$INFUSE_CALC_CONFIG`` if set, else ``config.toml`` in the user config directory."""
    return Path(config_file(environ))


def load_config(path: Path, command_names: list[str]) -> ConfigFile | None:
    """The parsed file, or ``None`` when there is none; :class:`ConfigError` if unusable."""
    from infuse_calc.formats.files import TooLargeError, read_file_capped

    try:
        data = read_file_capped(str(path))
    except TooLargeError as error:
        raise ConfigError(f"config file {path}: {error}; expected a small TOML file") from None
    except FileNotFoundError:
        return None
    except OSError as error:
        raise ConfigError(f"config file {path}: cannot be read ({error.strerror})") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"config file {path}: is not UTF-8 text") from None
    return parse_config(text, str(path), command_names)


def option_params(command: click.Command) -> dict[str, click.Option]:
    """The settable options of a command by config key (``pump_resolution``)."""
    found: dict[str, click.Option] = {}
    for param in command.params:
        if not isinstance(param, click.Option) or not param.expose_value or not param.name:
            continue
        longs = [flag for flag in param.opts if flag.startswith("--")]
        key = option_key(longs[0]) if longs else param.name
        found[key] = param
    return found


def _context(group: click.Group) -> click.Context:
    ctx = click.get_current_context(silent=True)
    return click.Context(group) if ctx is None else ctx


def subcommands(command: click.Command, ctx: click.Context) -> Iterator[tuple[str, click.Command]]:
    """The direct subcommands of a group (none for a plain command)."""
    if isinstance(command, click.Group):
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is not None:
                yield name, sub


def _describe(key: str, setting: Setting) -> str:
    """``config file PATH: [table] key = 'value'`` (as the config file's own errors say it),
    or ``INFUSE_CALC_KEY='value'``."""
    source = setting.source
    if source.kind == "file":
        path, _, table = source.where.rpartition(" [")
        return f"config file {path}: [{table} {key} = {setting.value!r}"
    return f"{source.where}={setting.value!r}"


def _reason(message: str, value: object) -> str:
    """A parameter type's message without the value it repeats (the setting already names
    it once): ``'abc': expected a number such as 0.1, found 'abc'`` -> ``expected a number
    such as 0.1``; ``'xml' is not one of ...`` -> ``is not one of ...``."""
    quoted = repr(str(value))
    message = message.removeprefix(f"{quoted}: ").removeprefix(f"{quoted} ")
    return message.removesuffix(f", found {quoted}")


class DefaultMap(MutableMapping[str, Any]):
    """The root ``default_map``: group options by name, commands by name (a nested map).

    A broken config file does not stop ``infuse-calc config ...`` (the way to find and
    fix it) nor ``--help``/``--version``; every other command reports it. While the shell
    asks for completions (``resilient``) nothing is reported at all.
    """

    def __init__(
        self, group: click.Group, resilient: bool = False, environ: Mapping[str, str] | None = None
    ) -> None:
        self.group = group
        self.resilient = resilient
        self.environ = dict(os.environ if environ is None else environ)
        self.path = config_path(self.environ)
        self.config: ConfigFile | None = None
        self.error: ConfigError | None = None
        self._cache: dict[str, Any] = {}
        try:
            names = group.list_commands(_context(self.group))
            self.config = load_config(self.path, names)
            for name in self.config.commands if self.config else ():
                command = group.get_command(_context(self.group), name)
                if command is not None:
                    assert self.config is not None
                    check_command_keys(self.config, name, option_params(command))
        except ConfigError as error:
            self.error = error

    def _value(self, key: str, param: click.Option, setting: Setting) -> Any:
        value = setting.value
        if isinstance(value, str) and isinstance(param.type, click.Path):
            value = os.path.expanduser(value)
        try:
            param.type_cast_value(_context(self.group), value)
        except click.BadParameter as error:
            reason = _reason(error.message, value)
            raise ConfigError(f"{_describe(key, setting)}: {reason}") from None
        return value

    def _settings(
        self, command: click.Command, path: tuple[str, ...], lenient: bool
    ) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for key, param in option_params(command).items():
            setting = resolve(key, path, self.config, self.environ)
            if setting is None:
                continue
            try:
                found[str(param.name)] = self._value(key, param, setting)
            except ConfigError:
                # A shared default such as format = "plain" suits most commands but not
                # batch (csv, jsonl, json): it applies where it fits and is an error only
                # when it fits no command at all.
                if not lenient and not (setting.shared and self._fits_some_command(key, setting)):
                    raise
        for name, sub in subcommands(command, _context(self.group)):
            found[name] = self._settings(sub, (*path, name), lenient)
        return found

    def _fits_some_command(self, key: str, setting: Setting) -> bool:
        for _, command in walk(self.group):
            param = option_params(command).get(key)
            if param is None:
                continue
            try:
                self._value(key, param, setting)
            except ConfigError:
                continue
            return True
        return False

    def check(self) -> None:
        """Raise the first problem with the file or any setting, for every command."""
        if self.error is not None:
            raise self.error
        for name in self.group.list_commands(_context(self.group)):
            command = self.group.get_command(_context(self.group), name)
            if command is not None:
                self._settings(command, (name,), lenient=False)

    def __getitem__(self, name: str) -> Any:
        if name in self._cache:
            return self._cache[name]
        broken = self.error is not None and not self.resilient and name != "config"
        if broken and name in self.group.list_commands(_context(self.group)):
            assert self.error is not None
            raise self.error
        own = {param.name: param for param in self.group.params if isinstance(param, click.Option)}
        if name in own:
            setting = None if self.error else resolve(name, (), self.config, self.environ)
            if setting is None:
                raise KeyError(name)
            value = self._value(name, own[name], setting)
        else:
            command = self.group.get_command(_context(self.group), name)
            if command is None:
                raise KeyError(name)
            # "config" must work with a broken file: it is how people find and fix it.
            lenient = self.resilient or name == "config"
            value = {} if self.error else self._settings(command, (name,), lenient)
        self._cache[name] = value
        return value

    def __setitem__(self, name: str, value: Any) -> None:
        self._cache[name] = value

    def __delitem__(self, name: str) -> None:
        del self._cache[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._cache)

    def __len__(self) -> int:
        return len(self._cache)


def walk(group: click.Group) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    """Every command of the group and their subcommands, with their paths: ``("config",
    "show")``."""
    ctx = _context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if command is None:
            continue
        yield (name,), command
        for sub_name, sub in subcommands(command, ctx):
            yield (name, sub_name), sub
