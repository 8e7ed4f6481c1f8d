"""Write docs/cli.md, the command reference, from every command's ``--help``.

Usage::

    python tools/gen_cli_docs.py          # rewrite docs/cli.md
    python tools/gen_cli_docs.py --check  # exit 1 if docs/cli.md is stale

Commands come from ``infuse_calc.cli.COMMANDS`` (and a group's subcommands), so a new
command is documented without touching this script. Help is rendered at a fixed width with
no config file and no ``INFUSE_CALC_*`` variables, so the result is the same everywhere.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import click
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "docs" / "cli.md"
PROG = "infuse-calc"
WIDTH = "100"

HEADER = f"""# {PROG} command reference

Generated from each command's `--help` by `python tools/gen_cli_docs.py`; do not edit by
hand (`tests/test_docs.py` fails when this file is stale).
"""


def clean_environment() -> dict[str, str | None]:
    """CliRunner ``env``: no user settings reach the help text (defaults show in it)."""
    env: dict[str, str | None] = {
        name: None for name in os.environ if name.startswith("INFUSE_CALC_")
    }
    env.update({"INFUSE_CALC_CONFIG": os.devnull, "COLUMNS": WIDTH, "NO_COLOR": "1"})
    return env


def command_paths() -> Iterator[list[str]]:
    """``[]`` (the top level), then every command and subcommand, in COMMANDS order."""
    from infuse_calc.cli import cli

    ctx = click.Context(cli, info_name=PROG)
    yield []
    for name in cli.list_commands(ctx):
        command = cli.get_command(ctx, name)
        yield [name]
        if isinstance(command, click.Group):
            for sub in command.list_commands(ctx):
                yield [name, sub]


def help_text(path: list[str]) -> str:
    from infuse_calc.cli import cli

    result = CliRunner().invoke(cli, [*path, "--help"], prog_name=PROG, env=clean_environment())
    if result.exit_code != 0:
        raise RuntimeError(f"{PROG} {' '.join(path)} --help failed: {result.output}")
    return result.output


def render() -> str:
    """The whole of docs/cli.md."""
    parts = [HEADER]
    for path in command_paths():
        title = " ".join([PROG, *path])
        parts.append(f"\n## {title}\n\n```text\n{help_text(path).rstrip()}\n```\n")
    return "".join(parts)


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
        if current != text:
            print(f"{TARGET} is stale: run python tools/gen_cli_docs.py", file=sys.stderr)
            return 1
        return 0
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
