"""Practice problems: the model, and building one from the engine's figures.

A problem is worded as a worksheet words it ("A 68 kg patient is ordered DOPamine
5 mcg/kg/min. The bag is 400 mg in 250 mL D5W. Set the pump to how many mL/h? Round to the
nearest tenth."). Its inputs are the text ``convert`` would be given, read by the same
parsers, and every answer is a figure of :func:`~infuse_calc.dosing.calculate` for those
inputs (a field of :meth:`~infuse_calc.dosing.Calculation.record`, convert's JSON), never a
formula of its own (:func:`make_problem`). The worked chain is the ``--explain`` chain.

The problem types are in :mod:`infuse_calc.practice_types`; seeded sets in
:mod:`infuse_calc.practice_sets`; worksheets in :mod:`infuse_calc.practice_sheets`; marking in
:mod:`infuse_calc.practice_grading`.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from infuse_calc.dosing import DEFAULT_PUMP_RESOLUTION, Calculation, Measure, calculate
from infuse_calc.drip import drip_rate, explain_drip
from infuse_calc.errors import InfuseCalcError
from infuse_calc.explain import explain
from infuse_calc.notation import format_exact, round_to_step
from infuse_calc.quantities import (
    parse_amount,
    parse_concentration,
    parse_dose,
    parse_rate_unit,
    parse_weight,
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
    limit: str | None = None  # a cap on a bolus or an amount over a time (``--max``)

    def convert_args(self) -> list[str]:
        """``convert`` arguments (without --explain or --format)."""
        args = ["convert", self.dose]
        for option, value in (
            ("-w", self.weight),
            ("-c", self.concentration),
            ("--dose-unit", self.dose_unit),
            ("--drop-factor", None if self.drop_factor is None else str(self.drop_factor)),
            ("--max", self.limit),
        ):
            if value is not None:
                args += [option, value]
        return args

    def command(self) -> str:
        """The command line that checks the problem: ``infuse-calc convert ... --explain``."""
        words = ["infuse-calc", *self.convert_args(), "--explain"]
        return " ".join(f'"{w}"' if " " in w else w for w in words)


def calculation(inputs: Inputs, lb_per_kg: Fraction | None = None) -> Calculation:
    """The engine's calculation for ``inputs``: the parsers and call ``convert`` makes.

    ``lb_per_kg`` reads a weight in pounds with a textbook factor (2.2) instead of the exact
    pound: what a student who used it would get (marking names that slip).
    """
    unit = None if inputs.dose_unit is None else parse_rate_unit(inputs.dose_unit)[0]
    weight = None if inputs.weight is None else parse_weight(inputs.weight, lb_per_kg)
    limit = None if inputs.limit is None else parse_amount(inputs.limit, "maximum")[:2]
    return calculate(
        parse_dose(inputs.dose, amounts=True),
        weight,
        None if inputs.concentration is None else parse_concentration(inputs.concentration),
        unit,
        limit=limit,
    )


def figure(
    calc: Calculation, field: str, drop_factor: int | None = None, unit: str | None = None
) -> Measure:
    """One of convert's JSON figures (``pump_rate``, ``dose_rate``, ``drip_rate``...), in
    ``unit`` if given (an exact conversion)."""
    if field == "drip_rate":
        assert calc.pump_rate is not None
        assert drop_factor is not None
        value = drip_rate(calc.pump_rate.value, drop_factor)
    else:
        value = calc.record()[field]
    assert isinstance(value, Measure), field
    return value if unit is None or unit == value.unit else value.to(unit)


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
    # a capped order says so in one warning: that is the problem, not a poor one
    capped = calc.given is not None and bool(calc.given.capped)
    if len(calc.warnings) > int(capped) or not _realistic(calc):
        return None
    parts = []
    labels = [""] if len(asks) == 1 else "abcdefgh"
    for label, ask in zip(labels, asks, strict=False):
        exact = figure(calc, ask.field, inputs.drop_factor, ask.unit)
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
