"""Dosing weight: actual, ideal (Devine) or adjusted body weight.

Devine (1974), in kg, with height in inches::

    male    IBW = 50 + 2.3 x (height - 60)
    female  IBW = 45.5 + 2.3 x (height - 60)
    AdjBW = IBW + 0.4 x (actual - IBW)

The formula was written for adults of 5 ft (60 in, 152.4 cm) and over; below that it gives
weights that fall under its own base figure and it has no validity. This module refuses
ideal and adjusted weights for heights under 60 in (an :class:`InputError`) rather than
extrapolate: use the actual weight or a paediatric method.

Height is read strictly (``180 cm``, ``70.9 in``, ``5 ft 7 in``, ``5 ft``; a bare number is
refused because cm and inches are both plausible) and converted with pint (1 in = 2.54 cm,
1 ft = 12 in, exactly).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from infuse_calc import units as u
from infuse_calc.errors import IncompatibleError, InputError
from infuse_calc.notation import format_exact
from infuse_calc.quantities import parse_number, tokenize
from infuse_calc.tokens import Token

DEVINE_MIN_INCHES = Fraction(60)
DEVINE_PER_INCH_KG = Fraction("2.3")
DEVINE_BASE_KG = {"male": Fraction(50), "female": Fraction("45.5")}
ADJUSTED_FRACTION = Fraction(2, 5)  # the 0.4 of AdjBW = IBW + 0.4 x (actual - IBW)
MIN_HEIGHT_CM = Fraction(30)
MAX_HEIGHT_CM = Fraction(275)
METHODS = ("actual", "ideal", "adjusted")
SEXES = ("male", "female")
#: how output names each dosing weight
METHOD_LABELS = {
    "actual": "actual body weight",
    "ideal": "ideal body weight (Devine)",
    "adjusted": "adjusted body weight (IBW + 0.4 x excess)",
}

_HEIGHT_UNITS = {
    **dict.fromkeys(["cm", "centimeter", "centimeters", "centimetre", "centimetres"], "cm"),
    **dict.fromkeys(["in", "inch", "inches"], "in"),
    **dict.fromkeys(["ft", "foot", "feet"], "ft"),
}


@dataclass(frozen=True)
class Height:
    """A height as typed and its exact value in inches."""

    value: Fraction
    unit: str  # "cm" or "in"
    inches: Fraction
    text: str = ""
    warnings: tuple[str, ...] = field(default=(), compare=False)

    @property
    def cm(self) -> Fraction:
        return u.magnitude(u.quantity(self.inches, u.unit("in")), u.unit("cm"))


def parse_height(text: str) -> Height:
    """Parse ``180 cm``, ``70.9 in`` or feet and inches (``5 ft 7 in``, ``5 ft``); refuse bare
    numbers and implausible heights."""
    what = "height"
    tokens = tokenize(what, text)
    warnings: list[str] = []
    value, unit = _height_part(what, text, tokens[:2], warnings)
    inches = u.magnitude(u.quantity(value, u.unit(unit)), u.unit("in"))
    rest = tokens[2:]
    if rest and unit == "ft":
        more, more_unit = _height_part(what, text, rest[:2], warnings)
        if more_unit != "in":
            raise InputError(what, text, f"after the feet, expected inches, found '{rest[1].text}'")
        per_foot = u.factor("ft", "in")
        if more >= per_foot:
            raise InputError(
                what, text, f"the inches after the feet must be under {format_exact(per_foot)}"
            )
        inches += more
        value, unit, rest = inches, "in", rest[2:]
    if rest:
        raise InputError(what, text, f"unexpected '{rest[0].text}' after the height")
    height = Height(value, unit, inches, text, tuple(warnings))
    if not MIN_HEIGHT_CM <= height.cm <= MAX_HEIGHT_CM:
        raise InputError(
            what, text, "is outside 30 to 275 cm (12 to 108 in); check the height and its unit"
        )
    return height


def _height_part(
    what: str, text: str, tokens: list[Token], warnings: list[str]
) -> tuple[Fraction, str]:
    """A number and its height unit (cm, in or ft) from two tokens."""
    if tokens[0].kind != "number":
        raise InputError(what, text, not_a_number(tokens[0].text))
    value = parse_number(what, text, tokens[0].text, warnings)
    if len(tokens) == 1:
        raise InputError(what, text, "give the unit: cm or in (e.g. 180 cm, 70.9 in or 5 ft 11 in)")
    word = tokens[1]
    if word.kind != "word":
        raise InputError(what, text, f"expected cm, in or ft, found '{word.text}'")
    unit = _HEIGHT_UNITS.get(word.text.casefold())
    if unit is None:
        raise InputError(what, text, f"unknown height unit '{word.text}'; use cm, in or ft")
    return value, unit


def not_a_number(word: str) -> str:
    """The reason a word cannot stand where a number is expected (nan, inf...)."""
    folded = word.casefold()
    if folded == "nan":
        return f"'{word}' is not a number"
    if folded in ("inf", "infinity"):
        return f"'{word}' is not a finite number"
    return f"expected a number, found '{word}'"


def parse_sex(text: str) -> str:
    """``male``/``m`` or ``female``/``f`` (the sex the Devine formula distinguishes)."""
    folded = text.strip().casefold()
    for sex in SEXES:
        if folded in (sex, sex[0]):
            return sex
    raise InputError("sex", text, "expected male (m) or female (f)")


def ideal_body_weight(height: Height, sex: str) -> Fraction:
    """Devine ideal body weight in kg; refuses heights under 60 in (see module docs)."""
    if sex not in DEVINE_BASE_KG:
        raise InputError("sex", sex, "expected male or female")
    if height.inches < DEVINE_MIN_INCHES:
        raise InputError(
            "height",
            height.text or f"{height.value} {height.unit}",
            "the Devine ideal body weight is valid only from 60 in (152.4 cm); "
            "use --dosing-weight actual or a paediatric method",
        )
    return DEVINE_BASE_KG[sex] + DEVINE_PER_INCH_KG * (height.inches - DEVINE_MIN_INCHES)


def adjusted_body_weight(actual_kg: Fraction, ideal_kg: Fraction) -> Fraction:
    """AdjBW = IBW + 0.4 x (actual - IBW), in kg."""
    return ideal_kg + ADJUSTED_FRACTION * (actual_kg - ideal_kg)


@dataclass(frozen=True)
class DosingWeight:
    """The weight a calculation uses, which method chose it, and the alternatives."""

    method: str  # "actual" | "ideal" | "adjusted"
    kg: Fraction
    actual_kg: Fraction | None
    ideal_kg: Fraction | None
    adjusted_kg: Fraction | None
    height: Height | None
    sex: str | None
    warnings: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return METHOD_LABELS[self.method]


def dosing_weight(
    actual_kg: Fraction | None,
    height: Height | None = None,
    sex: str | None = None,
    method: str = "actual",
) -> DosingWeight:
    """Choose the dosing weight. Ideal needs height and sex; adjusted also the actual weight.

    With ``method="actual"`` a height and sex still give the ideal and adjusted weights for
    display, when the height is in the formula's range.
    """
    if method not in METHODS:
        raise InputError("dosing weight", method, "expected actual, ideal or adjusted")
    warnings: list[str] = []
    ideal = adjusted = None
    if method != "actual" and (height is None or sex is None):
        raise IncompatibleError(
            f"--dosing-weight {method} needs the height (--height) and sex (--sex)"
        )
    if method == "adjusted" and actual_kg is None:
        raise IncompatibleError("--dosing-weight adjusted needs the actual weight (--weight)")
    if method == "actual" and actual_kg is None:
        raise IncompatibleError("--dosing-weight actual needs the weight (--weight)")
    if height is not None and sex is not None:
        if method == "actual" and height.inches < DEVINE_MIN_INCHES:
            warnings.append(
                "ideal body weight not shown: the Devine formula is valid only from 60 in "
                "(152.4 cm)"
            )
        else:
            ideal = ideal_body_weight(height, sex)
            if actual_kg is not None:
                adjusted = adjusted_body_weight(actual_kg, ideal)
    elif method == "actual" and (height is not None or sex is not None):
        warnings.append("give both --height and --sex to see the ideal body weight")
    if method != "actual" and actual_kg is not None and ideal is not None and actual_kg < ideal:
        warnings.append(
            f"the actual weight is below the ideal body weight: {method} body weight "
            "overstates the weight; many protocols use the actual weight then"
        )
    chosen = {"actual": actual_kg, "ideal": ideal, "adjusted": adjusted}[method]
    assert chosen is not None
    return DosingWeight(method, chosen, actual_kg, ideal, adjusted, height, sex, tuple(warnings))
