"""``infuse-calc config``: where the config file is and which settings are in effect.

Also the glue that feeds the config file and ``INFUSE_CALC_*`` variables to click:
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

from infuse_calc.cli import CONTEXT_SETTINGS
from infuse_calc.cli.params import output_options
from infuse_calc.config import (
    APP_NAME,
    CONFIG_ENV,
    DEFAULT_KEYS,
    FILE_NAME,
    ConfigError,
    ConfigFile,
    Setting,
    Source,
    check_command_keys,
    env_name,
    option_key,
    parse_config,
    resolve,
)


def config_path(environ: Mapping[str, str] | None = None) -> Path:
    """``$INFUSE_CALC_CONFIG`` if set, else ``config.toml`` in the user config directory."""
    environ = os.environ if environ is None else environ
    override = environ.get(CONFIG_ENV)
    if override:
        return Path(override).expanduser()
    from platformdirs import user_config_dir

    return Path(user_config_dir(APP_NAME)) / FILE_NAME


def load_config(path: Path, command_names: list[str]) -> ConfigFile | None:
    """The parsed file, or ``None`` when there is none; :class:`ConfigError` if unusable."""
    from infuse_calc.textfiles import TooLargeError, read_file_capped

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


def _context() -> click.Context:
    ctx = click.get_current_context(silent=True)
    if ctx is None:
        from infuse_calc.cli import cli

        ctx = click.Context(cli)
    return ctx


def subcommands(command: click.Command) -> Iterator[tuple[str, click.Command]]:
    """The direct subcommands of a group (none for a plain command)."""
    if isinstance(command, click.Group):
        ctx = _context()
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is not None:
                yield name, sub


def _describe(key: str, setting: Setting) -> str:
    source = setting.source
    if source.kind == "file":
        return f"config file {source.where} {key} = {setting.value!r}"
    return f"{source.where}={setting.value!r}"


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
            names = group.list_commands(_context())
            self.config = load_config(self.path, names)
            for name in self.config.commands if self.config else ():
                command = group.get_command(_context(), name)
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
            param.type_cast_value(_context(), value)
        except click.BadParameter as error:
            raise ConfigError(f"{_describe(key, setting)}: {error.message}") from None
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
        for name, sub in subcommands(command):
            found[name] = self._settings(sub, (*path, name), lenient)
        return found

    def _fits_some_command(self, key: str, setting: Setting) -> bool:
        for _, command in _walk(self.group):
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
        for name in self.group.list_commands(_context()):
            command = self.group.get_command(_context(), name)
            if command is not None:
                self._settings(command, (name,), lenient=False)

    def __getitem__(self, name: str) -> Any:
        if name in self._cache:
            return self._cache[name]
        broken = self.error is not None and not self.resilient and name != "config"
        if broken and name in self.group.list_commands(_context()):
            assert self.error is not None
            raise self.error
        own = {param.name: param for param in self.group.params if isinstance(param, click.Option)}
        if name in own:
            setting = None if self.error else resolve(name, (), self.config, self.environ)
            if setting is None:
                raise KeyError(name)
            value = self._value(name, own[name], setting)
        else:
            command = self.group.get_command(_context(), name)
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


@click.group("config", context_settings=CONTEXT_SETTINGS)
def command() -> None:
    """Where the config file is and which settings are in effect.

    The file is TOML: a [defaults] table (format, pump_resolution, drop_factor, library,
    thousands_separator) applies to every command that has the option; a table named after
    a command ([convert] ...) takes that command's long option names. Environment
    variables INFUSE_CALC_<KEY> and INFUSE_CALC_<COMMAND>_<KEY> beat the file; an option
    on the command line beats both. INFUSE_CALC_CONFIG names another file.

    \b
    Examples:
      infuse-calc config path
      infuse-calc config show
      infuse-calc config show --format json
    """


@command.command("path", context_settings=CONTEXT_SETTINGS)
def path_command() -> None:
    """Print the config file's path (it need not exist yet).

    \b
    Examples:
      infuse-calc config path
      infuse-calc config show
    """
    click.echo(str(config_path()))


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "(none)" if value is None else str(value)


def _builtin_default(param: click.Option) -> Any:
    default = param.default
    return default() if callable(default) else default


def _walk(group: click.Group) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    ctx = _context()
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if command is None:
            continue
        yield (name,), command
        for sub_name, sub in subcommands(command):
            yield (name, sub_name), sub


@command.command("show", context_settings=CONTEXT_SETTINGS)
@output_options
@click.pass_context
def show_command(ctx: click.Context, fmt: str | None, output: str | None) -> None:
    """Print every setting in effect and where it came from.

    Sources: default (built in), config file (its path and table), env (the variable's
    name) or option (given on the command line before the command).

    \b
    Examples:
      infuse-calc config show
      infuse-calc --no-thousands-separator config show --format json
    """
    from infuse_calc.cli import cli
    from infuse_calc.render import View, emit

    root = ctx.find_root()
    defaults = root.default_map if isinstance(root.default_map, DefaultMap) else None
    if defaults is None:
        defaults = DefaultMap(cli)
    defaults.check()
    environ, config = defaults.environ, defaults.config
    commands = list(_walk(cli))

    records: list[dict[str, Any]] = []

    def add(name: str, value: Any, source: Source, users: list[str]) -> None:
        records.append(
            {
                "setting": name,
                "value": value,
                "source": source.kind,
                "origin": source.where,
                "commands": users,
            }
        )

    group_options = {
        str(p.name): p
        for p in cli.params
        if isinstance(p, click.Option) and p.expose_value is False
    }
    for key in DEFAULT_KEYS:
        users = [" ".join(path) for path, cmd in commands if key in option_params(cmd)]
        setting = resolve(key, (), config, environ)
        if key in group_options:
            param = group_options[key]
            users = ["all"]
            if root.get_parameter_source(key) is click.core.ParameterSource.COMMANDLINE:
                # The option's callback has applied it; expose_value=False keeps it out of
                # root.params.
                from infuse_calc import notation

                value = notation.THOUSANDS_SEPARATORS
                flag = param.opts[0] if value else param.secondary_opts[0]
                setting = Setting(value, Source("option", flag))
            elif setting is not None and isinstance(setting.value, str):
                # "0" from the environment is shown as what it means
                setting = Setting(bool(param.type_cast_value(ctx, setting.value)), setting.source)
            default = _builtin_default(param)
        else:
            params = [option_params(cmd)[key] for _, cmd in commands if key in option_params(cmd)]
            default = _builtin_default(params[0]) if params else None
            if key == "format" and default is None:
                default = "auto"
        if setting is None:
            add(key, default, Source("default"), users)
        else:
            add(key, setting.value, setting.source, users)
    for path, cmd in commands:
        for key in option_params(cmd):
            specific = config is not None and key in config.commands.get(path[0], {})
            if not (specific or environ.get(env_name(*path, key))):
                continue
            setting = resolve(key, path, config, environ)
            assert setting is not None
            add(f"{' '.join(path)}.{key}", setting.value, setting.source, [" ".join(path)])

    libraries = _drug_libraries(records, environ, add)
    rows = [
        [r["setting"], _text(r["value"]), str(Source(r["source"], r["origin"]))] for r in records
    ]
    document = {
        "config_file": str(defaults.path),
        "config_file_found": config is not None,
        "settings": records,
        "drug_libraries": libraries,
    }
    csv_records = [dict(r, commands=" ".join(r["commands"])) for r in records]
    emit(
        View(
            headers=["Setting", "Value", "Source"],
            rows=rows,
            document=document,
            csv_fields=["setting", "value", "source", "origin", "commands"],
            records=csv_records,
        ),
        fmt,
        output,
    )


def _drug_libraries(records: list[dict[str, Any]], environ: Mapping[str, str], add: Any) -> Any:
    """Add the ``drug_libraries`` row: the libraries ``--drug`` uses, as the ``library``
    setting and the user config directory decide; a broken file is shown, not raised."""
    from infuse_calc.library_files import in_effect

    setting = next(r for r in records if r["setting"] == "library")
    path = setting["value"] if setting["source"] != "default" else None
    layers = in_effect(path, environ)
    parts = []
    for layer in layers:
        if "error" in layer:
            parts.append(f"{layer['name']} (cannot be used: {layer['error']})")
        else:
            parts.append(f"{layer['name']} ({layer['drugs']} drugs)")
    source = Source(setting["source"], setting["origin"]) if path else Source("default")
    for layer in layers:
        if path and layer["name"] == path:
            layer["origin"] = str(source)
    add("drug_libraries", " + ".join(parts), source, setting["commands"])
    return layers
