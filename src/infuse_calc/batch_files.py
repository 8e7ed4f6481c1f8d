"""Reading batch input (CSV, JSON Lines) and writing batch output (CSV, JSON Lines, JSON).

Everything streams: rows are read, calculated and written one at a time, so memory does not
grow with the file. A row that cannot be read (bytes that are not UTF-8, the wrong number
of columns, a JSON line that is not an object) becomes an :class:`~infuse_calc.batch.InputRow`
with a ``problem``, which the batch reports in that row's ``error`` column; only problems
that stop the run starting (no header, no ``dose`` column) raise :class:`BatchFileError`.

Blank lines are skipped entirely: they are not rows, and produce no output row.
"""

from __future__ import annotations

import codecs
import csv
import functools
import itertools
import json
import os
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from infuse_calc.batch import (
    ERROR_FIELD,
    FIELDS,
    InputRow,
    computed_fields,
    is_measure,
    output_names,
)
from infuse_calc.errors import InfuseCalcError

INPUT_FORMATS = ("csv", "jsonl")
OUTPUT_FORMATS = ("csv", "jsonl", "json")
MAX_LINE_BYTES = 1_000_000
_EXTENSIONS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}


class BatchFileError(InfuseCalcError):
    """The batch cannot start: an unreadable file, no header, no dose column..."""


@dataclass
class BatchInput:
    """An opened input: its format, the CSV header (``None`` for JSON Lines) and its rows.

    A CSV input also has ``records``: the same rows as ``(line, cells, problem)``, for
    :func:`~infuse_calc.batch.process_table`. Read one or the other: they share a reader.
    """

    format: str
    header: list[str] | None
    rows: Iterator[InputRow]
    records: Iterator[tuple[int, list[str], str | None]] | None = None


def input_format(path: str, explicit: str | None, first_line: bytes) -> str:
    """The explicit format, else from the extension, else ``jsonl`` if it starts with ``{``."""
    if explicit:
        return explicit
    extension = os.path.splitext(path)[1].lower()
    if extension in _EXTENSIONS:
        return _EXTENSIONS[extension]
    return "jsonl" if first_line.lstrip(codecs.BOM_UTF8).lstrip().startswith(b"{") else "csv"


def open_input(
    raw: IO[bytes], name: str, explicit_format: str | None, required: Iterable[str]
) -> BatchInput:
    """Start reading ``raw`` (a binary stream); raises :class:`BatchFileError` if it can't.

    ``required`` names the columns a CSV header must have (``dose``, or its ``--map``
    source).
    """
    # readline with a cap: an endless "line" (/dev/zero, a file with no newlines) must be
    # refused, not read into memory whole.
    lines = iter(functools.partial(raw.readline, MAX_LINE_BYTES + 1), b"")
    first = next(lines, b"")
    _check_length(first, 1, name)
    fmt = input_format(name, explicit_format, first)
    if first.startswith(codecs.BOM_UTF8):
        first = first[len(codecs.BOM_UTF8) :]
    # itertools.chain, not a generator: one Python frame less per line
    all_lines = itertools.chain((first,), lines) if first else iter(())
    if fmt == "jsonl":
        return BatchInput("jsonl", None, _jsonl_rows(all_lines, name))
    return _open_csv(all_lines, name, list(required))


def _check_length(line: bytes, number: int, name: str) -> None:
    if len(line) > MAX_LINE_BYTES:
        raise BatchFileError(
            f"{name} line {number}: is longer than {MAX_LINE_BYTES:,} bytes; "
            "is it really a CSV or JSON Lines file of orders?"
        )


class _Lines:
    """Decodes lines one at a time, remembering which were not valid UTF-8."""

    def __init__(self, raw: Iterator[bytes], name: str) -> None:
        self.raw = raw
        self.name = name
        self.number = 0
        self.bad: list[tuple[int, str]] = []

    def __iter__(self) -> Iterator[str]:
        for line in self.raw:
            self.number += 1
            if len(line) > MAX_LINE_BYTES:
                _check_length(line, self.number, self.name)
            try:
                yield line.decode("utf-8")
            except UnicodeDecodeError as error:
                byte = line[error.start]
                self.bad.append((self.number, f"byte 0x{byte:02x} at column {error.start + 1}"))
                yield line.decode("utf-8", "replace")


