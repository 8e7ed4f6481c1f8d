"""Practice problems: worked infusion calculations for students, worksheets for instructors.

A problem is worded as a worksheet words it ("A 68 kg patient is ordered DOPamine
5 mcg/kg/min. The bag is 400 mg in 250 mL D5W. Set the pump to how many mL/h? Round to the
nearest tenth."). Its inputs are the text ``convert`` would be given, read by the same
parsers, and every answer is a figure of :func:`~infuse_calc.dosing.calculate` for those
inputs (a field of :meth:`~infuse_calc.dosing.Calculation.record`, convert's JSON), never a
formula of this module. The worked chain is the ``--explain`` chain.

Sets are drawn from ``random.Random(seed)`` with integer draws only, so a seed gives the
same problems on every platform. Ranges and drugs come from :mod:`infuse_calc.practice_data`.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from fractions import Fraction
from itertools import islice

from infuse_calc.dosing import DEFAULT_PUMP_RESOLUTION, Calculation, Measure, calculate
from infuse_calc.drip import DROP_FACTORS, drip_rate, explain_drip
from infuse_calc.errors import InfuseCalcError
from infuse_calc.explain import explain
from infuse_calc.notation import format_exact, round_to_step
from infuse_calc.practice_data import DoseRange, DrugFacts, drug_facts, ranges
from infuse_calc.quantities import (
    HOUR,
    Concentration,
    parse_concentration,
    parse_dose,
    parse_rate_unit,
    parse_weight,
)

#: Every problem type, in the order ``all`` deals them.
TYPE_NAMES = (
    "pump-rate",
    "dose-from-rate",
    "units-per-hour",
    "drip-rate",
    "pounds",
    "over-time",
    "bolus",
)
LEVELS = {1: "basic", 2: "intermediate", 3: "advanced"}
DEFAULT_LEVEL = 2
MAX_COUNT = 1000
#: pump rates are asked to the pump's resolution
PUMP_STEP = DEFAULT_PUMP_RESOLUTION
#: realistic pump rates, mL/h: slower is a syringe-pump job, faster is not an infusion
PUMP_RANGE = (Fraction(1), Fraction(500))
#: an answer this close to a rounding boundary (fraction of the step) is not set: rounding
#: an intermediate figure, or a different rule for halves, would flip it
TIE_MARGIN = Fraction(1, 20)
MAX_ATTEMPTS = 200

_STEP_NAMES = {
    Fraction(10): "ten",
    Fraction(1): "whole number",
    Fraction(1, 10): "tenth",
    Fraction(1, 100): "hundredth",
}


class PracticeError(InfuseCalcError):
    """A practice option that cannot be used (unknown type or level, bad count)."""


@dataclass(frozen=True)
class Inputs:
    """What ``convert`` is given for a problem: its arguments, as text it parses."""

    dose: str
    weight: str | None = None
    concentration: str | None = None
    dose_unit: str | None = None
    drop_factor: int | None = None

    def convert_args(self) -> list[str]:
        """``convert`` arguments (without --explain or --format)."""
        args = ["convert", self.dose]
        for option, value in (
            ("-w", self.weight),
            ("-c", self.concentration),
            ("--dose-unit", self.dose_unit),
            ("--drop-factor", None if self.drop_factor is None else str(self.drop_factor)),
        ):
            if value is not None:
                args += [option, value]
        return args

    def command(self) -> str:
        """The command line that checks the problem: ``infuse-calc convert ... --explain``."""
        words = ["infuse-calc", *self.convert_args(), "--explain"]
        return " ".join(f'"{w}"' if " " in w else w for w in words)


def calculation(inputs: Inputs) -> Calculation:
    """The engine's calculation for ``inputs``: the parsers and call ``convert`` makes."""
    unit = None if inputs.dose_unit is None else parse_rate_unit(inputs.dose_unit)[0]
    return calculate(
        parse_dose(inputs.dose),
        None if inputs.weight is None else parse_weight(inputs.weight),
        None if inputs.concentration is None else parse_concentration(inputs.concentration),
        unit,
    )


def figure(calc: Calculation, field: str, drop_factor: int | None = None) -> Measure:
    """One of convert's JSON figures (``pump_rate``, ``dose_rate``, ``drip_rate``...)."""
    if field == "drip_rate":
        assert calc.pump_rate is not None
        assert drop_factor is not None
        return drip_rate(calc.pump_rate.value, drop_factor)
    value = calc.record()[field]
    assert isinstance(value, Measure), field
    return value


