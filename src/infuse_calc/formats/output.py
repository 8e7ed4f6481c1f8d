"""One output system: what a command shows, and batch's records, as text.

A command builds a :class:`View` (human rows already formatted by
:mod:`infuse_calc.notation`, machine records holding exact
:class:`~infuse_calc.dosing.Measure` values) and calls :func:`emit`; batch streams its
records through a :func:`writer_for` its format. Human formats (a table, plain text) are
rounded for display; CSV, JSON and JSON Lines carry full-precision floats and pint-parsable
unit strings. The rules of machine output live here once, for both:

- a CSV cell: :func:`cell` (empty for none, ``true``/``false``, a float's shortest repr,
  lists joined with ``"; "``);
- a measure: two CSV columns ``<name>_value`` and ``<name>_unit`` (:func:`csv_header`,
  :func:`measure_cells`), one JSON object ``{"value", "unit"}`` (:func:`jsonable`).

rich is imported only when a table is drawn (:mod:`infuse_calc.formats.table`); files are
written through :func:`~infuse_calc.formats.files.atomic_output`.
"""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Callable, Iterable
from collections.abc import Set as AbstractSet
from fractions import Fraction
from typing import IO, Any

from infuse_calc.memo import Memo
from infuse_calc.slots import Slots


class View(Slots):
    """What a command shows, in both human and machine form.

    ``wrap_columns``: the columns whose cells may wrap in a table (between words; ``None``:
    every column not in ``numeric_columns``); a column too wide for the terminal is folded
    instead. ``key_columns``: the leading columns a folded table repeats (the step, the
    weight). ``sections``: human-only tables drawn after this one (schedule's totals per
    day), each after a blank line. ``drawing``: lines drawn as they are after the notes,
    never re-wrapped (a text chart), given the terminal width to fit (``None``: plain text,
    the drawing's own width).
    """

    __slots__ = (
        "csv_fields",
        "document",
        "drawing",
        "headers",
        "key_columns",
        "measure_fields",
        "notes",
        "numeric_columns",
        "records",
        "rows",
        "sections",
        "show_headers",
        "title",
        "wrap_columns",
    )
    __hash__ = None  # type: ignore[assignment]  # mutable, as a dataclass that is not frozen

    def __init__(
        self,
        headers: list[str],
        rows: list[list[str]],
        document: Any,
        csv_fields: list[str],
        records: list[dict[str, Any]],
        title: str | None = None,
        numeric_columns: set[int] | None = None,
        notes: list[str] | None = None,
        measure_fields: AbstractSet[str] | None = None,
        show_headers: bool = True,
        wrap_columns: set[int] | None = None,
        key_columns: int = 1,
        sections: list[View] | None = None,
        drawing: Callable[[int | None], list[str]] | None = None,
    ) -> None:
        self.headers = headers
        self.rows = rows
        self.document = document
        self.csv_fields = csv_fields
        self.records = records
        self.title = title
        self.numeric_columns: set[int] = set() if numeric_columns is None else numeric_columns
        self.notes: list[str] = [] if notes is None else notes
        self.measure_fields: AbstractSet[str] = set() if measure_fields is None else measure_fields
        self.show_headers = show_headers
        self.wrap_columns = wrap_columns
        self.key_columns = key_columns
        self.sections: list[View] = [] if sections is None else sections
        self.drawing = drawing


# --- values -------------------------------------------------------------------------------


#: values JSON writes as they are (checked by exact type: a batch writes millions)
_SCALARS = frozenset({str, int, float, bool, type(None)})


def jsonable(value: Any) -> Any:
    """Measures to ``{"value", "unit"}``, Fractions to floats, recursively."""
    if type(value) in _SCALARS:
        return value
    as_json = getattr(value, "as_json", None)
    if callable(as_json):
        return as_json()
    if isinstance(value, Fraction):
        return float(value)
    if isinstance(value, dict):
        return {str(k): v if type(v) in _SCALARS else jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def cell(value: Any) -> str:
    """A computed value as one CSV cell."""
    if value is None:
        return ""
    # lists first: every batch row has its warnings (the checks below are disjoint, and
    # the Fraction one is an ABC check, slow)
    if isinstance(value, list | tuple):
        return "; ".join(map(str, value))
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Fraction | float):
        return repr(float(value))
    return str(value)


def input_cell(value: Any) -> str:
    """An input value passed through to CSV (JSON Lines values: numbers as written,
    arrays and objects as JSON)."""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return repr(value)
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return cell(value)


def measure_cells(value: Any) -> tuple[str, str]:
    """A measure (or ``None``) as its two CSV cells, value and unit."""
    return ("", "") if value is None else (repr(float(value.value)), value.unit)


def csv_header(fields: Iterable[str], measure_fields: AbstractSet[str]) -> list[str]:
    """The CSV columns of ``fields``: a measure field becomes ``<name>_value``, ``<name>_unit``."""
    header: list[str] = []
    for name in fields:
        header.extend([f"{name}_value", f"{name}_unit"] if name in measure_fields else [name])
    return header