def _open_csv(raw: Iterator[bytes], name: str, required: list[str]) -> BatchInput:
    lines = _Lines(raw, name)
    reader = csv.reader(lines)
    header: list[str] | None = None
    try:
        for record in reader:
            if record:
                header = record
                break
    except csv.Error as error:
        raise BatchFileError(f"{name}: not a readable CSV file ({error})") from None
    if lines.bad:
        line, where = lines.bad[0]
        raise BatchFileError(f"{name} line {line}: the header is not UTF-8 text ({where})")
    if header is None:
        return BatchInput("csv", [], iter(()), iter(()))
    duplicates = sorted({c for c in header if header.count(c) > 1})
    if duplicates:
        raise BatchFileError(f"{name}: the header repeats the column(s) {', '.join(duplicates)}")
    missing = [column for column in required if column not in header]
    if missing:
        hint = " (is it JSON Lines? use --input-format jsonl)" if header[0][:1] == "{" else ""
        raise BatchFileError(
            f"{name}: no {', '.join(repr(c) for c in missing)} column in the header "
            f"({', '.join(header)}){hint}"
        )
    records = _csv_records(reader, lines, len(header))
    return BatchInput("csv", header, _csv_rows(records, header), records)


def _csv_rows(
    records: Iterator[tuple[int, list[str], str | None]], header: list[str]
) -> Iterator[InputRow]:
    for line, record, problem in records:
        yield InputRow(line, dict(zip(header, record, strict=False)), problem)


def _csv_records(
    reader: Any, lines: _Lines, width: int
) -> Iterator[tuple[int, list[str], str | None]]:
    end = reader.line_num
    while True:
        start = end + 1
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            end = reader.line_num
            lines.bad.clear()
            yield start, [], f"line {start}: not readable as CSV ({error})"
            continue
        end = reader.line_num
        if not record:
            lines.bad.clear()
            continue
        problem = None
        if lines.bad:
            line, where = lines.bad[0]
            problem = f"line {line}: not UTF-8 text ({where}); save the file as UTF-8"
            lines.bad.clear()
        elif len(record) != width:
            problem = f"line {start}: expected {width} columns, found {len(record)}"
        yield start, record, problem


def _jsonl_rows(raw: Iterator[bytes], name: str) -> Iterator[InputRow]:
    for number, line in enumerate(raw, start=1):
        if len(line) > MAX_LINE_BYTES:
            _check_length(line, number, name)
        if not line.strip():
            continue
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError as error:
            where = f"byte 0x{line[error.start]:02x} at column {error.start + 1}"
            yield InputRow(number, {}, f"line {number}: not UTF-8 text ({where})")
            continue
        try:
            value = json.loads(text)
        except ValueError as error:
            yield InputRow(number, {}, f"line {number}: not valid JSON ({error})")
            continue
        if not isinstance(value, dict):
            kind = type(value).__name__.replace("dict", "object").replace("list", "array")
            yield InputRow(number, {}, f"line {number}: expected a JSON object, found {kind}")
            continue
        yield InputRow(number, value)


# --- writing ------------------------------------------------------------------------------


