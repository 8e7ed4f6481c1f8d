"""Rows in, records out: each row's cells read, evaluated and shaped, in order."""

from __future__ import annotations

from collections.abc import Callable, Container, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from infuse_calc.batch.cells import cell, parsed_values
from infuse_calc.batch.fields import (
    CHECK_FIELDS,
    CHECK_FLAT_WIDTH,
    CHECK_SHAPE,
    FIELDS,
    FLAT_WIDTH,
    SHAPE,
    flatten,
    record_keys,
    unflatten,
)
from infuse_calc.batch.rows import NO_DRUG, Cells, DrugUse, Run, check_values, row
from infuse_calc.engine import Figure, Plan
from infuse_calc.errors import NEEDED, InfuseCalcError, MissingInputError
from infuse_calc.pump import DEFAULT_LIMITS, PumpLimits


@dataclass(frozen=True)
class BatchOptions:
    """Settings for a whole batch.

    ``mapping`` maps a column batch reads (``dose``...) to the column that holds it in the
    input (``--map dose=rate_ordered``).
    """

    pump_resolution: Fraction = Fraction(1, 10)
    mapping: Mapping[str, str] = field(default_factory=dict)
    #: Add ``CHECK_FIELDS``: ``None`` decides per row (the row has a pump column).
    check_pump: bool | None = None
    #: The drug library for rows with a ``drug`` cell; ``None`` passes the column through.
    drugs: DrugLibrary | None = None
    #: The pump's top rate and the daily volume limit every row is checked against.
    limits: PumpLimits = DEFAULT_LIMITS
    #: Pounds per kg for weights in lb (``--lb-per-kg``); ``None``: the exact pound.
    lb_per_kg: Fraction | None = None

    def column(self, name: str) -> str:
        return self.mapping.get(name, name)


class DrugLibrary:
    """The drug library for a batch, loaded on first use (by the first row with a drug).

    ``load`` returns a :class:`~infuse_calc.library.Library` or raises; a load error is
    kept, so every row that names a drug fails with the same message and the file is read
    once. ``area`` is the care area (``--area``) for every row.
    """

    def __init__(self, load: Callable[[], Any], area: str | None = None) -> None:
        self.load = load
        self.area = area
        self._library: Any = None
        self._error: InfuseCalcError | None = None

    def get(self) -> Any:
        """The library; raises the load error (an :class:`InfuseCalcError`) for each row."""
        if self._library is None and self._error is None:
            try:
                self._library = self.load()
            except InfuseCalcError as error:
                self._error = error
        if self._error is not None:
            raise self._error
        return self._library


@dataclass
class InputRow:
    """One row as read: where it starts (``line``), its cells, and a reading problem.

    ``problem`` is set when the row could not be read cleanly (wrong number of columns,
    bytes that are not UTF-8, a JSON line that is not an object...): the row is reported
    as an error with that message, and its cells (whatever could be read) pass through.
    """

    line: int
    fields: dict[str, Any]
    problem: str | None = None


class RowError(InfuseCalcError):
    """A row that could not be calculated, with its line for ``--strict`` messages."""

    exit_code = 1  # the run started and a row failed, as for a failed check

    def __init__(self, line: int, message: str) -> None:
        self.line = line
        self.message = message
        super().__init__(f"line {line}: {message}")


class Record(dict[str, Any]):
    """An output record: a dict, which also knows how many of its fields came from the
    input (``width``, the first ones) and whether it has the ``CHECK_FIELDS``."""

    __slots__ = ("checked", "width")
    width: int
    checked: bool


# --- one row ------------------------------------------------------------------------------


def computed(
    cells: Cells, drug: str | None, drugs: DrugLibrary | None, run: Run
) -> tuple[list[Any], DrugUse]:
    """A row's computed fields, flat (see :func:`~.rows.row`), and what the drug library
    gave the row (nothing for a row without a drug)."""
    if drug is None or drugs is None:
        return row(*cells, run), NO_DRUG
    return _drug_row(cells, drug, drugs, run)


