"""Bedside charts: pump rates for a grid of body weights (rows) by doses (columns).

Printed weight-by-dose charts are usually made by hand, and hand-made charts carry
arithmetic slips. Every cell here is one :func:`infuse_calc.dosing.calculate` on exact
values, so a cell and ``infuse-calc convert`` for the same weight and dose always agree.
This module imports neither click nor rich.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING

from infuse_calc.dosing import (
    DEFAULT_PUMP_RESOLUTION,
    Calculation,
    Measure,
    calculate,
)
from infuse_calc.errors import IncompatibleError, InputError
from infuse_calc.notation import format_exact, format_exact_quantity
from infuse_calc.pump import DEFAULT_LIMITS, PumpLimits
from infuse_calc.quantities import (
    Concentration,
    Dose,
    Kind,
    RateUnit,
    Weight,
    parse_weight,
)
from infuse_calc.titration import list_items, parse_range

if TYPE_CHECKING:
    from infuse_calc.given import Cap

MAX_CHART_ROWS = 200
MAX_CHART_DOSES = 20
MAX_LISTED_WARNINGS = 5


def parse_weights(
    text: str, warnings: list[str], lb_per_kg: Fraction | None = None
) -> list[Weight]:
    """``50,60,70``, ``40..90/5`` (kg, inclusive of 90 when on the grid) or a mix.

    List items may carry a unit (``154 lb``); range bounds are bare kg. Each weight is
    checked like ``--weight``. Empty items, reversed or malformed ranges and more than
    :data:`MAX_CHART_ROWS` weights are refused.
    """
    what = "--weights"
    weights: list[Weight] = []
    for item in list_items(what, text):
        if ".." in item:
            values = parse_range(what, text, item, warnings, MAX_CHART_ROWS)
            items = [format_exact(value, separators=False) for value in values]
        else:
            _refuse_dash_range(what, text, item)
            items = [item]
        for entry in items:
            weights.append(_weight(what, text, entry, warnings, lb_per_kg))
        if len(weights) > MAX_CHART_ROWS:
            raise InputError(what, text, f"gives more than {MAX_CHART_ROWS} weights (rows)")
    return weights


#: ``40-90``, ``40 - 90``, ``40–90``: a range of weights written with a dash
_DASH_RANGE = re.compile(r"([0-9]+(?:\.[0-9]+)?) *[-–] *([0-9]+(?:\.[0-9]+)?)", re.ASCII)


def _refuse_dash_range(what: str, text: str, item: str) -> None:
    """A weight range written ``40-90`` is refused with the range it means, ``40..90/5``."""
    match = _DASH_RANGE.fullmatch(item.strip())
    if match is None:
        return
    low, high = sorted((match[1], match[2]), key=Fraction)
    named = "" if item.strip() == text.strip() else f"'{item.strip()}': "
    raise InputError(
        what,
        text,
        f"{named}a range is written start..stop/step: {low}..{high}/5 for every 5 kg from "
        f"{low} to {high}",
    )


def _weight(
    what: str, text: str, entry: str, warnings: list[str], lb_per_kg: Fraction | None
) -> Weight:
    try:
        weight = parse_weight(entry, lb_per_kg)
    except InputError as error:
        quoted = f"'{entry}'"
        named = error.reason.startswith(quoted) or entry == text.strip()
        reason = error.reason if named else f"weight {quoted}: {error.reason}"
        raise InputError(what, text, reason) from None
    warnings.extend(weight.warnings)
    return weight


@dataclass(frozen=True)
class Cell:
    """One weight at one dose: the whole calculation, with the pump figures at hand."""

    calculation: Calculation

    @property
    def pump_rate(self) -> Measure:
        assert self.calculation.pump_rate is not None
        return self.calculation.pump_rate

    @property
    def pump_setting(self) -> Measure:
        assert self.calculation.pump is not None
        return self.calculation.pump.rate

    @property
    def volume(self) -> Measure:
        """A bolus chart's cell: the volume of the bolus (mL)."""
        given = self.calculation.given
        assert given is not None
        assert given.volume is not None
        return given.volume

    @property
    def flagged(self) -> bool:
        """Whether the cell needs a second look: it carries a warning (rounding changes the
        dose by more than 5%, rounds to 0, is beyond the pump's range, gives more than
        the daily volume limit; a bolus capped at its maximum)."""
        return bool(self.calculation.warnings)