@dataclass(frozen=True)
class Part:
    """One question of a problem and its answer (exact, in the unit asked)."""

    label: str  # "" for a one-part problem, else "a", "b"...
    question: str  # "Set the pump to how many mL/h?"
    field: str  # the convert JSON field the answer is
    exact: Measure
    step: Fraction  # the accepted rounding, in exact.unit

    @property
    def answer(self) -> Measure:
        """The answer rounded as asked (halves away from zero, as a pump rounds)."""
        return Measure(round_to_step(self.exact.value, self.step), self.exact.unit)

    @property
    def rounding(self) -> str:
        """``Round to the nearest tenth.``"""
        return f"Round to {nearest(self.step, self.exact.unit)}."


def nearest(step: Fraction, unit: str) -> str:
    """``the nearest tenth``, ``the nearest whole number``, ``the nearest whole drop``."""
    if unit == "gtt/min" and step == 1:
        return "the nearest whole drop"
    return f"the nearest {_STEP_NAMES.get(step, format_exact(step))}"


@dataclass(frozen=True)
class Problem:
    """A worded problem, its parts, the inputs its answers come from and the worked chain."""

    number: int
    kind: str
    level: int
    text: str  # the situation: "A 68 kg patient is ordered ... The bag is ..."
    parts: tuple[Part, ...]
    inputs: Inputs
    chain: tuple[str, ...]
    weight_kg: Fraction | None = None

    def part_id(self, part: Part) -> str:
        return f"{self.number}{part.label}"

    def question(self, part: Part) -> str:
        """The whole question as a one-part worksheet prints it, or one part's question."""
        asked = f"{part.question} {part.rounding}"
        if len(self.parts) == 1:
            return f"{self.text} {asked}"
        return f"{part.label}) {asked}"


@dataclass(frozen=True)
class Ask:
    question: str
    field: str
    unit: str
    step: Fraction | None = None  # None: chosen from the answer's size


# --- building problems --------------------------------------------------------------------


def make_problem(
    kind: str,
    level: int,
    text: str,
    inputs: Inputs,
    asks: list[Ask],
    chain_lines: int | None = None,
) -> Problem | None:
    """The problem with answers from the engine, or ``None`` if it would be a poor one."""
    calc = calculation(inputs)
    if calc.warnings or not _realistic(calc):
        return None
    parts = []
    labels = [""] if len(asks) == 1 else "abcdefgh"
    for label, ask in zip(labels, asks, strict=False):
        exact = figure(calc, ask.field, inputs.drop_factor)
        if exact.unit != ask.unit:
            exact = exact.to(ask.unit)
        step = ask.step if ask.step is not None else _step_for(exact.value)
        if not rounds_cleanly(exact.value, step):
            return None
        parts.append(Part(label, ask.question, ask.field, exact, step))
    chain = explain(calc)
    if inputs.drop_factor is not None and calc.pump_rate is not None:
        drip = figure(calc, "drip_rate", inputs.drop_factor)
        chain += explain_drip(calc.pump_rate, inputs.drop_factor, drip)
    weight_kg = None if calc.weight is None else calc.weight.kg
    shown = tuple(chain[:chain_lines] if chain_lines is not None else chain)
    return Problem(0, kind, level, text, tuple(parts), inputs, shown, weight_kg)


def _realistic(calc: Calculation) -> bool:
    if calc.pump_rate is None:
        return True
    low, high = PUMP_RANGE
    return low <= calc.pump_rate.value <= high


