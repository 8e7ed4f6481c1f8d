"""Reading a row's cells: through the very parsers ``convert`` uses, once per distinct text.

A batch repeats its cell texts (a few units, standard bags, common doses and weights), so
each distinct text is parsed once by :mod:`infuse_calc.quantities` and its result kept with
the numbers the engine needs. What batch refuses, and the words it refuses it in, are
therefore ``convert``'s by construction; so are the warnings of error-prone spellings.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from typing import Any, NamedTuple, TypeVar

from infuse_calc.engine import concentration_machine
from infuse_calc.errors import InfuseCalcError, InputError
from infuse_calc.quantities import (
    ACTUAL,
    Concentration,
    Dose,
    RateUnit,
    Weight,
    parse_concentration,
    parse_dose,
    parse_rate_unit,
    parse_weight,
    read_dose,
    read_weight,
)


def cell_text(name: str, value: Any) -> str | None:
    """The text of one cell; ``None`` for an empty or missing cell.

    JSON numbers are accepted: an integer is its digits, a float the shortest decimal that
    reads back as the same float, written out in full (``72.0`` is ``72``, ``1e-05`` is
    ``0.00001``). A float's ``.0`` is how JSON writes numbers, not a typing slip, so it gives
    no trailing-zero warning.
    """
    if value is None:
        return None
    if isinstance(value, str):
        return value if value.strip() else None
    if isinstance(value, bool):
        raise InputError(name, str(value).lower(), "expected text or a number, not true/false")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InputError(name, repr(value), "is not a finite number")
        text = format(Decimal(repr(value)), "f")
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        return text
    raise InputError(name, _short(value), "expected text or a number")


def cell(name: str, value: Any) -> str | None:
    """:func:`cell_text`, with the common case (a non-blank string) answered at once."""
    if value.__class__ is str and value and not value[0].isspace():
        return value
    return cell_text(name, value)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


# --- parsed cells -------------------------------------------------------------------------

# A parsed cell keeps only what a row needs: the exact number as numerator and denominator,
# what machine output writes for the few cells of a kind (a float's repr, made once here
# rather than once per row; not for doses, which are too many), the cell's warnings, and a
# number for its unit (so that a plan key is a few small ints).
# The parsed values themselves are not kept: a batch of a million rows holds tens of
# thousands of distinct texts, and memory must not grow with them. The rare paths that
# need them (a new unit combination, a pump check, a drug) parse the texts again.

_UNITS: dict[object, int] = {}


def _unit_id(unit: object) -> int:
    """A small number for each distinct unit (or pair of units): plan keys of small ints
    hash fast, and small ints take no memory of their own."""
    return _UNITS.setdefault(unit, len(_UNITS) + 1)  # 0 stands for "not given"


#: an amount given over a time: the amount typed and its unit, the minutes (n, d)
Timed = tuple[float, str, int, int]


class DoseCell(NamedTuple):
    # The most numerous cells (a dose per row, tens of thousands of distinct texts in a
    # big batch): only what the row needs, for memory's sake.
    numerator: int
    denominator: int
    unit_id: int
    # the rest, which most cells lack (None): their warnings, and an amount given over a
    # time. One field for both: a field less on every cell is 16 bytes less per text.
    rest: tuple[tuple[str, ...], Timed | None] | None = None

    @property
    def warnings(self) -> tuple[str, ...]:
        return () if self.rest is None else self.rest[0]

    @property
    def timed(self) -> Timed | None:
        """An amount given over a time: the amount typed and its unit (the dose field),
        and the minutes (numerator, denominator); None for a rate or a bolus."""
        return None if self.rest is None else self.rest[1]


class WeightCell(NamedTuple):
    numerator: int  # of the weight in kg
    denominator: int
    # weight (kg), weight_entered, weight_actual (kg): repr of value, unit; then
    # dosing_weight and lb_per_kg
    cells: tuple[str, str, str, str, str, str, str, float | None]
    warnings: tuple[str, ...]


class ConcentrationCell(NamedTuple):
    numerator: int  # of the amount per volume, in its own units
    denominator: int
    cells: tuple[str, str, str | None]  # per mL in its machine unit (repr, unit), vehicle
    units_id: int
    warnings: tuple[str, ...]


class TargetCell(NamedTuple):
    unit_id: int
    warnings: tuple[str, ...]


def _dose_cell(text: str) -> DoseCell:
    value, unit, warnings, duration = read_dose(text, amounts=True)
    timed = None
    if duration is not None:
        dose = Dose(value, unit, text, warnings, duration)  # the amount typed, and its unit
        amount, minutes = dose.amount, duration.minutes
        timed = (
            amount.numerator / amount.denominator,
            dose.amount_unit,
            minutes.numerator,
            minutes.denominator,
        )
    unit_id = _unit_id(unit)
    rest = None if not warnings and timed is None else (warnings or (), timed)
    return DoseCell(value.numerator, value.denominator, unit_id, rest)


def _weight_cell(text: str, lb_per_kg: Fraction | None = None) -> WeightCell:
    value, unit, kg, warnings, factor = read_weight(text, lb_per_kg)
    # int / int is float(Fraction), without its two calls in Python
    in_kg = repr(kg.numerator / kg.denominator)
    entered = repr(value.numerator / value.denominator)
    lb = None if factor is None else factor.numerator / factor.denominator
    # a typed weight is the actual weight (the method a Weight has unless another is asked)
    cells = (in_kg, "kg", entered, unit.symbol, in_kg, "kg", ACTUAL, lb)
    return WeightCell(kg.numerator, kg.denominator, cells, warnings)


def concentration_cell(concentration: Concentration) -> ConcentrationCell:
    """The parsed cell of a concentration (also of a drug library's)."""
    per = concentration.amount / concentration.volume
    n, d, unit = concentration_machine(concentration)
    units_id = _unit_id((concentration.amount_unit, concentration.volume_unit))
    cells = (repr(n / d), unit, concentration.vehicle)
    return ConcentrationCell(
        per.numerator, per.denominator, cells, units_id, concentration.warnings
    )


def _target_cell(text: str) -> TargetCell:
    unit, warnings = parse_rate_unit(text)
    return TargetCell(_unit_id(unit), warnings)


# Distinct texts remembered per kind of cell; past this the memory is cleared (a batch of
# all-distinct numbers keeps memory flat, at the cost of parsing each cell).
MAX_REMEMBERED = 65536

T = TypeVar("T")


class _Cells(dict[str, T]):
    """Parsed cells by text; texts that failed are kept apart with their error."""

    def __init__(self, read: Callable[[str], T]) -> None:
        super().__init__()
        self.read = read
        self.failed: dict[str, InfuseCalcError] = {}

    def __missing__(self, text: str) -> T:
        error = self.failed.get(text)
        if error is None:
            if len(self) + len(self.failed) >= MAX_REMEMBERED:
                self.clear()
                self.failed.clear()
            try:
                self[text] = parsed = self.read(text)
                return parsed
            except InfuseCalcError as failure:
                error = self.failed[text] = failure
        # the same error object each time, without the tracebacks of earlier raises
        raise error.with_traceback(None)


#: ``DOSES[text]`` is the parsed cell, or raises ``convert``'s error for that text.
DOSES: _Cells[DoseCell] = _Cells(_dose_cell)
WEIGHTS: _Cells[WeightCell] = _Cells(_weight_cell)
_WEIGHTS_BY_FACTOR: dict[Fraction, _Cells[WeightCell]] = {}


def weight_cells(lb_per_kg: Fraction | None) -> _Cells[WeightCell]:
    """The weight cells of a batch read with ``lb_per_kg`` (``None``: the exact pound):
    the same parser as ``convert --lb-per-kg``, so the two agree."""
    if lb_per_kg is None:
        return WEIGHTS
    found = _WEIGHTS_BY_FACTOR.get(lb_per_kg)
    if found is None:
        found = _WEIGHTS_BY_FACTOR[lb_per_kg] = _Cells(lambda text: _weight_cell(text, lb_per_kg))
    return found


CONCENTRATIONS: _Cells[ConcentrationCell] = _Cells(
    lambda text: concentration_cell(parse_concentration(text))
)
TARGETS: _Cells[TargetCell] = _Cells(_target_cell)


def parsed_values(
    dose: str | None,
    weight: str | None,
    concentration: str | Concentration | None,
    dose_unit: str | None,
    lb_per_kg: Fraction | None = None,
) -> tuple[Dose, Weight | None, Concentration | None, RateUnit | None]:
    """The parsed values of cells that parsed before (a concentration may be given parsed:
    a drug library's)."""
    if isinstance(concentration, str):
        concentration = parse_concentration(concentration)
    return (
        parse_dose(dose if dose is not None else "", amounts=True),
        None if weight is None else parse_weight(weight, lb_per_kg),
        concentration,
        None if dose_unit is None else parse_rate_unit(dose_unit)[0],
    )