def _drug_row(cells: Cells, name: str, drugs: DrugLibrary, run: Run) -> tuple[list[Any], DrugUse]:
    """A row naming a drug, as ``convert --drug``: the library's concentration if the row
    has none, and the dose checked against the limits (a hard breach raises
    :class:`~infuse_calc.errors.LimitError`, a soft one is a warning); its standard
    concentrations for the row's pump check, as ``check --drug``."""
    from infuse_calc.library import apply, check_limits, dose_from_measure

    library = drugs.get()
    # a bad cell's error first, as convert
    dose, weight, given, _ = parsed_values(*cells, run.lb_per_kg)
    kg = None if weight is None else weight.kg
    applied = apply(library, name, drugs.area, dose, kg, given)
    standard = applied.concentration if given is None else None

    def limits(plan: Plan, dose_rate: Figure | None) -> tuple[str, ...]:
        warnings = tuple(applied.warnings)
        if plan.forward or dose_rate is None:
            return warnings
        # as convert: a volume rate is checked by the dose it delivers
        delivered = dose_from_measure(Fraction(dose_rate[0], dose_rate[1]), dose_rate[2])
        return warnings + check_limits(library, applied.drug, drugs.area, delivered, kg).messages

    standards = applied.drug.standards(drugs.area)
    return row(*cells, run, (standard, limits)), DrugUse(standard, standards)


def _failure(
    error: Exception, columns: Container[str] = (), options: BatchOptions | None = None
) -> str:
    """A failed row's error text; a missing input is asked for as a batch gives it."""
    if isinstance(error, MissingInputError) and options is not None:
        error = error.reworded(_remedy(error.needed, options.column(error.needed), columns))
    if isinstance(error, InfuseCalcError):
        return " ".join(str(error).split())
    # a bug must cost one row, not the batch
    return " ".join(f"internal error ({type(error).__name__}: {error})".split())


def _remedy(needed: str, column: str, columns: Container[str]) -> str:
    """How a batch row gives ``needed``: in its column (``column``, after ``--map``), which
    the input (with ``columns``) may lack."""
    what = NEEDED[needed]
    if column in columns:
        return f"give {what} in the {column} column"
    mapped = f" (or --map {needed}=COLUMN)" if column == needed else ""
    return f"add a {column} column with {what}{mapped}"


# --- many rows ----------------------------------------------------------------------------

_EMPTY = (None,) * len(FIELDS)
_EMPTY_CHECK = (None,) * len(CHECK_FIELDS)


def process(
    rows: Iterable[InputRow | Mapping[str, Any]],
    options: BatchOptions | None = None,
    strict: bool = False,
) -> Iterator[Record]:
    """One output record per input row, in order (see the package docstring).

    A record is the row's own fields, then :func:`computed_fields`, then the error (always
    the last field, see :func:`error_of`). With ``strict``, the first bad row raises
    :class:`RowError` instead. Plain mappings are numbered from line 1; :class:`InputRow`
    carries its own line and any reading problem.
    """
    options = options or BatchOptions()
    columns = tuple(options.column(name) for name in Cells._fields)
    pump_column = options.column("pump")
    drug_column = options.column("drug")
    run = Run(options.pump_resolution, options.limits, options.lb_per_kg)
    shape: tuple[tuple[str, ...], bool] | None = None
    keys: tuple[str, ...] = ()
    for number, given in enumerate(rows, start=1):
        if isinstance(given, InputRow):
            fields, error, line = given.fields, given.problem, given.line
        else:
            fields, error, line = dict(given), None, number
        checked = options.check_pump
        if checked is None:
            checked = pump_column in fields
        if shape != (tuple(fields), checked):  # rows of a CSV file all match
            shape = (tuple(fields), checked)
            keys = record_keys(*shape)
        values: Iterable[Any] = _EMPTY
        verdict: Iterable[Any] = _EMPTY_CHECK
        if error is None:
            try:
                cells = Cells(*(cell(name, fields.get(name)) for name in columns))
                drug = None
                if options.drugs is not None and drug_column in fields:
                    drug = cell(drug_column, fields[drug_column])
                flat_values, used = computed(cells, drug, options.drugs, run)
                values = unflatten(flat_values, SHAPE)
                pump = cell(pump_column, fields.get(pump_column)) if checked else None
                if pump is not None:
                    verdict = check_values(cells, used, pump, run)
            except Exception as failure:
                values, verdict, error = _EMPTY, _EMPTY_CHECK, _failure(failure, fields, options)
        else:
            error = " ".join(error.split())
        if error is not None and strict:
            raise RowError(line, error)
        record = Record(fields)
        record.width = len(shape[0])
        record.checked = checked
        record.update(zip(keys, values, strict=False))  # keys go on to the error
        if checked:
            record.update(zip(keys[len(FIELDS) :], verdict, strict=False))
        record[keys[-1]] = error
        yield record


