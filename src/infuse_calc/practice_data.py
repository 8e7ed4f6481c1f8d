"""Teaching data for practice problems: the drugs (bag and dosing unit) and the ranges drawn from.

:func:`drug_facts` is the one place that says which bag a practice drug comes in and which
unit it is dosed in. Until the built-in standard-concentration library ships, it reads a
minimal teaching table (common premixed bags); switching to the library is a change to that
function alone.

The dose, weight and fluid ranges live in ``practice_ranges.toml``, package data that
practice owns: ranges chosen to make realistic practice problems, **not dosing guidance**.
They are never shown as limits.
"""

from __future__ import annotations

import functools
import random
import tomllib
from dataclasses import dataclass
from fractions import Fraction
from importlib import resources
from typing import Any

from infuse_calc.errors import InfuseCalcError


@dataclass(frozen=True)
class DrugFacts:
    """A practice drug: how it is named, the bag it comes in and the unit it is dosed in."""

    name: str  # as printed, tall-man lettering where ISMP uses it
    concentration: str  # text the concentration parser reads: "400 mg in 250 mL"
    dose_unit: str  # the unit the drug is conventionally dosed in
    vehicle: str = ""  # the diluent, for the wording only ("D5W")


# Common commercially premixed bags (the wording names the diluent). A stand-in for the
# built-in standard-concentration library; see drug_facts.
_TEACHING_TABLE = {
    "dopamine": DrugFacts("DOPamine", "400 mg in 250 mL", "mcg/kg/min", "D5W"),
    "dobutamine": DrugFacts("DOBUTamine", "1000 mg in 250 mL", "mcg/kg/min", "D5W"),
    "esmolol": DrugFacts("esmolol", "2500 mg in 250 mL", "mcg/kg/min"),
    "norepinephrine": DrugFacts("norepinephrine", "4 mg in 250 mL", "mcg/min", "D5W"),
    "nitroglycerin": DrugFacts("nitroglycerin", "50 mg in 250 mL", "mcg/min", "D5W"),
    "dexmedetomidine": DrugFacts(
        "dexmedetomidine", "400 mcg in 100 mL", "mcg/kg/h", "0.9% sodium chloride"
    ),
    "diltiazem": DrugFacts("diltiazem", "125 mg in 125 mL", "mg/h", "D5W"),
    "midazolam": DrugFacts("midazolam", "100 mg in 100 mL", "mg/h", "0.9% sodium chloride"),
    "insulin": DrugFacts(
        "insulin regular", "100 units in 100 mL", "units/h", "0.9% sodium chloride"
    ),
    "heparin": DrugFacts("heparin", "25000 units in 250 mL", "units/h", "D5W"),
}


class PracticeDataError(InfuseCalcError):
    """Practice data that does not hold together (a bug in the package data, caught by tests)."""


def drug_facts(name: str) -> DrugFacts:
    """The bag and dosing unit of a practice drug, by name (any capitalisation)."""
    facts = _TEACHING_TABLE.get(name.casefold())
    if facts is None:
        raise PracticeDataError(f"practice drug {name!r} is not in the teaching table")
    return facts


@dataclass(frozen=True)
class Span:
    """Values from ``start`` to ``stop`` (both included) in steps of ``step``, exactly."""

    start: Fraction
    stop: Fraction
    step: Fraction

    def __len__(self) -> int:
        return int((self.stop - self.start) / self.step) + 1

    def draw(self, rng: random.Random) -> Fraction:
        """One value, uniformly (integers only: the same on every platform and Python)."""
        return self.start + self.step * rng.randrange(len(self))


@dataclass(frozen=True)
class DoseRange:
    """Doses of one drug, ordered in ``unit``; ``answer_step`` rounds a dose asked for."""

    drug: str
    unit: str
    span: Span
    answer_step: Fraction


@dataclass(frozen=True)
class Ranges:
    weight_kg: Span
    weight_lb: Span
    doses: tuple[DoseRange, ...]
    fluids: tuple[str, ...]
    fluid_rate: Span


@functools.cache
def ranges() -> Ranges:
    """The practice ranges (package data, read once)."""
    text = resources.files("infuse_calc").joinpath("practice_ranges.toml").read_text("utf-8")
    return parse_ranges(text)


def parse_ranges(text: str) -> Ranges:
    """Read the ranges file; any inconsistency is a :class:`PracticeDataError`."""
    try:
        data = tomllib.loads(text)
        doses = tuple(
            DoseRange(entry["drug"], entry["unit"], _span(entry), _positive(entry["answer_step"]))
            for entry in data["dose"]
        )
        return Ranges(
            weight_kg=_span(data["weight"]["kg"]),
            weight_lb=_span(data["weight"]["lb"]),
            doses=doses,
            fluids=tuple(data["fluids"]["names"]),
            fluid_rate=_span(data["fluids"]["rate"]),
        )
    except (tomllib.TOMLDecodeError, KeyError, TypeError, ValueError, ZeroDivisionError) as error:
        raise PracticeDataError(f"practice ranges: {error}") from None


def _positive(text: Any) -> Fraction:
    value = Fraction(str(text))
    if value <= 0:
        raise ValueError(f"{text!r} must be greater than zero")
    return value


def _span(entry: dict[str, Any]) -> Span:
    span = Span(_positive(entry["from"]), _positive(entry["to"]), _positive(entry["step"]))
    if span.stop < span.start or (span.stop - span.start) % span.step:
        raise ValueError(f"range {entry} does not run from 'from' to 'to' in whole steps")
    return span