def rounds_cleanly(value: Fraction, step: Fraction) -> bool:
    """``value`` rounds to a non-zero multiple of ``step`` and is not near a half step."""
    steps = value / step
    fraction = steps - (steps.numerator // steps.denominator)
    return abs(fraction - Fraction(1, 2)) >= TIE_MARGIN and round_to_step(value, step) > 0


def _step_for(value: Fraction) -> Fraction:
    """A rounding that keeps three significant figures or so: 1,257 / 34.6 / 5.04."""
    if value >= 100:
        return Fraction(1)
    if value >= 10:
        return Fraction(1, 10)
    return Fraction(1, 100)


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


def _bag(facts: DrugFacts) -> tuple[str, Concentration]:
    """``400 mg in 250 mL D5W`` (the wording) and the parsed concentration."""
    conc = parse_concentration(facts.concentration)
    amount = f"{format_exact(conc.amount)} {conc.amount_unit}"
    if conc.per_volume_given:
        words = f"{amount} in {format_exact(conc.volume)} {conc.volume_unit}"
    else:
        words = f"{amount}/{conc.volume_unit}"
    return (f"{words} {facts.vehicle}" if facts.vehicle else words), conc


@dataclass(frozen=True)
class _Order:
    """A drawn drug order: the range, the drug, the dose and (if per kg) the weight."""

    range: DoseRange
    facts: DrugFacts
    dose: Fraction
    weight: str | None
    weight_value: Fraction | None

    @property
    def dose_text(self) -> str:
        return f"{_number(self.dose)} {self.range.unit}"

    @property
    def dose_words(self) -> str:
        return f"{self.facts.name} {format_exact(self.dose)} {self.range.unit}"


def _order(rng: random.Random, dose_range: DoseRange, pounds: bool = False) -> _Order:
    facts = drug_facts(dose_range.drug)
    dose = dose_range.span.draw(rng)
    weight = value = None
    if parse_rate_unit(dose_range.unit)[0].per_kg:
        span = ranges().weight_lb if pounds else ranges().weight_kg
        value = span.draw(rng)
        weight = f"{_number(value)} {'lb' if pounds else 'kg'}"
    return _Order(dose_range, facts, dose, weight, value)


def steps(dose_range: DoseRange) -> int:
    """How many conversions the order needs before dividing by the concentration.

    Per kg, a time other than hours, and an amount unit other than the bag's: each is one
    step of the chain (and one way to be wrong by a named factor).
    """
    unit = parse_rate_unit(dose_range.unit)[0]
    conc = parse_concentration(drug_facts(dose_range.drug).concentration)
    return int(unit.per_kg) + int(unit.time is not HOUR) + int(unit.amount != conc.amount_unit)


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
    return parse_rate_unit(dose_range.unit)[0].per_kg


def _in_units(dose_range: DoseRange) -> bool:
    return parse_rate_unit(dose_range.unit)[0].amount.symbol == "units"


_PUMP = Ask("Set the pump to how many mL/h?", "pump_rate", "mL/h", PUMP_STEP)


def make_pump_rate(rng: random.Random, level: int) -> Problem | None:
    order = _order(rng, _pick(rng, level))
    bag, _ = _bag(order.facts)
    text = f"{_patient(order.weight, order.weight_value)} is ordered {order.dose_words}."
    inputs = Inputs(order.dose_text, order.weight, order.facts.concentration)
    return make_problem("pump-rate", level, f"{text} The bag is {bag}.", inputs, [_PUMP])


def make_dose_from_rate(rng: random.Random, level: int) -> Problem | None:
    order = _order(rng, _pick(rng, level))
    forward = calculation(Inputs(order.dose_text, order.weight, order.facts.concentration))
    if forward.pump is None:
        return None
    # the rate a nurse would find the pump set to for a plausible order
    setting = forward.pump.rate.value
    bag, _ = _bag(order.facts)
    patient = "" if order.weight is None else f" for a patient weighing {order.weight}"
    text = (
        f"{_capital(order.facts.name)} {bag} is running at {format_exact(setting)} mL/h{patient}."
    )
    unit = order.range.unit
    inputs = Inputs(f"{_number(setting)} mL/h", order.weight, order.facts.concentration, unit)
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
        amount = f"{parse_rate_unit(dose_range.unit)[0].amount}/h"
        asks = [Ask(f"How many {amount} is that?", "per_hour", amount, Fraction(1)), _PUMP]
    bag, _ = _bag(order.facts)
    text = f"{_patient(order.weight, order.weight_value)} is ordered {order.dose_words}."
    inputs = Inputs(order.dose_text, order.weight, order.facts.concentration)
    return make_problem("units-per-hour", level, f"{text} The bag is {bag}.", inputs, asks)


def make_drip_rate(rng: random.Random, level: int) -> Problem | None:
    data = ranges()
    fluid = rng.choice(data.fluids)
    rate = data.fluid_rate.draw(rng)
    # macrodrip sets first; the microdrip set (gtt/min = mL/h) from level 2
    factor = rng.choice(DROP_FACTORS if level > 1 else DROP_FACTORS[:-1])
    text = f"Infuse {fluid} at {format_exact(rate)} mL/h by gravity with a {factor} gtt/mL set."
    inputs = Inputs(f"{_number(rate)} mL/h", drop_factor=factor)
    ask = Ask("How many drops per minute?", "drip_rate", "gtt/min", Fraction(1))
    return make_problem("drip-rate", level, text, inputs, [ask])


def make_pounds(rng: random.Random, level: int) -> Problem | None:
    order = _order(rng, _pick(rng, level, _per_kg), pounds=True)
    text = f"{_patient(order.weight, order.weight_value)} is ordered {order.dose_words}."
    kg = Ask("What is the patient's weight in kg?", "weight", "kg", PUMP_STEP)
    if level == 1:
        return make_problem("pounds", level, text, Inputs(order.dose_text, order.weight), [kg], 1)
    if level == 2:
        unit = parse_rate_unit(order.range.unit)[0]
        field = "per_minute" if unit.time.symbol == "min" else "per_hour"
        total = f"{unit.amount}/{unit.time}"
        asks = [kg, Ask(f"How many {total} is that?", field, total)]
        return make_problem("pounds", level, text, Inputs(order.dose_text, order.weight), asks)
    bag, _ = _bag(order.facts)
    inputs = Inputs(order.dose_text, order.weight, order.facts.concentration)
    return make_problem("pounds", level, f"{text} The bag is {bag}.", inputs, [kg, _PUMP])


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
        ProblemType(
            "over-time",
            "an amount or volume over a time to mL/h",
            None,
            "amounts or volumes given over a time",
        ),
        ProblemType("bolus", "a per-kg bolus to an amount and a volume", None, "boluses"),
    )
}