def flat_record(
    record: dict[str, Any], fields: list[str], measure_fields: AbstractSet[str]
) -> list[str]:
    """One CSV row of a view's record, in the order of :func:`csv_header`."""
    row: list[str] = []
    for name in fields:
        value = record.get(name)
        if name in measure_fields:
            row.extend(measure_cells(value))
        else:
            row.append(cell(value))
    return row


# --- views --------------------------------------------------------------------------------


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
        import csv  # only for CSV: JSON and plain text need not load it

        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(csv_header(view.csv_fields, view.measure_fields))
        for record in view.records:
            writer.writerow(flat_record(record, view.csv_fields, view.measure_fields))
    elif fmt == "table":
        from infuse_calc.formats.table import render_table

        render_table(view, stream, color)
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
            text.rjust(widths[i]) if i in view.numeric_columns else text.ljust(widths[i])
            for i, text in enumerate(row)
        ]
        lines.append("  ".join(cells).rstrip())
    lines.extend(view.notes)
    if view.drawing is not None:
        lines.extend(view.drawing(None))
    for section in view.sections:
        lines.append("")
        lines.extend(plain_text(section).splitlines())
    return "\n".join(lines) + "\n"


def emit(view: View, fmt: str | None, output: str | None) -> None:
    """Render ``view`` in the chosen format to stdout or, atomically, to ``output``."""
    chosen = choose_format(fmt, output)
    if output in (None, "-"):
        if chosen == "table":
            render(view, chosen, sys.stdout)
            return
        # Render to memory first: a failure mid-render must not leave half a document.
        buffer = io.StringIO()
        render(view, chosen, buffer)
        sys.stdout.write(buffer.getvalue())
        sys.stdout.flush()
        return
    from infuse_calc.formats.files import atomic_output

    with atomic_output(output) as stream:
        render(view, chosen, stream)


# --- batch records ------------------------------------------------------------------------


