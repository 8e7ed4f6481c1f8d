"""The ``infuse-calc`` command line.

Commands live in ``infuse_calc.cli.commands.<name>`` and are imported only when run, so
``infuse-calc --help`` and ``--version`` load neither pint nor rich. Every error reaches the
user as one line on stderr (``Error: ...``) with exit status 2 for bad input, 1 for a failed
check or limit, 130 for Ctrl-C; never a traceback. SIGTERM and SIGHUP stop a run as Ctrl-C
does (a file being written is removed, the target left as it was: see
:func:`~infuse_calc.formats.files.atomic_output`), with one line on stderr and exit status
128 + the signal's number.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import os
import signal
import sys
from collections.abc import Iterator
from types import FrameType
from typing import Any

import click

from infuse_calc import __version__
from infuse_calc.cli.commands import CONTEXT_SETTINGS, ROUNDING_HELP

#: command name -> (module under infuse_calc.cli.commands, one-line help shown by --help)
COMMANDS: dict[str, tuple[str, str]] = {
    "convert": ("convert", "Dose rate to totals and pump rate, or pump rate back to dose."),
    "titrate": ("titrate", "A dose ladder (or pump-rate ladder) with exact pump rates."),
    "chart": ("chart", "A bedside chart of pump rates: weights by doses."),
    "schedule": ("schedule", "A course of changing rates: per-segment, per-day and total."),
    "check": ("check", "Check a programmed pump rate against the order: MATCH or MISMATCH."),
    "concentration": ("concentration", "Make up a bag: drug amount for a round rate, or mg in mL."),
    "batch": ("batch", "Calculate every row of a CSV or JSON Lines file of orders."),
    "drugs": ("drugs", "The drug library in effect: built-in standard concentrations, yours."),
    "config": ("config", "Show the config file path and the settings in effect."),
    "practice": ("practice", "Practice problems with worked answers; worksheets and marking."),
}


#: signals that stop a run like Ctrl-C (SIGINT is Python's KeyboardInterrupt already)
STOP_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)
)


class Stopped(BaseException):
    """A stop signal, raised where the program was (as Ctrl-C raises KeyboardInterrupt), so
    that every ``finally`` and ``except BaseException`` cleans up on the way out."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


@contextlib.contextmanager
def stop_signals_raise() -> Iterator[None]:
    """While in the block, :data:`STOP_SIGNALS` raise :class:`Stopped` (signals that were
    ignored, as under ``nohup``, stay ignored); the handlers are restored afterwards."""
    previous: dict[int, Any] = {}

    def stop(signum: int, frame: FrameType | None) -> None:
        # The first signal stops the run; more of them must not interrupt its clean-up.
        for number in previous:
            signal.signal(number, signal.SIG_IGN)
        raise Stopped(signum)

    try:
        for number in STOP_SIGNALS:
            if signal.getsignal(number) is not signal.SIG_IGN:
                previous[number] = signal.signal(number, stop)
    except ValueError:  # not the main thread (an in-process caller): signals are not ours
        pass
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


