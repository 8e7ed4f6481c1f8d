"""Writing results: rich tables, plain text, CSV and JSON, to stdout or a file.

A command builds a :class:`View` (human rows already formatted by
:mod:`infuse_calc.notation`, machine records holding exact
:class:`~infuse_calc.dosing.Measure` values) and calls :func:`emit`. Human formats are
rounded for display; CSV and JSON carry full-precision floats and pint-parsable unit
strings. rich is imported only when a table is actually drawn.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import stat
import sys
import tempfile
from collections.abc import Iterable, Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from fractions import Fraction
from typing import IO, Any


@dataclass
class View:
    """What a command shows, in both human and machine form."""

    headers: list[str]
    rows: list[list[str]]
    document: Any
    csv_fields: list[str]
    records: list[dict[str, Any]]
    title: str | None = None
    numeric_columns: set[int] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)
    measure_fields: AbstractSet[str] = field(default_factory=set)
    show_headers: bool = True


def jsonable(value: Any) -> Any:
    """Measures to ``{"value", "unit"}``, Fractions to floats, recursively."""
    as_json = getattr(value, "as_json", None)
    if callable(as_json):
        return as_json()
    if isinstance(value, Fraction):
        return float(value)
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value


def flat_record(
    record: dict[str, Any], fields: list[str], measure_fields: AbstractSet[str]
) -> dict[str, str]:
    """One CSV row: a Measure field becomes ``<name>_value`` and ``<name>_unit``."""
    row: dict[str, str] = {}
    for name in fields:
        value = record.get(name)
        if name in measure_fields:
            row[f"{name}_value"] = "" if value is None else repr(float(value.value))
            row[f"{name}_unit"] = "" if value is None else value.unit
        else:
            row[name] = _cell(value)
    return row


def csv_header(fields: list[str], measure_fields: AbstractSet[str]) -> list[str]:
    header: list[str] = []
    for name in fields:
        header.extend([f"{name}_value", f"{name}_unit"] if name in measure_fields else [name])
    return header


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (Fraction, float)):
        return repr(float(value))
    if isinstance(value, (list, tuple)):
        return "; ".join(str(v) for v in value)
    return str(value)


def choose_format(fmt: str | None, output: str | None) -> str:
    """The explicit format, else table in a terminal and plain text anywhere else."""
    if fmt:
        return fmt
    if output in (None, "-") and sys.stdout.isatty():
        return "table"
    return "plain"


def render(view: View, fmt: str, stream: IO[str], color: bool | None = None) -> None:
    if fmt == "json":
        json.dump(jsonable(view.document), stream, indent=2, ensure_ascii=False)
        stream.write("\n")
    elif fmt == "csv":
        writer = csv.DictWriter(
            stream, fieldnames=csv_header(view.csv_fields, view.measure_fields), lineterminator="\n"
        )
        writer.writeheader()
        for record in view.records:
            writer.writerow(flat_record(record, view.csv_fields, view.measure_fields))
    elif fmt == "table":
        _render_table(view, stream, color)
    else:
        stream.write(plain_text(view))


def plain_text(view: View) -> str:
    """Columns aligned with spaces, numbers right-justified, no colour or box."""
    lines: list[str] = []
    if view.title:
        lines.append(view.title)
    # A header may hold a second line (its unit): "Per hour\nmg/h".
    header_lines = [h.split("\n") for h in view.headers]
    depth = max((len(h) for h in header_lines), default=1)
    headers = [[*h, *[""] * (depth - len(h))] for h in header_lines]
    head_rows = [[h[line] for h in headers] for line in range(depth)]
    table = [*head_rows, *view.rows] if view.show_headers else list(view.rows)
    widths = [max((len(row[i]) for row in table), default=0) for i in range(len(view.headers))]
    for row in table:
        cells = [
            cell.rjust(widths[i]) if i in view.numeric_columns else cell.ljust(widths[i])
            for i, cell in enumerate(row)
        ]
        lines.append("  ".join(cells).rstrip())
    lines.extend(view.notes)
    return "\n".join(lines) + "\n"


def _render_table(view: View, stream: IO[str], color: bool | None) -> None:
    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    is_stdout = stream is sys.stdout
    console = Console(
        file=stream,
        highlight=False,
        force_terminal=color if is_stdout else False,
        no_color=None if is_stdout else True,
        soft_wrap=False,
        # rich's NO_COLOR drops colours but keeps bold; no-color.org users want no escapes.
        color_system=None if os.environ.get("NO_COLOR") else "auto",
    )
    table = Table(
        title=view.title,
        box=box.SIMPLE_HEAVY if view.show_headers else None,
        show_header=view.show_headers,
        title_justify="left",
    )
    heads = [max(len(line) for line in header.split("\n")) for header in view.headers]
    widths = [max([heads[i]] + [len(row[i]) for row in view.rows]) for i in range(len(heads))]
    # A minimum width keeps cells on one line, but a table wider than the terminal would
    # then be cropped at its edge, hiding figures: there, let rich fold cells instead.
    fits = sum(widths) + 3 * len(widths) + 1 <= console.width
    for i, header in enumerate(view.headers):
        table.add_column(
            header,
            justify="right" if i in view.numeric_columns else "left",
            style="bold" if i == 0 else None,
            min_width=min(widths[i], 24) if fits else None,
            overflow="fold",
        )
    for row in view.rows:
        # Text, not markup: a cell such as "config.toml [defaults]" must print as typed.
        table.add_row(*(Text(cell) for cell in row))
    console.print(table)
    for note in view.notes:
        console.print(note, markup=False)


@contextlib.contextmanager
def atomic_output(path: str | None) -> Iterator[IO[str]]:
    """Stdout for ``None``/``-``; otherwise a temporary file renamed over ``path`` only
    when the whole output was written, so a failed run never leaves a half file."""
    if path in (None, "-"):
        yield sys.stdout
        return
    assert path is not None
    if not path:
        from infuse_calc.errors import InputError

        raise InputError("output file", path, "is empty; give a file name, or - for stdout")
    # Write through a symlink rather than replacing it with a file.
    target = os.path.realpath(path)
    if os.path.exists(path) and (not os.path.isfile(path) or target.startswith("/proc/")):
        # /dev/null, /dev/stdout (-> /proc/self/fd/1), a FIFO: renaming over one would
        # replace the device node or the caller's redirection target instead of writing to it.
        try:
            with open(path, "w", encoding="utf-8", newline="") as stream:
                yield stream
        except OSError as error:
            raise _output_error(path, error) from None
        return
    try:
        handle, temporary = tempfile.mkstemp(
            prefix=".infuse-calc-", suffix=".tmp", dir=os.path.dirname(target)
        )
    except OSError as error:
        raise _output_error(path, error) from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            yield stream
        # mkstemp makes the file 0600; keep the mode the file had, or would have had.
        os.chmod(temporary, _file_mode(target))
        os.replace(temporary, target)
    except BaseException as error:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        if isinstance(error, OSError):
            raise _output_error(path, error) from None
        raise


def _file_mode(path: str) -> int:
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _output_error(path: str, error: OSError) -> Exception:
    from infuse_calc.errors import InputError

    return InputError("output file", path, f"cannot be written: {error.strerror or error}")


def same_file(first: str, second: str) -> bool:
    """Whether two paths name one file (through links and ``./`` spellings)."""
    try:
        return os.path.samefile(first, second)
    except OSError:
        return os.path.realpath(first) == os.path.realpath(second)


def refuse_overwriting_input(
    output: str | None, inputs: Iterable[str | None], what: str = "output file"
) -> None:
    """Refuse ``-o`` (or ``--plot``) naming a file the command reads: it would be lost."""
    if output in (None, "-"):
        return
    assert output is not None
    for path in inputs:
        if path not in (None, "-") and path is not None and same_file(path, output):
            from infuse_calc.errors import InputError

            raise InputError(what, output, f"is an input file ({path}); write to another file")


def emit(view: View, fmt: str | None, output: str | None) -> None:
    """Render ``view`` in the chosen format to stdout or, atomically, to ``output``."""
    chosen = choose_format(fmt, output)
    if output in (None, "-"):
        # Render to memory first: a failure mid-render must not leave half a table.
        buffer = io.StringIO()
        if chosen == "table":
            _render_table(view, sys.stdout, None)
            return
        render(view, chosen, buffer)
        sys.stdout.write(buffer.getvalue())
        sys.stdout.flush()
        return
    with atomic_output(output) as stream:
        render(view, chosen, stream)