@dataclass(frozen=True)
class ChartRow:
    weight: Weight
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class Chart:
    """A weight-by-dose grid of pump rates."""

    unit: RateUnit
    doses: tuple[Dose, ...]
    rows: tuple[ChartRow, ...]
    concentration: Concentration
    concentration_per_ml: Measure
    pump_resolution: Fraction
    warnings: tuple[str, ...]
    limit: Cap | None = None  # a bolus chart's maximum (--max)

    @property
    def bolus(self) -> bool:
        """A chart of bolus volumes (doses are amounts, ``80 units/kg``), not pump rates."""
        return self.unit.is_amount


def build_chart(
    doses: Sequence[Fraction],
    unit: RateUnit,
    weights: Sequence[Weight],
    concentration: Concentration | None,
    pump_resolution: Fraction = DEFAULT_PUMP_RESOLUTION,
    limits: PumpLimits = DEFAULT_LIMITS,
    limit: Cap | None = None,
) -> Chart:
    """Calculate every cell: a pump rate, or for doses that are amounts (``80 units/kg``)
    the bolus volume, capped at ``limit`` if given. Raises :class:`IncompatibleError` when
    the inputs cannot make a chart (no concentration, a dose that does not depend on
    weight, too many columns)."""
    what = "bolus volumes" if unit.is_amount else "pump rates"
    if concentration is None:
        raise IncompatibleError(f"a chart of {what} needs the concentration: give -c")
    if limit is not None and not unit.is_amount:
        raise IncompatibleError(f"--max caps a bolus; the chart's doses are rates ({unit})")
    if unit.kind is Kind.VOLUME:
        raise IncompatibleError(
            f"chart doses must be drug doses, not pump rates or volumes ({unit})"
        )
    if not unit.per_kg:
        raise IncompatibleError(
            f"chart doses must be per kg (such as mcg/kg/min), not {unit}: the rows vary the "
            "weight, which does not change a dose that is not per kg"
        )
    if not doses:
        raise IncompatibleError("the chart needs at least one dose")
    if len(doses) > MAX_CHART_DOSES:
        raise IncompatibleError(
            f"{len(doses)} doses; a chart has at most {MAX_CHART_DOSES} dose columns"
        )
    if len(set(doses)) != len(doses):
        repeated = next(d for d in doses if list(doses).count(d) > 1)
        raise IncompatibleError(f"dose {format_exact_quantity(repeated, unit)} is listed twice")
    if not weights:
        raise IncompatibleError("the chart needs at least one weight")
    if len(weights) > MAX_CHART_ROWS:
        raise IncompatibleError(f"{len(weights)} weights; a chart has at most {MAX_CHART_ROWS}")
    dose_list = tuple(
        Dose(value, unit, f"{format_exact(value, separators=False)} {unit}") for value in doses
    )
    rows: list[ChartRow] = []
    cell_warnings: list[str] = []
    for weight in weights:
        cells: list[Cell] = []
        for dose in dose_list:
            calc = calculate(
                dose, weight, concentration, None, pump_resolution, limits, limit=limit
            )
            cells.append(Cell(calc))
            cell_warnings.extend(
                f"{calc.weight_text()} at {calc.dose_text()}: {message}"
                for message in calc.warnings
            )
        rows.append(ChartRow(weight, tuple(cells)))
    per_ml = rows[0].cells[0].calculation.concentration_per_ml
    assert per_ml is not None
    return Chart(
        unit=unit,
        doses=dose_list,
        rows=tuple(rows),
        concentration=concentration,
        concentration_per_ml=per_ml,
        pump_resolution=pump_resolution,
        warnings=tuple(_summarise(cell_warnings)),
        limit=limit,
    )


def _summarise(messages: list[str]) -> list[str]:
    """At most a few cell warnings, then a count: a 200-row chart must not bury stderr."""
    if len(messages) <= MAX_LISTED_WARNINGS:
        return messages
    rest = len(messages) - MAX_LISTED_WARNINGS
    return [
        *messages[:MAX_LISTED_WARNINGS],
        f"... and {rest} more cell warnings (every flagged cell is marked * in the chart "
        "and has its warnings in --format json)",
    ]