class InfuseGroup(click.Group):
    """A group that loads commands lazily and reports every error in one line."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = COMMANDS.get(cmd_name)
        if entry is None:
            return None
        module = importlib.import_module(f"infuse_calc.cli.commands.{entry[0]}")
        command: click.Command = module.command
        return command

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        # Settings from the config file and INFUSE_CALC_* variables, for every command, also
        # while the shell asks for completions (which builds contexts through here too).
        if parent is None:
            extra.setdefault("auto_envvar_prefix", "INFUSE_CALC")
            # The config machinery (tomllib, pathlib, click's introspection) costs a warm
            # convert a fifth of its start-up (benchmarks/run.py): it is loaded only when a
            # setting can apply (config `show` builds its own map when none was made).
            unused = _only_help_or_version(args) or not _settings_may_apply()
            if extra.get("default_map") is None and not unused:
                from infuse_calc.cli.defaults import DefaultMap

                resilient = bool(extra.get("resilient_parsing"))
                extra["default_map"] = DefaultMap(self, resilient=resilient)
        return super().make_context(info_name, args, parent, **extra)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # Short help comes from COMMANDS so that --help imports no command module.
        rows = [(name, short) for name, (_, short) in COMMANDS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def main(
        self,
        args: Any = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            with stop_signals_raise():
                result = super().main(args, prog_name, complete_var, False, **extra)
        except Stopped as stopped:
            name = signal.Signals(stopped.signum).name
            with contextlib.suppress(OSError):  # after a hang-up stderr may be gone too
                click.echo(f"{signal.strsignal(stopped.signum)} ({name}).", err=True)
            sys.exit(128 + stopped.signum)
        except click.exceptions.Abort:
            click.echo("Interrupted.", err=True)
            sys.exit(130)
        except click.ClickException as error:
            message = error.format_message()
            option = getattr(error, "option_name", "") or ""
            if isinstance(error, click.NoSuchOption) and option[1:2].isdigit():
                message = f"{option!r}: negative values are not accepted (must be over zero)"
            click.echo(f"Error: {_one_line(message)}", err=True)
            sys.exit(error.exit_code)
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            sys.exit(130)
        except BrokenPipeError:
            sys.exit(1)
        except UnicodeEncodeError as error:
            # stdout in an encoding without a character we print (× in --explain, a µ
            # echoed back): not a bug, and nothing was written (emit writes in one go).
            char = error.object[error.start : error.start + 1]
            click.echo(
                f"Error: the output contains U+{ord(char):04X}, which the output encoding "
                f"({error.encoding}) cannot show; set PYTHONIOENCODING=utf-8 or use -o FILE",
                err=True,
            )
            sys.exit(2)
        except Exception as error:  # the last resort: a bug must not show a traceback
            from infuse_calc.errors import InfuseCalcError

            if isinstance(error, InfuseCalcError):
                click.echo(f"Error: {_one_line(str(error))}", err=True)
                sys.exit(error.exit_code)
            click.echo(
                f"Error: internal error ({type(error).__name__}: {_one_line(str(error))}); "
                "this is a bug in infuse-calc, please report it",
                err=True,
            )
            sys.exit(1)
        sys.exit(result if isinstance(result, int) else 0)


def _set_separators(ctx: click.Context, value: bool) -> bool:
    from infuse_calc import notation

    previous = notation.THOUSANDS_SEPARATORS
    notation.THOUSANDS_SEPARATORS = bool(value)
    # In-process callers (tests, CliRunner) get the process default back afterwards.
    ctx.call_on_close(lambda: setattr(notation, "THOUSANDS_SEPARATORS", previous))
    return bool(value)


def _only_help_or_version(args: list[str]) -> bool:
    return len(args) == 1 and args[0] in ("--help", "-h", "--version", "-V")


def _settings_may_apply() -> bool:
    """Whether the config file or an ``INFUSE_CALC_*`` variable could set anything, decided
    without reading either: ``False`` only when no such variable is set (the two that name
    a file or directory aside) and the config file is certainly absent."""
    from infuse_calc import user_dirs

    not_settings = (user_dirs.CONFIG_ENV, user_dirs.CACHE_ENV)
    prefix = f"{user_dirs.ENV_PREFIX}_"
    if any(name.startswith(prefix) and name not in not_settings for name in os.environ):
        return True
    try:
        os.stat(user_dirs.config_file())
    except FileNotFoundError:
        return False
    except (OSError, ValueError, RuntimeError):  # there, or unreadable: its reader reports
        return True
    return True


def _one_line(message: str) -> str:
    return " ".join(message.split())


@click.group(
    cls=InfuseGroup,
    context_settings=CONTEXT_SETTINGS,
    epilog=ROUNDING_HELP,
)
@click.version_option(__version__, "-V", "--version", prog_name="infuse-calc")
@click.option(
    "--thousands-separator/--no-thousands-separator",
    default=True,
    expose_value=False,
    # The config layer reads INFUSE_CALC_THOUSANDS_SEPARATOR and names it in errors.
    allow_from_autoenv=False,
    callback=lambda ctx, param, value: _set_separators(ctx, value),
    help="Print 30,240 (the default, as ISMP asks) or 30240 in human output.",
)
def cli() -> None:
    """Weight-based infusion dose calculator: a teaching and checking aid.

    Type a dose rate and a weight; get the totals per minute, hour and day, the pump rate
    for a concentration, or the dose a pump rate delivers. Never a device controller:
    check every figure against your own calculation and local policy.

    \b
    Examples:
      infuse-calc convert 7 mcg/kg/min -w 72 -c "10 mg/mL"
      infuse-calc convert 3 mL/h -w 72 -c "10 mg/mL"
      infuse-calc convert "18 units/kg/h" -w "154 lb" -c "25000 units/250 mL" --format json
    """


def main(args: list[str] | None = None, prog_name: str = "infuse-calc") -> None:
    """Console-script entry point."""
    # What is imported by now (click, this group) lives until the process exits: the cyclic
    # collector need not walk it again, in the run or at exit (a tenth of a warm convert).
    gc.freeze()
    cli.main(args=args, prog_name=prog_name)
