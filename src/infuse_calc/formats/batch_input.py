"""Reading batch input: a CSV or JSON Lines file of orders, as rows.

Everything streams: rows are read one at a time (and calculated and written by the caller
one at a time), so memory does not grow with the file. A row that cannot be read (bytes
that are not UTF-8, the wrong number of columns, a JSON line that is not an object) becomes
an :class:`~infuse_calc.batch.InputRow` with a ``problem``, which the batch reports in that
row's ``error`` column; only problems that stop the run starting (no header, no ``dose``
column) raise :class:`BatchFileError`.

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

from infuse_calc.batch import InputRow
from infuse_calc.errors import InfuseCalcError

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
        self.bad: list[tuple[int, str]] = []

    def __iter__(self) -> Iterator[str]:
        # the line number a local (enumerate): an attribute costs more on every line
        for number, line in enumerate(self.raw, start=1):
            if len(line) > MAX_LINE_BYTES:
                _check_length(line, number, self.name)
            try:
                yield line.decode("utf-8")
            except UnicodeDecodeError as error:
                byte = line[error.start]
                self.bad.append((number, f"byte 0x{byte:02x} at column {error.start + 1}"))
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
