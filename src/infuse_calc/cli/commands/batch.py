"""``infuse-calc batch``: one calculation per row of a CSV or JSON Lines file."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any

import click

from infuse_calc.cli.commands import infuse_command
from infuse_calc.cli.figure_options import lb_per_kg, lb_per_kg_option
from infuse_calc.cli.params import pump_resolution_option
from infuse_calc.formats import BATCH_INPUT_FORMATS, BATCH_OUTPUT_FORMATS


@infuse_command("batch")
@click.argument("input_path", metavar="FILE", type=click.Path(dir_okay=False, allow_dash=True))
@click.option(
    "--input-format",
    type=click.Choice(BATCH_INPUT_FORMATS),
    help="Input format. Default: from the extension (.csv, .jsonl), else CSV.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(BATCH_OUTPUT_FORMATS),
    help="Output format. Default: the input format.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True, allow_dash=True),
    help="Write to this file (atomically: all or nothing) instead of stdout.",
)
@click.option(
    "--map",
    "mappings",
    multiple=True,
    metavar="NAME=COLUMN",
    help="Read NAME (dose, weight, concentration, dose_unit, pump, drug) from COLUMN. Repeatable.",
)
@click.option(
    "--library",
    "library_path",
    type=click.Path(dir_okay=False),
    help="Drug library (TOML) over the built-in one, for rows with a drug. Default: "
    "$INFUSE_CALC_LIBRARY, else drug-library.toml in the user config directory if there is one.",
)
@click.option("--area", metavar="AREA", help="Care area for the library's limits (all rows).")
@pump_resolution_option
@lb_per_kg_option
@click.option("--strict", is_flag=True, help="Stop at the first bad row (exit status 1).")
@click.option(
    "--jobs",
    type=click.IntRange(0, 64),
    default=0,
    show_default=True,
    help="Worker processes that share the rows of a big CSV file (CSV output only): 0, one "
    "per CPU; 1, none. The output is the same whatever the number.",
)
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Progress bar on stderr. Default: only when stderr is a terminal.",
)
def command(
    input_path: str,
    input_format: str | None,
    fmt: str | None,
    output: str | None,
    mappings: tuple[str, ...],
    library_path: str | None,
    area: str | None,
    pump_resolution: Fraction,
    limits: Any,
    strict: bool,
    jobs: int,
    progress: bool | None,
) -> None:
    """Calculate every row of FILE (CSV with a header, or JSON Lines; '-' for stdin).

    Columns: dose (required), weight, concentration, dose_unit, pump (the rate programmed:
    the row is checked as by 'check'), drug (as convert --drug: the built-in or library
    concentration if the row has none, the first of several, and the dose checked against
    the library's limits: a soft breach is a warning, a hard one an error row); any other
    column (an id) passes through unchanged.
    A library given with --library (or $INFUSE_CALC_LIBRARY, or the config file) is read
    first, and a bad one stops the run; the one in the user config directory is read only
    if some row names a drug, and if it cannot be read, each such row is an error row.
    Each input row gives one output row, in order, with the figures convert gives and an
    'error' column: empty, or why that row failed. Exit status 0 if every row worked (and
    every pump rate matched), 1 if not, 2 if the run could not start.

    \b
    Examples:
      infuse-calc batch orders.csv --format csv -o results.csv
      cat orders.jsonl | infuse-calc batch - --format jsonl
      infuse-calc batch orders.csv --map dose=rate_ordered
    """
    from infuse_calc.batch import BatchOptions, DrugLibrary
    from infuse_calc.formats.batch_input import BatchFileError, open_binary, open_input
    from infuse_calc.formats.batch_jobs import default_jobs

    mapping = _mapping(mappings)
    jobs = jobs or default_jobs()
    _refuse_overwriting_inputs(input_path, output, library_path)
    drugs = DrugLibrary(lambda: _drug_library(library_path), area)
    if library_path is not None:
        # a file the user named is read before the run, so a bad one stops it (exit 2) as it
        # does convert; the user config directory's library is read by the first drug row
        drugs.get()
    options = BatchOptions(
        pump_resolution=pump_resolution,
        mapping=mapping,
        drugs=drugs,
        limits=limits,
        lb_per_kg=lb_per_kg(),
    )
    name = "stdin" if input_path == "-" else input_path
    raw = open_binary(input_path)
    try:
        try:
            opened = open_input(raw, name, input_format, [options.column("dose")])
        except BatchFileError as error:
            raise click.UsageError(str(error)) from None
        # Columns never depend on the first row: a CSV file's rows all have its header's
        # columns, so the check columns come with a pump column; any JSON line may hold a
        # pump, so JSON input always has them (empty for a row without a pump).
        has_pump = opened.header is None or options.column("pump") in opened.header
        options = replace(options, check_pump=has_pump)
        show_progress = progress or (progress is None and sys.stderr.isatty())
        tally = _run(
            opened, options, fmt or opened.format, output, strict, show_progress, name, jobs
        )
    finally:
        if raw is not sys.stdin.buffer:
            raw.close()
    _report(tally)


@dataclass
class _Tally:
    """What a run wrote: its counts (rows, rows with errors, pump rates that did not match:
    a ``formats.batch_jobs.Counts``), the JSON keys CSV output had no column for, and the
    name of the match column."""

    counts: Any
    dropped: set[str]
    match_column: str


def _refuse_overwriting_inputs(input_path: str, output: str | None, library: str | None) -> None:
    """-o may name neither the input file nor the drug library (both would be lost)."""
    from infuse_calc.formats.files import refuse_overwriting_input, same_file

    if output is not None and "\x00" in output:
        raise click.BadParameter(f"{output!r} is not a valid file name", param_hint="'-o'")
    if "\x00" in input_path:
        raise click.BadParameter(f"{input_path!r} is not a valid file name", param_hint="'FILE'")
    if output in (None, "-"):
        return
    assert output is not None
    if input_path != "-" and same_file(input_path, output):
        raise click.BadParameter(
            f"{output!r} is the input file; write the results to another file",
            param_hint="'-o' / '--output'",
        )
    refuse_overwriting_input(output, [_library_file(library)])


def _run(
    opened: Any,
    options: Any,
    fmt: str,
    output: str | None,
    strict: bool,
    show_progress: bool,
    name: str,
    jobs: int,
) -> _Tally:
    """Calculate and write every row, atomically to ``output``; a --strict stop exits 1."""
    from infuse_calc.batch import INPUT_COLUMNS, RowError, error_of, mismatched, process
    from infuse_calc.formats.batch_jobs import Counts, write_table
    from infuse_calc.formats.files import atomic_output
    from infuse_calc.formats.output import CsvWriter, writer_for

    try:
        with atomic_output(output) as stream:
            read = [options.column(name) for name in INPUT_COLUMNS]

            def make_writer(stream: Any) -> Any:
                return writer_for(fmt, stream, opened.header, options.column("pump"), read)

            writer = make_writer(stream)
            if isinstance(writer, CsvWriter) and opened.records is not None:
                # CSV to CSV, the big-file case: flat rows, no dict per row
                assert opened.header is not None
                records = _with_progress(opened.records) if show_progress else opened.records
                counts = write_table(
                    opened.header, records, options, strict, writer, make_writer, jobs
                )
            else:
                rows = _with_progress(opened.rows) if show_progress else opened.rows
                counts = Counts()
                for record in process(rows, options, strict):
                    failed = error_of(record) is not None
                    counts.add(1, failed, not failed and record.checked and mismatched(record))
                    writer.write(record)
            writer.close()
            stream.flush()
    except RowError as error:
        click.echo(f"Error: {name} line {error.line}: {error.message}", err=True)
        click.get_current_context().exit(1)
    return _Tally(counts, getattr(writer, "dropped", set()), _match_column(opened, options))


def _match_column(opened: Any, options: Any) -> str:
    """The name the ``match`` field is written under (``result_match`` if the input has a
    ``match`` column of its own)."""
    from infuse_calc.batch import output_names

    columns = opened.header if opened.header is not None else []
    return output_names(columns, checked=True)["match"]


def _report(tally: _Tally) -> None:
    """The warnings and the one error line that end a run; exit 1 if any row failed."""
    if tally.dropped:
        click.echo(
            "Warning: CSV output keeps the first row's columns; not written: "
            + ", ".join(sorted(tally.dropped)),
            err=True,
        )
    counts = tally.counts
    total = counts.total
    problems = []
    if counts.failed:
        problems.append(f"{counts.failed:,} of {total:,} rows had errors (see the error column)")
    if counts.mismatches:
        problems.append(
            f"{counts.mismatches:,} of {total:,} pump rates did not match the order "
            f"(see the {tally.match_column} column)"
        )
    if problems:
        click.echo("Error: " + "; ".join(problems), err=True)
        click.get_current_context().exit(1)


def _mapping(mappings: tuple[str, ...]) -> dict[str, str]:
    from infuse_calc.batch import INPUT_COLUMNS

    mapping: dict[str, str] = {}
    for item in mappings:
        name, sep, column = item.partition("=")
        name, column = name.strip(), column.strip()
        if not sep or not column or name not in INPUT_COLUMNS:
            raise click.BadParameter(
                f"{item!r}: expected NAME=COLUMN with NAME one of {', '.join(INPUT_COLUMNS)}",
                param_hint="'--map'",
            )
        mapping[name] = column
    return mapping


def _drug_library(library_path: str | None) -> Any:
    """The drug library, read by the first row naming a drug; says so when it includes the
    built-in reference data."""
    from infuse_calc.cli.params import load_library
    from infuse_calc.library import REFERENCE_NOTICE

    library = load_library(library_path)
    if library.uses_builtin:
        click.echo(f"Note: {REFERENCE_NOTICE}", err=True)
    return library


def _library_file(library_path: str | None) -> str:
    """The file the library would be read from (to refuse ``-o`` naming it before the run)."""
    from infuse_calc.formats.library_files import library_file

    return str(library_file(library_path).path)


def _with_progress(rows: Iterator[Any]) -> Iterator[Any]:
    import time

    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn

    columns = (SpinnerColumn(), TextColumn("{task.completed:,} rows, {task.fields[rate]} rows/s"))
    start = time.monotonic()
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("batch", total=None, rate="-")
        for count, row in enumerate(rows, start=1):
            yield row
            if count % 1000 == 0:
                rate = count / max(time.monotonic() - start, 1e-9)
                bar.update(task, completed=count, rate=f"{rate:,.0f}")
