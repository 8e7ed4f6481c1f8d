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
from typing import Any, NamedTuple, TypeVar

from infuse_calc.engine import concentration_figure
from infuse_calc.errors import InfuseCalcError, InputError
from infuse_calc.quantities import (
    Concentration,
    Dose,
    RateUnit,
    Weight,
    parse_concentration,
    parse_dose,
    parse_rate_unit,
    parse_weight,
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

_IDS: dict[object, int] = {}


def _id(units: object) -> int:
    """A small number for a unit or unit pair: plan keys of ints hash fastest."""
    return _IDS.setdefault(units, len(_IDS) + 1)


class DoseCell(NamedTuple):
    dose: Dose
    numerator: int
    denominator: int
    value: float  # the dose as machine output writes it
    unit: str
    unit_id: int


class WeightCell(NamedTuple):
    weight: Weight
    numerator: int  # of the weight in kg
    denominator: int
    cells: tuple[float, str, float, str]  # weight (kg), weight_entered: value, unit


class ConcentrationCell(NamedTuple):
    concentration: Concentration
    numerator: int  # of the amount per volume, in its own units
    denominator: int
    cells: tuple[float, str]  # per mL, in the clearest unit
    units_id: int


class TargetCell(NamedTuple):
    unit: RateUnit
    unit_id: int
    warnings: tuple[str, ...]


def dose_cell(dose: Dose) -> DoseCell:
    value = dose.value
    unit = str(dose.unit)
    return DoseCell(dose, value.numerator, value.denominator, float(value), unit, _id(dose.unit))


def weight_cell(weight: Weight) -> WeightCell:
    kg = weight.kg
    cells = (float(kg), "kg", float(weight.value), weight.unit.symbol)
    return WeightCell(weight, kg.numerator, kg.denominator, cells)


def concentration_cell(concentration: Concentration) -> ConcentrationCell:
    per = concentration.amount / concentration.volume
    n, d, unit = concentration_figure(concentration)
    units_id = _id((concentration.amount_unit, concentration.volume_unit))
    return ConcentrationCell(concentration, per.numerator, per.denominator, (n / d, unit), units_id)


def _target_cell(text: str) -> TargetCell:
    unit, warnings = parse_rate_unit(text)
    return TargetCell(unit, _id(unit), warnings)


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
DOSES: _Cells[DoseCell] = _Cells(lambda text: dose_cell(parse_dose(text)))
WEIGHTS: _Cells[WeightCell] = _Cells(lambda text: weight_cell(parse_weight(text)))
CONCENTRATIONS: _Cells[ConcentrationCell] = _Cells(
    lambda text: concentration_cell(parse_concentration(text))
)
TARGETS: _Cells[TargetCell] = _Cells(_target_cell)