# --- options and sets ---------------------------------------------------------------------


def parse_level(text: str) -> int:
    """``1``-``3`` or ``basic``/``intermediate``/``advanced`` (any capitalisation)."""
    value = text.strip().casefold()
    for number, name in LEVELS.items():
        if value in (str(number), name):
            return number
    names = ", ".join(f"{n} ({name})" for n, name in LEVELS.items())
    raise PracticeError(f"unknown level {text!r}: use {names}")


def kinds_for(name: str) -> tuple[str, ...]:
    """The types a ``--type`` deals: one, or every available type for ``all``."""
    if name == "all":
        return tuple(n for n in TYPE_NAMES if TYPES[n].make is not None)
    problem_type = TYPES.get(name)
    if problem_type is None:
        raise PracticeError(f"unknown problem type {name!r}: use {', '.join(TYPE_NAMES)} or all")
    if problem_type.make is None:
        raise PracticeError(
            f"problem type {name!r} is not yet available: this version of infuse-calc does "
            f"not work out {problem_type.missing}"
        )
    return (name,)


def check_count(count: int) -> int:
    if count < 1 or count > MAX_COUNT:
        raise PracticeError(f"count {count:,}: give 1 to {MAX_COUNT:,} problems")
    return count


def generate(seed: int, kind: str = "all", level: int = DEFAULT_LEVEL) -> Iterator[Problem]:
    """Problems without end for ``seed``: with ``all``, each round deals every type once."""
    kinds = kinds_for(kind)
    if level not in LEVELS:
        raise PracticeError(f"unknown level {level!r}")
    rng = random.Random(seed)
    number = 0
    while True:
        order = list(kinds)
        rng.shuffle(order)
        for name in order:
            number += 1
            yield replace(_make(TYPES[name], rng, level), number=number)


def problem_set(
    seed: int, count: int, kind: str = "all", level: int = DEFAULT_LEVEL
) -> list[Problem]:
    """The first ``count`` problems of :func:`generate` (a worksheet)."""
    return list(islice(generate(seed, kind, level), check_count(count)))


def _make(problem_type: ProblemType, rng: random.Random, level: int) -> Problem:
    assert problem_type.make is not None
    for _ in range(MAX_ATTEMPTS):
        problem = problem_type.make(rng, level)
        if problem is not None:
            return problem
    raise PracticeError(f"could not make a sensible {problem_type.name} problem (a data bug)")