class Table:
    """Where the cells batch reads are in the rows of one header (CSV), and what a batch
    keeps from row to row (:class:`~.rows.Run`): :meth:`rows` may be called for one part
    of the rows after another (a worker process is given the rows in parts)."""

    def __init__(self, header: list[str], options: BatchOptions) -> None:
        self.width = width = len(header)
        self.header = frozenset(header)
        self.options = options

        def index(name: str, wanted: bool = True) -> int:
            # a column the header lacks reads as the blank cell appended at index width
            column = options.column(name)
            return header.index(column) if wanted and column in header else width

        self.cells = [index(name) for name in Cells._fields]
        pump_column = options.column("pump")
        checked = options.check_pump
        self.checked = pump_column in header if checked is None else checked
        self.pump = index("pump", self.checked)
        self.pump_column = pump_column
        self.drugs = options.drugs
        # without a library or a drug column, every row reads the blank cell at width
        self.drug = index("drug", options.drugs is not None)
        self.run = Run(options.pump_resolution, options.limits, options.lb_per_kg)
        self.empty = [None] * (FLAT_WIDTH + (CHECK_FLAT_WIDTH if self.checked else 0))

    def computed(self, texts: list[Any]) -> list[Any]:
        """The computed cells of a row of text cells (with the blank cell appended)."""
        di, wi, ci, ui = self.cells
        dose, weight, conc, target = texts[di], texts[wi], texts[ci], texts[ui]
        drug = texts[self.drug]
        # as cell_text: a blank cell is a missing one, any other is its text as it is
        if not dose or dose.isspace():
            dose = None
        if not weight or weight.isspace():
            weight = None
        if not conc or conc.isspace():
            conc = None
        if not target or target.isspace():
            target = None
        used = NO_DRUG
        if not drug or drug.isspace():
            values = row(dose, weight, conc, target, self.run)
        else:
            assert self.drugs is not None  # else the drug index is the blank cell
            values, used = _drug_row(Cells(dose, weight, conc, target), drug, self.drugs, self.run)
        if self.checked:
            pump = cell(self.pump_column, texts[self.pump])
            if pump is None:
                values += _EMPTY_CHECK_FLAT
            else:
                cells = Cells(dose, weight, conc, target)
                values += flatten(check_values(cells, used, pump, self.run), CHECK_SHAPE)
        return values

    def rows(
        self, records: Iterable[tuple[int, list[str], str | None]], strict: bool = False
    ) -> Iterator[list[Any]]:
        """The flat output rows of ``records`` (see :func:`process_table`)."""
        width = self.width
        for line, cells, error in records:
            row: list[Any] = cells
            if error is None:
                row.append("")
                try:
                    values = self.computed(row)
                except Exception as failure:
                    error = _failure(failure, self.header, self.options)
                else:
                    row[-1:] = values
                    row.append(None)
                    yield row
                    continue
                row.pop()
            else:
                error = " ".join(error.split())
            if strict:
                raise RowError(line, error)
            if len(row) != width:
                row = (row + [""] * width)[:width]
            yield [*row, *self.empty, error]


_EMPTY_CHECK_FLAT = [None] * CHECK_FLAT_WIDTH


def process_table(
    header: list[str],
    records: Iterable[tuple[int, list[str], str | None]],
    options: BatchOptions | None = None,
    strict: bool = False,
) -> Iterator[list[Any]]:
    """:func:`process` for rows of text cells under one header (CSV), as flat output rows.

    ``records`` gives each row's line, cells and reading problem (as :class:`InputRow`).
    Each output row is the input cells (exactly one per header column: a short row is padded
    with ``""``, a long one cut), then the computed fields flat (a measure is two cells,
    value then unit, a value being a float; ``warnings`` and ``causes`` are lists, ``match``
    a bool), then the error. The figures are :func:`process`'s, without a dict per row: this
    is the path a big CSV batch takes.
    """
    return Table(header, options or BatchOptions()).rows(records, strict)


def mismatched(record: Record) -> bool:
    """Whether a record's pump rate failed its check (``match`` is false)."""
    if not record.checked:
        return False
    values = list(record.values())
    return values[-1 - len(CHECK_FIELDS)] is False


def error_of(record: dict[str, Any]) -> str | None:
    """The error of an output record of :func:`process` (its last field)."""
    value = record[next(reversed(record))]
    return None if value is None else str(value)
