"""One row's computed fields: its parsed cells through the engine's plan, as a flat row.

The figures are :func:`infuse_calc.engine.evaluate`'s, the very function ``convert``'s
:func:`~infuse_calc.dosing.calculate` applies; this module only looks the plan up (once per
combination of units in a batch) and lays the figures out as machine output carries them:
each figure one correctly rounded ``int / int`` division, which is exactly
``float(Fraction)`` of the value ``calculate`` gives, so the numbers are bit-identical.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Any, NamedTuple

from infuse_calc import amounts, engine, notation
from infuse_calc.batch.cells import (
    CONCENTRATIONS,
    DOSES,
    TARGETS,
    ConcentrationCell,
    DoseCell,
    TargetCell,
    Timed,
    WeightCell,
    concentration_cell,
    parsed_values,
    weight_cells,
)
from infuse_calc.batch.fields import CHECK_FIELDS, CHECK_MEASURE_FIELDS, GIVEN_FLAT_WIDTH, Figure
from infuse_calc.errors import InputError
from infuse_calc.memo import Memo
from infuse_calc.pump import DEFAULT_LIMITS, PumpLimits
from infuse_calc.quantities import Concentration, parse_dose


class Cells(NamedTuple):
    """The texts of the cells batch reads (``None`` for a blank or missing cell)."""

    dose: str | None
    weight: str | None
    concentration: str | None
    dose_unit: str | None


class DrugUse(NamedTuple):
    """What a drug library gives a row: the standard concentration it uses (if the row has
    none) and the drug's standard concentrations with their labels (for the pump check)."""

    concentration: Concentration | None
    standards: tuple[tuple[Concentration, str], ...]


NO_DRUG = DrugUse(None, ())

#: A row's cells, parsed: dose, weight, concentration, dose unit (``None`` if not given).
Parsed = tuple[DoseCell, WeightCell | None, ConcentrationCell | None, TargetCell | None]
PlanKey = tuple[int, bool, int, int]


class Run:
    """What a batch keeps from row to row: the pump resolution and the plans met so far."""

    __slots__ = (
        "lb_per_kg",
        "limits",
        "plans",
        "resolution",
        "resolution_cell",
        "rounded",
        "step",
        "weights",
    )

    def __init__(
        self,
        resolution: Fraction,
        limits: PumpLimits = DEFAULT_LIMITS,
        lb_per_kg: Fraction | None = None,
    ) -> None:
        self.resolution = resolution
        self.limits = limits
        self.lb_per_kg = lb_per_kg  # pounds per kg for weights in lb (None: exact)
        self.weights = weight_cells(lb_per_kg)
        self.step = limits.resolution(resolution, notation.THOUSANDS_SEPARATORS)
        self.resolution_cell = repr(float(resolution))
        self.plans: dict[PlanKey, engine.Plan] = {}
        # most pumps are set to a few hundred distinct rates: the repr of each, by its
        # count of steps (the csv module's float repr is a large part of writing a row)
        self.rounded: Memo[int, str] = Memo(ROUNDED_REMEMBERED)

    def plan(self, key: PlanKey, cells: Cells, drug: Concentration | None) -> engine.Plan:
        """The plan of a combination not met before; raises convert's error if the
        inputs cannot be combined (whether they can depends on the units alone)."""
        dose, weight, conc, target = cells
        found = engine.plan_for(*parsed_values(dose, weight, conc or drug, target, self.lb_per_kg))
        self.plans[key] = found
        return found

    def rounded_cell(self, steps: int, denominator: int) -> str:
        return self.rounded.keep(steps, repr(steps / denominator))


ROUNDED_REMEMBERED = 4096

#: For a row naming a drug: the limit warnings, from the plan and the dose it delivers.
Limits = Callable[[engine.Plan, "engine.Figure | None"], tuple[str, ...]]

_NO_WEIGHT = (None,) * 8
_NO_PAIR = (None, None)
_NO_VOLUME = (None,) * 4  # pump rate, volume per day
_NO_CONCENTRATION = (None, None, None)
_NO_PUMP = (None,) * 7
_NO_BOLUS = (None,) * 7  # bolus amount and volume, maximum, capped
_NOT_GIVEN = (None,) * GIVEN_FLAT_WIDTH  # duration, amount and volume too
_NO_RATES = (None,) * 6  # per minute, per hour, per day


def row(
    dose: str | None,
    weight: str | None,
    concentration: str | None,
    dose_unit: str | None,
    run: Run,
    drug: tuple[Concentration | None, Limits] | None = None,
) -> list[Any]:
    """``FIELDS`` of a row as a flat row: a measure is two cells, value (a float or its
    repr) then unit; the warnings a list.

    Each cell's text is parsed once per batch; the first bad cell raises convert's error,
    in the order convert reads them. ``drug`` is a drug library's concentration (for a row
    that has none) and how to check the dose against its limits.
    """
    d = DOSES[dose if dose is not None else ""]
    w = None if weight is None else run.weights[weight]
    standard = None if drug is None else drug[0]
    if concentration is not None:
        c: ConcentrationCell | None = CONCENTRATIONS[concentration]
    else:
        c = None if standard is None else concentration_cell(standard)
    t = None if dose_unit is None else TARGETS[dose_unit]
    key = (d.unit_id, w is not None, 0 if c is None else c.units_id, 0 if t is None else t.unit_id)
    plan = run.plans.get(key)
    if plan is None:
        plan = run.plan(key, Cells(dose, weight, concentration, dose_unit), standard)
    wn, wd = (1, 1) if w is None else (w.numerator, w.denominator)
    cn, cd = (1, 1) if c is None else (c.numerator, c.denominator)
    warnings: tuple[str, ...]
    if plan.per_time is None:
        values, dose_rate, warnings = _bolus(plan, d, w, c, (wn, wd, cn, cd)), None, ()
    else:
        values, dose_rate, warnings = _rate(plan, d, w, c, (wn, wd, cn, cd), run)
    more = () if drug is None else drug[1](plan, dose_rate)
    rest = d.rest  # None for most doses: no warnings (and not given over a time)
    if more or (rest and rest[0]) or (w and w.warnings) or (c and c.warnings) or (t and t.warnings):
        values.append(_warnings((d, w, c, t), more, warnings))
    else:  # the pump's warnings alone, or none: distinct by construction
        values.append([*warnings])
    return values


