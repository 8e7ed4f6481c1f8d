"""The problem types of ``practice``: how each is drawn and worded.

Each maker draws an order from the practice ranges (:mod:`infuse_calc.practice_data`), words
it, and hands the inputs to :func:`~infuse_calc.practice.make_problem`, which takes every
answer from the engine. A maker returns ``None`` for a draw that would make a poor problem
(the caller draws again). A type whose calculation the engine cannot do is listed with
``make=None``: ``--type`` refuses it and ``all`` leaves it out.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

from infuse_calc.drip import DROP_FACTORS
from infuse_calc.durations import parse_duration
from infuse_calc.given import order_text
from infuse_calc.notation import format_exact, format_exact_quantity
from infuse_calc.practice import (
    PUMP_STEP,
    Ask,
    Inputs,
    PracticeError,
    Problem,
    calculation,
    make_problem,
)
from infuse_calc.practice_data import DoseRange, DrugFacts, GivenRange, drug_facts, ranges
from infuse_calc.quantities import (
    HOUR,
    RateUnit,
    parse_amount,
    parse_concentration,
    parse_dose,
    parse_rate_unit,
)

TYPE_NAMES = (
    "pump-rate",
    "dose-from-rate",
    "units-per-hour",
    "drip-rate",
    "pounds",
    "over-time",
    "bolus",
)


def _number(value: Fraction) -> str:
    """A number as the engine reads it today (no thousands separators)."""
    return format_exact(value, separators=False)


def _patient(weight: str | None, value: Fraction | None) -> str:
    """``A 68 kg patient``, ``An 80 kg patient``, ``A patient``."""
    if weight is None or value is None:
        return "A patient"
    whole = str(value.numerator // value.denominator)
    article = "An" if whole.startswith("8") or whole in ("11", "18") else "A"
    return f"{article} {weight} patient"


def _capital(name: str) -> str:
    """A drug name opening a sentence: ``Norepinephrine``; tall-man ``DOPamine`` is kept."""
    return name[:1].upper() + name[1:]


def _bag(concentration: str) -> str:
    """``4 mg in 250 mL`` (a bag), or ``1,600 mcg/mL`` (a strength per mL), as printed."""
    conc = parse_concentration(concentration)
    amount = f"{format_exact(conc.amount)} {conc.amount_unit}"
    if not conc.per_volume_given:
        return f"{amount}/{conc.volume_unit}"
    words = f"{amount} in {format_exact(conc.volume)} {conc.volume_unit}"
    return f"{words} {conc.vehicle}" if conc.vehicle else words


def _bag_sentence(concentration: str) -> str:
    """``The bag is 4 mg in 250 mL.`` or ``The concentration is 1,600 mcg/mL.``"""
    if parse_concentration(concentration).per_volume_given:
        return f"The bag is {_bag(concentration)}."
    return f"The concentration is {_bag(concentration)}."


@dataclass(frozen=True)
class _Order:
    """A drawn drug order: the range, the drug and its bag, the dose and (if per kg) the
    weight."""

    range: DoseRange
    facts: DrugFacts
    concentration: str  # one of the drug's standard concentrations
    dose: Fraction
    weight: str | None
    weight_value: Fraction | None

    @property
    def dose_text(self) -> str:
        return f"{_number(self.dose)} {self.range.unit}"

    @property
    def ordered(self) -> str:
        """``A 68 kg patient is ordered DOPamine 5 mcg/kg/min.``"""
        dose = f"{format_exact(self.dose)} {self.range.unit}"
        return f"{_patient(self.weight, self.weight_value)} is ordered {self.facts.name} {dose}."

    @property
    def with_bag(self) -> str:
        """The order, then ``The bag is 4 mg in 250 mL.``"""
        return f"{self.ordered} {_bag_sentence(self.concentration)}"

    def inputs(self, bag: bool = True) -> Inputs:
        """What convert is given for the order (with the bag, or without)."""
        return Inputs(self.dose_text, self.weight, self.concentration if bag else None)


def _order(rng: random.Random, dose_range: DoseRange, pounds: bool = False) -> _Order:
    facts = drug_facts(dose_range.drug)
    concentration = rng.choice(facts.concentrations)
    dose = dose_range.span.draw(rng)
    weight = value = None
    if _unit(dose_range.unit).per_kg:
        span = ranges().weight_lb if pounds else ranges().weight_kg
        value = span.draw(rng)
        weight = f"{_number(value)} {'lb' if pounds else 'kg'}"
    return _Order(dose_range, facts, concentration, dose, weight, value)


@functools.cache
def _unit(text: str) -> RateUnit:
    """A dose unit of the ranges file, read once (a set reads each one hundreds of times)."""
    return parse_rate_unit(text)[0]


@functools.cache
def steps(dose_range: DoseRange) -> int:
    """How many conversions the order needs besides dividing by the concentration.

    Per kg, a time other than hours, an amount unit other than the bag's, and a bag given as
    an amount in a volume (its strength per mL to work out): each is one step of the chain
    (and the first three each a way to be wrong by a named factor). Counted on the drug's
    first standard concentration.
    """
    unit = _unit(dose_range.unit)
    conc = parse_concentration(drug_facts(dose_range.drug).concentrations[0])
    return (
        int(unit.per_kg)
        + int(unit.time is not HOUR)
        + int(unit.amount != conc.amount_unit)
        + int(conc.per_volume_given)
    )


def level_of(dose_range: DoseRange) -> int:
    """1 (no conversion), 2 (one or two), 3 (three or more)."""
    count = steps(dose_range)
    return 1 if count == 0 else 2 if count <= 2 else 3


def _pick(
    rng: random.Random, level: int, keep: Callable[[DoseRange], bool] = lambda r: True
) -> DoseRange:
    """A dose range of the level asked (or the nearest level that has one)."""
    candidates = [r for r in ranges().doses if keep(r)]
    if not candidates:
        raise PracticeError("the practice data has no dose range for this problem type")
    nearest = min(abs(level_of(r) - level) for r in candidates)
    return rng.choice([r for r in candidates if abs(level_of(r) - level) == nearest])


def _per_kg(dose_range: DoseRange) -> bool:
    return _unit(dose_range.unit).per_kg


def _in_units(dose_range: DoseRange) -> bool:
    return _unit(dose_range.unit).amount.symbol == "units"


_PUMP = Ask("Set the pump to how many mL/h?", "pump_rate", "mL/h", PUMP_STEP)
_DRIPS = Ask("How many drops per minute?", "drip_rate", "gtt/min", Fraction(1))


def make_pump_rate(rng: random.Random, level: int) -> Problem | None:
    order = _order(rng, _pick(rng, level))
    return make_problem("pump-rate", level, order.with_bag, order.inputs(), [_PUMP])


def make_dose_from_rate(rng: random.Random, level: int) -> Problem | None:
    order = _order(rng, _pick(rng, level))
    forward = calculation(order.inputs())
    if forward.pump is None:
        return None
    # the rate a nurse would find the pump set to for a plausible order
    setting = forward.pump.rate.value
    patient = "" if order.weight is None else f" for a patient weighing {order.weight}"
    running = f"is running at {format_exact(setting)} mL/h{patient}."
    text = f"{_capital(order.facts.name)} {_bag(order.concentration)} {running}"
    unit = order.range.unit
    inputs = Inputs(f"{_number(setting)} mL/h", order.weight, order.concentration, unit)
    question = f"What dose is the patient receiving, in {unit}?"
    ask = Ask(question, "dose_rate", unit, order.range.answer_step)
    return make_problem("dose-from-rate", level, text, inputs, [ask])


def make_units_per_hour(rng: random.Random, level: int) -> Problem | None:
    if level == 1:
        order = _order(rng, _pick(rng, 1, lambda r: _in_units(r) and not _per_kg(r)))
        asks = [_PUMP]
    else:
        dose_range = _pick(rng, level, lambda r: _in_units(r) and _per_kg(r))
        order = _order(rng, dose_range, pounds=level == 3)
        amount = f"{_unit(dose_range.unit).amount}/h"
        asks = [Ask(f"How many {amount} is that?", "per_hour", amount, Fraction(1)), _PUMP]
    return make_problem("units-per-hour", level, order.with_bag, order.inputs(), asks)


def make_drip_rate(rng: random.Random, level: int) -> Problem | None:
    data = ranges()
    fluid = rng.choice(data.fluids)
    rate = data.fluid_rate.draw(rng)
    # macrodrip sets first; the microdrip set (gtt/min = mL/h) from level 2
    factor = rng.choice(DROP_FACTORS if level > 1 else DROP_FACTORS[:-1])
    text = f"Infuse {fluid} at {format_exact(rate)} mL/h by gravity with a {factor} gtt/mL set."
    inputs = Inputs(f"{_number(rate)} mL/h", drop_factor=factor)
    return make_problem("drip-rate", level, text, inputs, [_DRIPS])


def make_pounds(rng: random.Random, level: int) -> Problem | None:
    order = _order(rng, _pick(rng, level, _per_kg), pounds=True)
    kg = Ask("What is the patient's weight in kg?", "weight", "kg", PUMP_STEP)
    if level == 1:
        # the first step alone: the chain stops at the weight
        return make_problem("pounds", level, order.ordered, order.inputs(bag=False), [kg], 1)
    if level == 2:
        unit = _unit(order.range.unit)
        assert unit.time is not None  # a practice order is a rate
        field = "per_minute" if unit.time.symbol == "min" else "per_hour"
        total = f"{unit.amount}/{unit.time}"
        asks = [kg, Ask(f"How many {total} is that?", field, total)]
        return make_problem("pounds", level, order.ordered, order.inputs(bag=False), asks)
    return make_problem("pounds", level, order.with_bag, order.inputs(), [kg, _PUMP])


# --- amounts given over a time, and boluses ------------------------------------------------


@functools.cache
def _given_unit(text: str) -> RateUnit:
    """The unit of an amount of the ranges file (``mL``, ``mcg/kg``), read once."""
    return parse_dose(f"1 {text}", amounts=True).unit


def _bags(entry: GivenRange) -> tuple[str, ...]:
    if not entry.drug:
        return ()
    return entry.concentrations or drug_facts(entry.drug).concentrations


@functools.cache
def given_steps(entry: GivenRange, drops: bool = False) -> int:
    """The conversions an amount given needs besides dividing by the time and the
    concentration: a time in minutes (to mL/h), per kg, an amount unit other than the bag's,
    a bag given as an amount in a volume, drops, a maximum. Counted on the first time and
    bag of the entry."""
    unit = _given_unit(entry.unit)
    count = int(unit.per_kg) + int(drops) + int(bool(entry.limits))
    if entry.times:
        count += int(parse_duration(entry.times[0]).unit is not HOUR)
    if _bags(entry):
        conc = parse_concentration(_bags(entry)[0])
        count += int(unit.amount != conc.amount_unit) + int(conc.per_volume_given)
    return count


def _pick_given(
    rng: random.Random, level: int, options: list[tuple[GivenRange, bool]]
) -> tuple[GivenRange, bool]:
    """An entry (and whether it is counted in drops) of the level asked, or the nearest."""
    if not options:
        raise PracticeError("the practice data has no range for this problem type")

    def level_for(option: tuple[GivenRange, bool]) -> int:
        count = given_steps(*option)
        return 1 if count == 0 else 2 if count <= 2 else 3

    nearest = min(abs(level_for(o) - level) for o in options)
    return rng.choice([o for o in options if abs(level_for(o) - level) == nearest])


def _given_order(
    rng: random.Random, entry: GivenRange, pounds: bool = False
) -> tuple[str, str | None, Fraction | None, str | None]:
    """The dose as convert reads it, the weight (text and value) if per kg, and the bag."""
    amount = entry.span.draw(rng)
    dose = f"{_number(amount)} {entry.unit}"
    if entry.times:
        dose += f" over {rng.choice(entry.times)}"
    weight = value = None
    if _given_unit(entry.unit).per_kg:
        span = ranges().weight_lb if pounds else ranges().weight_kg
        value = span.draw(rng)
        weight = f"{_number(value)} {'lb' if pounds else 'kg'}"
    bags = _bags(entry)
    return dose, weight, value, rng.choice(bags) if bags else None


def make_over_time(rng: random.Random, level: int) -> Problem | None:
    data = ranges()
    # gravity sets for maintenance fluids only (a piggyback by gravity is a pump's job now)
    options = [(e, d) for e in data.over_time for d in (False, True) if e.fluid or not d]
    entry, drops = _pick_given(rng, level, options)
    dose, weight, value, bag = _given_order(rng, entry)
    order = order_text(parse_dose(dose, amounts=True))
    if bag is None:  # a volume: to mL/h, or by gravity to drops per minute
        what = rng.choice(data.fluids) if entry.fluid else f"a {entry.name} of"
        text = f"Infuse {what} {order}"
        factor = rng.choice(DROP_FACTORS) if drops else None
        if factor is None:
            return make_problem("over-time", level, f"{text}.", Inputs(dose), [_PUMP])
        text += f" by gravity with a {factor} gtt/mL set."
        return make_problem("over-time", level, text, Inputs(dose, drop_factor=factor), [_DRIPS])
    name = drug_facts(entry.drug).name
    inputs = Inputs(dose, weight, bag)
    if weight is None:
        text = f"{_patient(None, None)} is ordered {name} {order}. {_bag_sentence(bag)}"
        return make_problem("over-time", level, text, inputs, [_PUMP])
    ordered = f"is ordered a loading dose of {name} {order}. {_bag_sentence(bag)}"
    amount = str(parse_concentration(bag).amount_unit)
    asks = [
        Ask(f"How many {amount} is the loading dose?", "amount", amount),
        Ask("How many mL is that?", "volume", "mL"),
        Ask("Set the pump to how many mL/h for that time?", "pump_rate", "mL/h", PUMP_STEP),
    ]
    return make_problem("over-time", level, f"{_patient(weight, value)} {ordered}", inputs, asks)


def make_bolus(rng: random.Random, level: int) -> Problem | None:
    entry, _ = _pick_given(rng, level, [(e, False) for e in ranges().boluses])
    per_kg = _given_unit(entry.unit).per_kg
    dose, weight, value, bag = _given_order(rng, entry, pounds=per_kg and level == 3)
    assert bag is not None  # a bolus is of a drug
    limit = rng.choice(entry.limits) if entry.limits else None
    name = drug_facts(entry.drug).name
    order = order_text(parse_dose(dose, amounts=True))
    if limit is not None:
        cap, word, _ = parse_amount(limit, "maximum")
        order += f", maximum {format_exact_quantity(cap, word.symbol)}"
    text = f"{_patient(weight, value)} is ordered a {name} bolus of {order}. {_bag_sentence(bag)}"
    volume = Ask("How many mL is that?", "bolus_volume", "mL")
    if not per_kg:
        volume = Ask("How many mL is the bolus?", "bolus_volume", "mL")
        return make_problem("bolus", level, text, Inputs(dose, concentration=bag), [volume])
    amount = str(_given_unit(entry.unit).amount)
    asks = [Ask(f"How many {amount} is the bolus?", "bolus_amount", amount), volume]
    return make_problem("bolus", level, text, Inputs(dose, weight, bag, limit=limit), asks)


@dataclass(frozen=True)
class ProblemType:
    name: str
    summary: str
    make: Callable[[random.Random, int], Problem | None] | None  # None: not available yet
    missing: str = ""  # what the engine cannot do yet, for a type that is not available


TYPES: dict[str, ProblemType] = {
    t.name: t
    for t in (
        ProblemType("pump-rate", "a dose to a pump rate in mL/h", make_pump_rate),
        ProblemType("dose-from-rate", "a pump rate in mL/h back to the dose", make_dose_from_rate),
        ProblemType("units-per-hour", "units/kg/h to units/h and mL/h", make_units_per_hour),
        ProblemType("drip-rate", "a gravity infusion to drops per minute", make_drip_rate),
        ProblemType("pounds", "a weight in lb to kg, and a dose with it", make_pounds),
        ProblemType("over-time", "an amount or volume over a time to mL/h", make_over_time),
        ProblemType("bolus", "a bolus (per kg, capped) to an amount and a volume", make_bolus),
    )
}
