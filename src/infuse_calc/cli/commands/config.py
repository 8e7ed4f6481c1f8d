"""``infuse-calc config``: where the config file is and which settings are in effect.

Reading the file and feeding it to click is :mod:`infuse_calc.cli.defaults`; the rules
(keys, types, precedence) are :mod:`infuse_calc.config`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import click

from infuse_calc.cli.commands import CONTEXT_SETTINGS
from infuse_calc.cli.defaults import DefaultMap, config_path, option_params, walk
from infuse_calc.cli.params import output_options
from infuse_calc.config import DEFAULT_KEYS, Setting, Source, env_name, resolve


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


def _record(name: str, value: Any, source: Source, users: list[str]) -> dict[str, Any]:
    return {
        "setting": name,
        "value": value,
        "source": source.kind,
        "origin": source.where,
        "commands": users,
    }


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
    from infuse_calc.formats.output import View, emit

    root = ctx.find_root()
    group = root.command
    assert isinstance(group, click.Group)
    defaults = root.default_map if isinstance(root.default_map, DefaultMap) else None
    if defaults is None:
        defaults = DefaultMap(group)
    defaults.check()
    records = [*_shared_settings(root, defaults), *_command_settings(defaults)]
    libraries = _drug_libraries(records, defaults.environ)
    rows = [
        [r["setting"], _text(r["value"]), str(Source(r["source"], r["origin"]))] for r in records
    ]
    document = {
        "config_file": str(defaults.path),
        "config_file_found": defaults.config is not None,
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


def _shared_settings(root: click.Context, defaults: DefaultMap) -> list[dict[str, Any]]:
    """One record per ``[defaults]`` key: its value, its source and the commands it reaches."""
    commands = list(walk(defaults.group))
    group_options = {
        str(p.name): p
        for p in defaults.group.params
        if isinstance(p, click.Option) and p.expose_value is False
    }
    records: list[dict[str, Any]] = []
    for key in DEFAULT_KEYS:
        users = [" ".join(path) for path, cmd in commands if key in option_params(cmd)]
        setting = resolve(key, (), defaults.config, defaults.environ)
        if key in group_options:
            users = ["all"]
            setting, default = _group_setting(root, group_options[key], setting)
        else:
            params = [option_params(cmd)[key] for _, cmd in commands if key in option_params(cmd)]
            default = _builtin_default(params[0]) if params else None
            if key == "format" and default is None:
                default = "auto"
        if setting is None:
            records.append(_record(key, default, Source("default"), users))
        else:
            records.append(_record(key, setting.value, setting.source, users))
    return records


def _group_setting(
    root: click.Context, param: click.Option, setting: Setting | None
) -> tuple[Setting | None, Any]:
    """A group option's setting (as given on the command line, if it was) and default."""
    key = str(param.name)
    if root.get_parameter_source(key) is click.core.ParameterSource.COMMANDLINE:
        # The option's callback has applied it; expose_value=False keeps it out of
        # root.params.
        from infuse_calc import notation

        value = notation.THOUSANDS_SEPARATORS
        flag = param.opts[0] if value else param.secondary_opts[0]
        setting = Setting(value, Source("option", flag))
    elif setting is not None and isinstance(setting.value, str):
        # "0" from the environment is shown as what it means
        setting = Setting(bool(param.type_cast_value(root, setting.value)), setting.source)
    return setting, _builtin_default(param)


def _command_settings(defaults: DefaultMap) -> list[dict[str, Any]]:
    """One record per setting made for one command (a ``[convert]`` key, a variable)."""
    config, environ = defaults.config, defaults.environ
    records: list[dict[str, Any]] = []
    for path, cmd in walk(defaults.group):
        for key in option_params(cmd):
            specific = config is not None and key in config.commands.get(path[0], {})
            if not (specific or environ.get(env_name(*path, key))):
                continue
            setting = resolve(key, path, config, environ)
            assert setting is not None
            name = " ".join(path)
            records.append(_record(f"{name}.{key}", setting.value, setting.source, [name]))
    return records


def _drug_libraries(records: list[dict[str, Any]], environ: Mapping[str, str]) -> Any:
    """Add the ``drug_libraries`` row: the libraries ``--drug`` uses, as the ``library``
    setting and the user config directory decide; a broken file is shown, not raised."""
    from infuse_calc.formats.library_files import in_effect

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
    records.append(_record("drug_libraries", " + ".join(parts), source, setting["commands"]))
    return layers