def _rate(
    plan: engine.Plan,
    d: DoseCell,
    w: WeightCell | None,
    c: ConcentrationCell | None,
    numbers: tuple[int, int, int, int],
    run: Run,
) -> tuple[list[Any], engine.Figure | None, tuple[str, ...]]:
    """A rate's cells (without the warnings), its dose rate (for a drug's limits) and the
    warnings of its figures: the engine's evaluation laid out flat, in one list display
    (the cells a plan lacks are constant runs)."""
    timed = None if d.rest is None else d.rest[1]
    span = None if timed is None else (timed[2], timed[3])
    wn, wd, cn, cd = numbers
    minute, hour, day, pump_rate, per_day, dose_rate, pump, warnings = engine.evaluate(
        plan, d.numerator, d.denominator, wn, wd, cn, cd, run.step, span, timed is not None
    )
    exact = False
    if timed is None:
        value: float | str = d.numerator / d.denominator
        given: Any = _NOT_GIVEN
        if pump is not None and pump[4] == 0:
            # a rate the pump can be set to exactly delivers the dose itself (a quarter of
            # the rows): the very float, so one repr (a measure's value may be its repr)
            # serves both cells
            value, exact = repr(value), True
    else:
        value, given = timed[0], _given(plan, d, timed, numbers)
    values = [
        "forward" if plan.forward else "reverse",
        value,
        plan.dose_unit if timed is None else timed[1],
        *(_NO_WEIGHT if w is None else w.cells),
        minute[0] / minute[1],
        minute[2],
        hour[0] / hour[1],
        hour[2],
        day[0] / day[1],
        day[2],
        *(_NO_CONCENTRATION if c is None else c.cells),
        # the pump rate and the volume per day come together (a plan with a volume)
        *(
            _NO_VOLUME
            if pump_rate is None or per_day is None
            else (pump_rate[0] / pump_rate[1], "mL/h", per_day[0] / per_day[1], "mL/day")
        ),
        *(_NO_PAIR if dose_rate is None else (dose_rate[0] / dose_rate[1], dose_rate[2])),
        *(
            _NO_PUMP
            if pump is None
            else (
                run.resolution_cell,
                "mL/h",
                run.rounded.get(pump[0]) or run.rounded_cell(pump[0], pump[1]),
                "mL/h",
                value if exact else pump[2] / pump[3],
                plan.dose_unit,
                pump[4] / pump[5],
            )
        ),
        *given,
    ]
    return values, dose_rate, warnings


def _given(
    plan: engine.Plan, d: DoseCell, timed: Timed, numbers: tuple[int, int, int, int]
) -> list[Any]:
    """The cells of an amount given over a time: the time, the amount and its volume."""
    amount, volume = amounts.totals(plan, d.numerator, d.denominator, *numbers, *timed[2:])
    return [
        timed[2] / timed[3],
        "min",
        amount[0] / amount[1],
        amount[2],
        *(_NO_PAIR if volume is None else (volume[0] / volume[1], "mL")),
        *_NO_BOLUS,
    ]


def _bolus(
    plan: engine.Plan,
    d: DoseCell,
    w: WeightCell | None,
    c: ConcentrationCell | None,
    numbers: tuple[int, int, int, int],
) -> list[Any]:
    """A bolus's row: no rate, no pump; its amount and volume (``amounts.totals``)."""
    amount, volume = amounts.totals(plan, d.numerator, d.denominator, *numbers)
    return [
        "forward" if plan.forward else "reverse",
        d.numerator / d.denominator,
        plan.dose_unit,
        *(_NO_WEIGHT if w is None else w.cells),
        *_NO_RATES,
        *(_NO_CONCENTRATION if c is None else c.cells),
        *_NO_RATES,  # pump rate, volume per day, dose rate
        *_NO_PUMP,
        *_NO_RATES,  # duration, amount, volume (of a dose given over a time)
        amount[0] / amount[1],
        amount[2],
        *(_NO_PAIR if volume is None else (volume[0] / volume[1], "mL")),
        None,
        None,
        None,
    ]


def _warnings(parsed: Parsed, more: tuple[str, ...], pump: tuple[str, ...]) -> list[str]:
    """The row's warnings as convert gives them: the cells', the drug's, the pump's."""
    from infuse_calc.run_warnings import once

    sources = (*(c.warnings for c in parsed if c is not None), more, pump)
    return once(w for source in sources for w in source)


def check_values(cells: Cells, drug: DrugUse, pump_text: str, run: Run) -> tuple[Any, ...]:
    """``CHECK_FIELDS`` for a row with a pump rate: ``infuse-calc check``'s own core, with
    the drug's standard bags as ``check --drug`` gives them."""
    from infuse_calc.check import check

    try:
        programmed = parse_dose(pump_text)
    except InputError as error:
        raise InputError("pump", pump_text, error.reason) from None
    dose, weight, conc, _ = parsed_values(
        *cells[:2], cells.concentration or drug.concentration, None, run.lb_per_kg
    )
    given = (dose, programmed, weight, conc, run.resolution)
    record = check(*given, standards=drug.standards, limits=run.limits).record()
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
