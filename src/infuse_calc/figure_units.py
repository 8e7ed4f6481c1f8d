"""How a figure is expressed: the one machine unit of each field (JSON, CSV) and the
clearest unit of each figure (human output).

Machine output gives every amount of a kind in one unit (:data:`MACHINE_AMOUNT`: mg for
every mass drug), whatever was typed and however large the value, so that a column of a
titration ladder or a batch sorts and plots; the rule is in docs/json.md. Human output
instead shows each figure in the unit in which it reads as a plain number (33.333 mg/min,
not 0.033333 g/min; 6 milliunits/min, not 0.006 units/min): :func:`clearest`.

This module imports neither pint, click nor rich: factors come from
:func:`infuse_calc.units.factor`.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from fractions import Fraction

from infuse_calc.quantities import (
    DROP,
    HOUR,
    LADDERS,
    MCG,
    MEQ,
    MG,
    MILLIUNITS,
    MINUTE,
    ML,
    MMOL,
    UNITS,
    Concentration,
    Kind,
    RateUnit,
    UnitWord,
)
from infuse_calc.units import factor

#: An exact figure: ``(numerator, denominator, unit)``; the denominator is positive.
Figure = tuple[int, int, str]


# --- machine units ------------------------------------------------------------------------

#: The one unit machine output (JSON, CSV) gives every amount of each kind in, whatever was
#: typed and however large the value: a field's unit is fixed by the field and the kind of
#: amount (``per_hour``: mg/h for every mass order of a run), so a column sorts and plots.
MACHINE_AMOUNT: dict[Kind, UnitWord] = {
    Kind.MASS: MG,
    Kind.UNITS: UNITS,
    Kind.SUBSTANCE: MMOL,
    Kind.EQUIVALENTS: MEQ,
    Kind.VOLUME: ML,
    Kind.DROPS: DROP,
}


def machine_unit(kind: Kind, per: str | None = None) -> str:
    """The machine unit of an amount of ``kind`` (``mg``), or of it per ``per`` (``mg/h``,
    ``mg/mL``): see docs/json.md."""
    amount = MACHINE_AMOUNT[kind].symbol
    return amount if per is None else f"{amount}/{per}"


# --- the clearest unit (human output only) -----------------------------------------------

#: The smallest unit human output shows an amount of each kind in unless that unit was typed:
#: the clinical units (0.5 mcg/min, not 500 ng/min).
DISPLAY_FLOOR: dict[Kind, UnitWord] = {Kind.MASS: MCG, Kind.UNITS: MILLIUNITS}

# One candidate unit, ready for the per-figure choice: (lower, upper, factor numerator,
# denominator, unit). The figure in that unit is value * n / d, which reaches 1 at
# value = d / n; lower and upper bracket that threshold as floats, so a float comparison
# decides every value but those within a hair of it, which the integers then settle exactly.
_Step = tuple[float, float, int, int, str]
#: The candidates, largest first, and the unit used when none reaches 1 (the floor).
Choice = tuple[tuple[_Step, ...], tuple[int, int, str]]


def _choice(ladder: Sequence[tuple[str, Fraction]]) -> Choice:
    steps = []
    for symbol, size in reversed(ladder[1:]):
        threshold = size.denominator / size.numerator
        steps.append(
            (
                threshold * (1 - 1e-9),
                threshold * (1 + 1e-9),
                size.numerator,
                size.denominator,
                symbol,
            )
        )
    symbol, size = ladder[0]
    return tuple(steps), (size.numerator, size.denominator, symbol)


def display_floor(typed: UnitWord) -> UnitWord:
    """The smallest unit a figure of ``typed``'s kind is shown in: the kind's clinical floor,
    or ``typed`` if it is smaller (a dose typed in ng stays in ng)."""
    floor = DISPLAY_FLOOR.get(typed.kind)
    return typed if floor is None or typed.rank < floor.rank else floor


@functools.cache
def choice(source: str, floor: UnitWord, per: str | None = None) -> Choice:
    """The clearest-unit choice for a figure held in unit ``source``.

    The candidates are the units of ``floor``'s kind from ``floor`` up (each ``/per`` if
    given); the clearest is the largest in which the value is still at least 1, and
    ``floor`` when none is: 30,240 mcg/h is shown as 30.24 mg/h, 0.033333 g/min as
    33.333 mg/min.
    """
    words = [w for w in LADDERS.get(floor.kind, ()) if w.rank >= floor.rank] or [floor]
    units = [w.symbol if per is None else f"{w}/{per}" for w in words]
    return _choice([(u, factor(source, u)) for u in units])


def choose(numerator: int, denominator: int, choices: tuple[Choice, ...]) -> list[Figure]:
    """A value (``numerator / denominator`` in the choices' source unit) in the clearest
    unit of each choice (a rate per minute, per hour and per day, say)."""
    try:
        x = numerator / denominator
    except OverflowError:  # beyond floats: larger than any threshold
        x = float("inf")
    figures = []
    for steps, first in choices:
        for lower, upper, n, d, symbol in steps:
            if x >= upper or (x >= lower and numerator * n >= denominator * d):
                figures.append((numerator * n, denominator * d, symbol))
                break
        else:
            figures.append((numerator * first[0], denominator * first[1], first[2]))
    return figures


def clearest(value: Fraction, unit: str, floor: UnitWord, per: str | None = None) -> Figure:
    """``value`` (in ``unit``) in the clearest unit of ``floor``'s kind (see :func:`choice`)."""
    return choose(value.numerator, value.denominator, (choice(unit, floor, per),))[0]


def concentration_machine(concentration: Concentration) -> Figure:
    """A concentration per mL in its machine unit (``mg/mL`` for every mass drug)."""
    per = concentration.amount / concentration.volume
    size = factor(concentration.unit_text, machine_unit(concentration.kind, "mL"))
    return (
        per.numerator * size.numerator,
        per.denominator * size.denominator,
        machine_unit(concentration.kind, "mL"),
    )


#: A concentration that reads as a plain number in the unit typed stays in it when it is at
#: least this (a units bag is 0.2 units/mL, not 200 milliunits/mL); below it, the clearest
#: unit (4 mg in 250 mL is 16 mcg/mL, not 0.016 mg/mL).
PLAIN_CONCENTRATION = Fraction(1, 10)


def concentration_figure(concentration: Concentration) -> Figure:
    """A concentration per mL as human output shows it (see :data:`PLAIN_CONCENTRATION`).

    The unit typed is the amount's, or mg for a ratio strength (ISMP's mg/mL form:
    1:10,000 is 0.1 mg/mL); a percentage has none, so it takes the clearest unit.
    """
    n, d, unit = concentration_machine(concentration)
    typed = MG if concentration.ratio is not None else concentration.amount_unit
    if concentration.percent is None:
        in_typed = Fraction(n, d) * factor(unit, f"{typed}/mL")
        if PLAIN_CONCENTRATION <= in_typed < 1:
            return in_typed.numerator, in_typed.denominator, f"{typed}/mL"
    return clearest(Fraction(n, d), unit, display_floor(typed), "mL")


# --- the reverse direction's dose unit (human output) -------------------------------------

GRAMS_FROM = (Fraction(1), "g/h")  # magnesium: 2 g/h
MILLIUNITS_BELOW = (Fraction(1), "units/h")  # oxytocin: 6 milliunits/min is 0.36 units/h
PER_HOUR_BELOW = (Fraction(1, 100), "mcg/kg/min")  # dexmedetomidine: 0.7 mcg/kg/h


def clinical_dose_unit(kind: Kind, per_hour: Fraction, kg: Fraction | None) -> RateUnit | None:
    """The dose unit human output shows a delivered dose in when none was asked for: the
    one clinicians use for that kind of drug at that rate (``per_hour`` is the amount per
    hour in its machine unit). ``--drug`` gives the drug's own unit instead. ``None``: the
    default (:func:`default_dose_unit`).

    Units: below 1 unit/h, milliunits/min (oxytocin), else units/kg/h (units/h without a
    weight). Mass: from 1 g/h, g/h (magnesium); with a weight, mcg/kg/h below
    0.01 mcg/kg/min (dexmedetomidine), else mcg/kg/min; without one, mcg/min.
    """
    if kind is Kind.UNITS:
        if per_hour * factor(machine_unit(kind, "h"), MILLIUNITS_BELOW[1]) < MILLIUNITS_BELOW[0]:
            return RateUnit(MILLIUNITS, MINUTE)
        return RateUnit(UNITS, HOUR, per_kg=kg is not None)
    if kind is not Kind.MASS:
        return None
    if per_hour * factor(machine_unit(kind, "h"), GRAMS_FROM[1]) >= GRAMS_FROM[0]:
        return RateUnit(LADDERS[Kind.MASS][-1], HOUR)
    if kg is None:
        return RateUnit(MCG, MINUTE)
    # the dose per kg, in the threshold's unit (mcg/kg/min)
    per_kg = per_hour * factor(machine_unit(kind, "h"), PER_HOUR_BELOW[1].replace("/kg", "")) / kg
    if per_kg < PER_HOUR_BELOW[0]:
        return RateUnit(MCG, HOUR, per_kg=True)
    return RateUnit(MCG, MINUTE, per_kg=True)
