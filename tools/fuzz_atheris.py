"""Coverage-guided fuzzing of the input parsers and the CLI with atheris (not run in CI).

atheris is not a project dependency: install it in a separate virtual environment together
with the package, then run for as long as you like::

    python -m venv /tmp/fuzz-venv
    /tmp/fuzz-venv/bin/pip install atheris -e .
    /tmp/fuzz-venv/bin/python tools/fuzz_atheris.py -max_total_time=600

Every input the fuzzer produces goes to one parser (which may only raise InputError) and
to one CLI slot (which must exit 0, 1 or 2 with no traceback and, on failure, one
``Error:`` line). A crash is written by libFuzzer as ``crash-<hash>``; add the input to
``tests/data/fuzz-regressions.txt`` with a note on what broke.
"""

from __future__ import annotations

import contextlib
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import atheris  # type: ignore[import-untyped,import-not-found,unused-ignore]

with atheris.instrument_imports():
    from click.testing import CliRunner

    from infuse_calc import quantities
    from infuse_calc.cli import cli
    from infuse_calc.errors import InputError

PARSERS: list[Callable[[str], Any]] = [
    quantities.parse_dose,
    quantities.parse_weight,
    quantities.parse_concentration,
    quantities.parse_rate_unit,
    lambda text: quantities.parse_number("number", text, text, []),
]
# Each slot is an argument list with "{}" where the fuzzed text goes.
SLOTS: list[list[str]] = [
    ["convert", "{}", "-w", "72", "-c", "10 mg/mL"],
    ["convert", "7 mcg/kg/min", "-w", "{}", "-c", "10 mg/mL"],
    ["convert", "7 mcg/kg/min", "-w", "72", "-c", "{}"],
    ["convert", "7 mcg/kg/min", "-w", "72", "-c", "10 mg/mL", "--dose-unit", "{}"],
    ["convert", "7 mcg/kg/min", "-w", "72", "-c", "10 mg/mL", "--pump-resolution", "{}"],
    ["titrate", "--from", "{}", "--to", "10 mcg/kg/min", "--step", "1", "-w", "72"],
    ["chart", "--doses", "{}", "--unit", "mcg/kg/min", "--weights", "40..90/5"],
    ["check", "7 mcg/kg/min", "-w", "72", "-c", "10 mg/mL", "--pump", "{}"],
]
SANDBOX = Path(tempfile.mkdtemp(prefix="infuse-calc-atheris-"))
FILE_SLOTS: list[list[str]] = [["batch", "{file}"], ["schedule", "{file}"]]


def check_cli(args: list[str]) -> None:
    result = CliRunner().invoke(cli, args, env={"INFUSE_CALC_CONFIG": str(SANDBOX / "none")})
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    code = result.exit_code
    lines = result.stderr.splitlines()
    problem = (
        code not in (0, 1, 2)
        or "Traceback" in result.stderr
        or "internal error" in result.stderr
        or (code == 2 and (not lines or not lines[-1].startswith("Error: ")))
        or any(not line.startswith(("Warning: ", "Error: ")) for line in lines)
        or sum(line.startswith("Error: ") for line in lines) > 1
    )
    if problem:
        raise AssertionError(f"{args!r} -> exit {code}, stderr {result.stderr!r}")


def one_input(data: bytes) -> None:
    provider = atheris.FuzzedDataProvider(data)
    choice = provider.ConsumeIntInRange(0, len(PARSERS) + len(SLOTS) + len(FILE_SLOTS) - 1)
    text = provider.ConsumeUnicodeNoSurrogates(provider.remaining_bytes())
    if choice < len(PARSERS):
        with contextlib.suppress(InputError):
            PARSERS[choice](text)
        return
    choice -= len(PARSERS)
    if choice < len(SLOTS):
        argument = text.replace("\x00", "")  # argv cannot hold NUL
        check_cli([argument if part == "{}" else part for part in SLOTS[choice]])
        return
    command = FILE_SLOTS[choice - len(SLOTS)]
    path = SANDBOX / ("input.csv" if command[0] == "batch" else "input.toml")
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    check_cli([str(path) if part == "{file}" else part for part in command])


def main() -> None:
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