def input_cell(value: Any) -> str:
    """An input cell as CSV text (JSON values: numbers as written, objects as JSON)."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return json.dumps(value, ensure_ascii=False)


_BLANK_MEASURE = ("", "")
_PLAIN, _MEASURE, _LIST, _BOOL = range(4)


def _kind(name: str) -> int:
    if is_measure(name):
        return _MEASURE
    return {"warnings": _LIST, "causes": _LIST, "match": _BOOL}.get(name, _PLAIN)


class CsvWriter:
    """Writes output records as CSV, with columns fixed by the first record's input columns.

    A later JSON line may lack some of those keys (blank cells) or have others; those are
    not written (CSV has one header) and :attr:`dropped` names them. The check columns are
    written when the first record has the ``pump_column``.
    """

    def __init__(
        self, stream: IO[str], input_columns: list[str] | None, pump_column: str = "pump"
    ) -> None:
        self.stream = stream
        self.writer = csv.writer(stream, lineterminator="\n")
        self.pump_column = pump_column
        self.columns = input_columns
        # CSV input: every record has exactly the header's columns, or fewer (a short row)
        self.fixed = input_columns is not None
        self.dropped: set[str] = set()
        self.checked = False
        self.kinds: tuple[int, ...] = ()
        if input_columns is not None:
            self._start(input_columns, pump_column in input_columns)

    def _start(self, columns: list[str], checked: bool) -> None:
        self.columns = columns
        self.checked = checked
        self.computed = (*computed_fields(self.checked), ERROR_FIELD)
        self.kinds = tuple(_kind(name) for name in self.computed)
        # the cells of a flat row (process_table) that are not written as they are
        self.table_kinds: list[tuple[int, int]] = []
        i = len(columns)
        for kind in self.kinds:
            if kind in (_LIST, _BOOL):
                self.table_kinds.append((i, kind))
            i += 2 if kind == _MEASURE else 1
        names = output_names(columns, self.checked)
        header = list(columns)
        for name in self.computed:
            out = names[name]
            header.extend([f"{out}_value", f"{out}_unit"] if is_measure(name) else [out])
        self.writer.writerow(header)

    def write(self, record: dict[str, Any]) -> None:
        """Write one output record of :func:`~infuse_calc.batch.process`."""
        if self.columns is None:
            self._start(_input_columns(record), bool(getattr(record, "checked", False)))
        assert self.columns is not None
        width = len(self.columns)
        values = list(record.values())
        if self.fixed and len(values) == width + len(self.computed):
            row = values[:width]
            computed = values[width:]
        else:
            input_columns = _input_columns(record)
            self.dropped.update(set(input_columns) - set(self.columns))
            row = [input_cell(record.get(column)) for column in self.columns]
            names = output_names(input_columns, bool(getattr(record, "checked", False)))
            computed = [record.get(names.get(name, "")) for name in self.computed]
        # csv writes None as an empty cell and a float as its repr, as flat_record does
        for kind, value in zip(self.kinds, computed, strict=True):
            if kind == _MEASURE:
                row.extend(value or _BLANK_MEASURE)
            elif kind == _LIST and value is not None:
                row.append("; ".join(value))
            elif kind == _BOOL and value is not None:
                row.append("true" if value else "false")
            else:
                row.append(value)
        self.writer.writerow(row)

    def write_table(self, row: list[Any]) -> None:
        """Write one row of :func:`~infuse_calc.batch.process_table` (a CSV input)."""
        if self.columns is None:
            raise ValueError("write_table needs the input columns")
        for i, kind in self.table_kinds:
            value = row[i]
            if value is not None:
                row[i] = "; ".join(value) if kind == _LIST else ("true" if value else "false")
        self.writer.writerow(row)

    def close(self) -> None:
        if self.columns is None:
            self._start([], False)


class JsonLinesWriter:
    """One JSON object per line."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream

    def write(self, record: dict[str, Any]) -> None:
        self.stream.write(json.dumps(_jsonable(record), ensure_ascii=False))
        self.stream.write("\n")

    def close(self) -> None:
        pass


class JsonArrayWriter(JsonLinesWriter):
    """A JSON array written element by element, one object per line."""

    def __init__(self, stream: IO[str]) -> None:
        super().__init__(stream)
        self.count = 0

    def write(self, record: dict[str, Any]) -> None:
        self.stream.write("[\n" if self.count == 0 else ",\n")
        self.stream.write(json.dumps(_jsonable(record), ensure_ascii=False))
        self.count += 1

    def close(self) -> None:
        self.stream.write("[]\n" if self.count == 0 else "\n]\n")


def _input_columns(record: dict[str, Any]) -> list[str]:
    width = getattr(record, "width", None)
    if width is None:  # a plain dict: the computed fields and the error come last
        width = len(record) - len(FIELDS) - 1
    return list(record)[:width]


def _jsonable(record: dict[str, Any]) -> dict[str, Any]:
    return {
        key: value.as_json() if hasattr(value, "as_json") else value
        for key, value in record.items()
    }


Writer = CsvWriter | JsonLinesWriter


def writer_for(
    fmt: str, stream: IO[str], header: list[str] | None, pump_column: str = "pump"
) -> Writer:
    """The writer for an output format."""
    if fmt == "csv":
        return CsvWriter(stream, header, pump_column)
    if fmt == "json":
        return JsonArrayWriter(stream)
    return JsonLinesWriter(stream)


def open_binary(path: str) -> IO[bytes]:
    """The input file (or stdin for ``-``) as bytes; raises :class:`BatchFileError`."""
    if path == "-":
        return sys.stdin.buffer
    try:
        return open(path, "rb")
    except OSError as error:
        raise BatchFileError(f"cannot read {path}: {error.strerror or error}") from None
    except ValueError:  # a NUL byte in the name
        raise BatchFileError(f"cannot read {path!r}: not a valid file name") from None
