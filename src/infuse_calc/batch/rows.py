"""One row's computed fields: its parsed cells through the engine's plan, as a flat row.

The figures are :func:`infuse_calc.engine.evaluate`'s, the very function ``convert``'s
:func:`~infuse_calc.dosing.calculate` applies; this module only looks the plan up (once per
combination of units in a batch) and lays the figures out as machine output carries them:
each figure one correctly rounded ``int / int`` division, which is exactly
``float(Fraction)`` of the value ``calculate`` gives, so the numbers are bit-identical.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, NamedTuple

from infuse_calc import engine, notation
from infuse_calc.batch.cells import (
    CONCENTRATIONS,
    DOSES,
    TARGETS,
    WEIGHTS,
    ConcentrationCell,
    DoseCell,
    TargetCell,
    WeightCell,
)
from infuse_calc.batch.fields import CHECK_FIELDS, CHECK_MEASURE_FIELDS, Figure
from infuse_calc.errors import InputError
from infuse_calc.quantities import parse_dose


class Cells(NamedTuple):
    """The texts of the cells batch reads (``None`` for a blank or missing cell)."""

    dose: str | None
    weight: str | None
    concentration: str | None
    dose_unit: str | None


class Parsed(NamedTuple):
    """A row's cells, parsed (``None`` for a cell not given)."""

    dose: DoseCell
    weight: WeightCell | None
    concentration: ConcentrationCell | None
    target: TargetCell | None


PlanKey = tuple[int, bool, int, int]


class Run:
    """What a batch keeps from row to row: the pump resolution and the plans met so far."""

    __slots__ = ("plans", "resolution", "resolution_cell", "step")

    def __init__(self, resolution: Fraction) -> None:
        self.resolution = resolution
        self.step = engine.resolution(resolution, notation.THOUSANDS_SEPARATORS)
        self.resolution_cell = float(resolution)
        self.plans: dict[PlanKey, engine.Plan] = {}

    def plan(self, key: PlanKey, parsed: Parsed) -> engine.Plan:
        """The plan of a combination not met before; raises convert's error if the
        inputs cannot be combined (whether they can depends on the units alone)."""
        dose, weight, conc, target = parsed
        found = engine.plan_for(
            dose.dose,
            None if weight is None else weight.weight,
            None if conc is None else conc.concentration,
            None if target is None else target.unit,
        )
        self.plans[key] = found
        return found


def parse(
    dose: str | None, weight: str | None, concentration: str | None, dose_unit: str | None
) -> Parsed:
    """A row's cells parsed (each text once per batch); raises the first cell's error, in
    the order convert reads them."""
    return Parsed(
        DOSES[dose if dose is not None else ""],
        None if weight is None else WEIGHTS[weight],
        None if concentration is None else CONCENTRATIONS[concentration],
        None if dose_unit is None else TARGETS[dose_unit],
    )


def evaluate(parsed: Parsed, run: Run) -> tuple[engine.Plan, engine.Evaluation]:
    """The row's plan and figures."""
    dose, weight, conc, target = parsed
    key = (
        dose.unit_id,
        weight is not None,
        0 if conc is None else conc.units_id,
        0 if target is None else target.unit_id,
    )
    plan = run.plans.get(key) or run.plan(key, parsed)
    wn, wd = (1, 1) if weight is None else (weight.numerator, weight.denominator)
    cn, cd = (1, 1) if conc is None else (conc.numerator, conc.denominator)
    figures = engine.evaluate(plan, dose.numerator, dose.denominator, wn, wd, cn, cd, run.step)
    return plan, figures


_NO_WEIGHT = (None, None, None, None)
_NO_CONCENTRATION = (None, None)
_NO_VOLUME = (None, None, None, None)
_NO_PUMP = (None,) * 7


def flat(
    parsed: Parsed,
    plan: engine.Plan,
    figures: engine.Evaluation,
    run: Run,
    more_warnings: tuple[str, ...] = (),
) -> list[Any]:
    """``FIELDS`` as a flat row: a measure is two cells, value (a float) then unit."""
    dose, weight, conc, _ = parsed
    minute, hour, day, pump_rate, volume_per_day, dose_rate, pump = figures
    row: list[Any] = [
        "forward" if plan.forward else "reverse",
        dose.value,
        plan.dose_unit,
        *(_NO_WEIGHT if weight is None else weight.cells),
        minute[0] / minute[1],
        minute[2],
        hour[0] / hour[1],
        hour[2],
        day[0] / day[1],
        day[2],
        *(_NO_CONCENTRATION if conc is None else conc.cells),
    ]
    if pump_rate is None or volume_per_day is None:
        row += _NO_VOLUME
    else:
        row += (
            pump_rate[0] / pump_rate[1],
            "mL/h",
            volume_per_day[0] / volume_per_day[1],
            "mL/day",
        )
    row += (None, None) if dose_rate is None else (dose_rate[0] / dose_rate[1], dose_rate[2])
    warnings: tuple[str, ...] = ()
    if pump is None:
        row += _NO_PUMP
    else:
        rn, rd, xn, xd, pn, pd, warnings = pump
        row += (run.resolution_cell, "mL/h", rn / rd, "mL/h", xn / xd, plan.dose_unit, pn / pd)
    row.append(_warnings(parsed, more_warnings, warnings))
    return row


def _warnings(parsed: Parsed, more: tuple[str, ...], pump: tuple[str, ...]) -> list[str]:
    """The row's warnings as convert gives them: the cells', the drug's, the pump's."""
    dose, weight, conc, target = parsed
    sources = [
        source
        for source in (
            dose.dose.warnings,
            () if weight is None else weight.weight.warnings,
            () if conc is None else conc.concentration.warnings,
            () if target is None else target.warnings,
            more,
            pump,
        )
        if source
    ]
    if len(sources) == 1:  # the common warning row: the pump's, or one cell's
        return list(dict.fromkeys(sources[0]))
    warnings: list[str] = []
    for source in sources:
        warnings.extend(w for w in source if w not in warnings)
    return warnings


def check_values(parsed: Parsed, pump_text: str, run: Run) -> tuple[Any, ...]:
    """``CHECK_FIELDS`` for a row with a pump rate: ``infuse-calc check``'s own core."""
    from infuse_calc.check import check

    try:
        programmed = parse_dose(pump_text)
    except InputError as error:
        raise InputError("pump", pump_text, error.reason) from None
    dose, weight, conc, _ = parsed
    result = check(
        dose.dose,
        programmed,
        None if weight is None else weight.weight,
        None if conc is None else conc.concentration,
        run.resolution,
    )
    record = result.record()
    values: list[Any] = []
    for name in CHECK_FIELDS:
        value = record[name]
        if name in CHECK_MEASURE_FIELDS:
            value = Figure((float(value.value), value.unit))
        elif isinstance(value, Fraction):
            value = float(value)
        elif name == "causes":
            value = [cause.text for cause in value]
        values.append(value)
    return tuple(values)