class CsvWriter:
    """Writes batch records as CSV, with columns fixed before the first row is written.

    For CSV input they are the input's header. For JSON Lines they are the first record's
    keys and every column batch reads that it lacks (``read_columns``: dose, weight, pump,
    drug...): whatever row holds a pump or a drug, its cell and its computed columns have a
    place. A later JSON line may lack keys (blank cells) or have others; those are not
    written (CSV has one header) and :attr:`dropped` names them. The check columns are
    written when the records have them (``Record.checked``).
    """

    def __init__(
        self,
        stream: IO[str],
        input_columns: list[str] | None,
        pump_column: str = "pump",
        read_columns: Iterable[str] = (),
    ) -> None:
        import csv

        self.writer = csv.writer(stream, lineterminator="\n")
        self.stream = stream
        # one cell rendered by csv itself, for a text write_table must quote (see _quoted)
        self.one = io.StringIO()
        self.one_writer = csv.writer(self.one, lineterminator="\n")
        self.quoted: Memo[str, str] = Memo(1024)  # memory stays flat
        self.pump_column = pump_column
        self.read_columns = list(read_columns)
        self.columns = input_columns
        # CSV input: every record has exactly the header's columns, or fewer (a short row)
        self.fixed = input_columns is not None
        self.dropped: set[str] = set()
        self.checked = False
        self.measures: tuple[bool, ...] = ()
        if input_columns is not None:
            self._start(input_columns, pump_column in input_columns)

    def _start(self, columns: list[str], checked: bool) -> None:
        from infuse_calc.batch import ERROR_FIELD, computed_fields, is_measure, output_names
        from infuse_calc.batch.fields import GIVEN_FLAT_WIDTH

        self.columns = columns
        self.checked = checked
        self.computed = (*computed_fields(self.checked), ERROR_FIELD)
        self.measures = tuple(is_measure(name) for name in self.computed)
        # the cells of a flat row (process_table) that csv would not write as they are:
        # lists and booleans, which are neither measure halves nor plain text
        self.converted: list[int] = []
        i = len(columns)
        for name, measure in zip(self.computed, self.measures, strict=True):
            if name in ("warnings", "causes", "match"):
                self.converted.append(i)
            i += 2 if measure else 1
        # write_table: the cells before the warnings (the first converted cell) are text,
        # figures or None; the warnings and what follows are converted one by one
        self.tail = self.converted[0]
        self.blanks = [None] * GIVEN_FLAT_WIDTH  # the cells before the warnings: see below
        self.blank_text = "," * GIVEN_FLAT_WIDTH
        names = output_names(columns, self.checked)
        measures = {names[name] for name in self.computed if is_measure(name)}
        header = list(columns) + csv_header([names[name] for name in self.computed], measures)
        self.writer.writerow(header)

    def write(self, record: dict[str, Any]) -> None:
        """Write one output record of :func:`~infuse_calc.batch.process`."""
        if self.columns is None:
            first = _input_columns(record)
            columns = first + [c for c in self.read_columns if c not in first]
            self._start(columns, bool(getattr(record, "checked", False)))
        assert self.columns is not None
        width = len(self.columns)
        values = list(record.values())
        if self.fixed and len(values) == width + len(self.computed):
            row = values[:width]
            computed = values[width:]
        else:
            from infuse_calc.batch import output_names

            input_columns = _input_columns(record)
            self.dropped.update(set(input_columns) - set(self.columns))
            row = [input_cell(record.get(column)) for column in self.columns]
            # the record's values are under its own names (result_dose only if it has a dose)
            names = output_names(input_columns, bool(getattr(record, "checked", False)))
            computed = [record.get(names.get(name, "")) for name in self.computed]
        for measure, value in zip(self.measures, computed, strict=True):
            if measure:
                row.extend(measure_cells(value))
            else:
                row.append(cell(value))
        self.writer.writerow(row)

    def write_table(self, row: list[Any]) -> None:
        """Write one row of :func:`~infuse_calc.batch.process_table` (a CSV input).

        Its measures are already flat (a float and a unit); only lists and booleans need
        :func:`cell`. The line is what ``csv.writer`` writes for the row: a float as its
        shortest repr (``str`` of a float is its ``repr``), None as an empty cell. Joined
        here rather than by ``writerow``, which costs more per character of text than the
        whole join: a cell holding a character csv would quote (``,`` ``"`` or a line
        break) is left to csv itself (:meth:`_quoted`), and so is a row whose cells before
        the warnings hold one.
        """
        if self.columns is None:
            raise ValueError("write_table needs the input columns")
        for i in self.converted:  # the warnings, and the check's match and causes
            value = row[i]
            if value.__class__ is list and not value:
                row[i] = None  # no warnings, the common case: a blank cell, as cell() writes
            elif value is not None:
                row[i] = cell(value)
        tail = self.tail
        # most rows end their figures with a run of blank cells (no amount given over a
        # time, no bolus): compared in one go, written as one run of commas
        blanks = self.blanks
        start = tail - len(blanks)
        end = start if row[start:tail] == blanks else tail
        # str() of a str is the str itself (and costs less than checking for one)
        head = ["" if v is None else str(v) for v in row[:end]]
        line = ",".join(head) if end == tail else ",".join(head) + self.blank_text
        if line.count(",") != tail - 1 or not _unquoted(line):
            self.writer.writerow(row)  # a text csv must quote: csv writes the whole row
            return
        cells = [line]
        for value in row[tail:]:  # most often none: no warnings, no error
            cells.append("" if value is None else self._quoted(str(value)))
        self.stream.write(",".join(cells) + "\n")

    def _quoted(self, text: str) -> str:
        """A cell's text as csv writes it: as it is, or (a text holding a character csv
        quotes) csv's own rendering, kept for the next row with the same text (a batch
        repeats its warnings)."""
        if "," not in text and _unquoted(text):
            return text
        found = self.quoted.get(text)
        if found is None:
            self.one.seek(0)
            self.one.truncate()
            self.one_writer.writerow((text, ""))  # two cells: one empty cell is written ""
            found = self.quoted.keep(text, self.one.getvalue()[:-2])
        return found

    def close(self) -> None:
        if self.columns is None:
            self._start([], False)


def _unquoted(text: str) -> bool:
    """Whether csv writes ``text`` without quotes, commas aside (the caller counts those):
    no quote character and no line break (CR too, which Python 3.11's csv leaves bare and
    later versions quote: csv itself renders any text holding one)."""
    return '"' not in text and "\n" not in text and "\r" not in text


class JsonLinesWriter:
    """One JSON object per line."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream

    def write(self, record: dict[str, Any]) -> None:
        self.stream.write(json.dumps(jsonable(record), ensure_ascii=False))
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
        self.stream.write(json.dumps(jsonable(record), ensure_ascii=False))
        self.count += 1

    def close(self) -> None:
        self.stream.write("[]\n" if self.count == 0 else "\n]\n")


def _input_columns(record: dict[str, Any]) -> list[str]:
    width = getattr(record, "width", None)
    if width is None:  # a plain dict: the computed fields and the error come last
        from infuse_calc.batch import FIELDS

        width = len(record) - len(FIELDS) - 1
    return list(record)[:width]


Writer = CsvWriter | JsonLinesWriter


def writer_for(
    fmt: str,
    stream: IO[str],
    header: list[str] | None,
    pump_column: str = "pump",
    read_columns: Iterable[str] = (),
) -> Writer:
    """The writer of batch records in an output format (csv, jsonl, json); ``read_columns``
    are the input columns batch reads (a CSV header for JSON input always has them)."""
    if fmt == "csv":
        return CsvWriter(stream, header, pump_column, read_columns)
    if fmt == "json":
        return JsonArrayWriter(stream)
    return JsonLinesWriter(stream)
