"""Reading a body weight: ``72``, ``72 kg``, ``850 g``, ``154 lb``, and its exact value in kg.

The weight part of the input grammar (see :mod:`infuse_calc.quantities`, which re-exports
these names): a number, then ``kg``, ``g`` or ``lb`` or nothing (kg). Pounds become kg by the
exact pound (pint's) unless a course's factor is asked for; weights outside the plausible
range are refused as typing errors.
"""

from __future__ import annotations

import functools
from fractions import Fraction
from typing import Final

from infuse_calc.errors import InputError
from infuse_calc.reader import Reader, shown
from infuse_calc.slots import Slots
from infuse_calc.unit_words import GRAM_WEIGHT, KG, LB, G, Kind, UnitWord

MIN_WEIGHT_KG = Fraction(1, 10)
MAX_WEIGHT_KG = Fraction(650)
#: Accepted pounds-per-kilogram factors: 2.2 as dosage-calculation courses teach, up to the
#: exact pound (2.20462262... lb/kg). Anything else is a typing error (0.4536 kg/lb typed
#: the other way round would make 220 lb a 485 kg patient).
LB_PER_KG_RANGE = (Fraction("2.2"), Fraction("2.21"))

#: the ``method`` of a weight as typed: the actual body weight, not an ideal or adjusted one
ACTUAL = "actual"


class Weight(Slots):
    """A body weight as typed (value and unit) and its exact value in kg.

    ``lb_per_kg`` is the factor a weight in pounds was converted with (the exact pound,
    100000000/45359237, unless a course's 2.2 was asked for); ``None`` for kg and g.
    A dosing weight other than the actual one (``--dosing-weight ideal``) names its
    ``method`` and keeps the weight that was typed as ``entered`` (``None`` if none was).
    Equal weights are equal whatever warnings their text raised.
    """

    __slots__ = ("entered", "kg", "lb_per_kg", "method", "text", "unit", "value", "warnings")
    uncompared = frozenset({"warnings"})

    def __init__(
        self,
        value: Fraction,
        unit: UnitWord,
        kg: Fraction,
        text: str = "",
        warnings: tuple[str, ...] = (),
        lb_per_kg: Fraction | None = None,
        method: str = ACTUAL,
        entered: Weight | None = None,
    ) -> None:
        self.value: Final = value
        self.unit: Final = unit
        self.kg: Final = kg
        self.text: Final = text
        self.warnings: Final = warnings
        self.lb_per_kg: Final = lb_per_kg
        self.method: Final = method
        self.entered: Final = entered

    @property
    def course_factor(self) -> Fraction | None:
        """The lb/kg factor a weight in pounds was read with when it is a course's (2.2),
        not the exact pound; ``None`` otherwise."""
        if self.lb_per_kg is None or self.lb_per_kg == _lb_per_kg(None):
            return None
        return self.lb_per_kg

    @property
    def typed(self) -> Weight | None:
        """The weight as typed: this one, or the one an ideal/adjusted weight came from."""
        return self if self.method == ACTUAL else self.entered


def parse_weight(text: str, lb_per_kg: Fraction | None = None) -> Weight:
    """Parse a body weight: a bare number is kg; ``kg``, ``g`` and ``lb`` may follow.

    Pounds are converted with the exact pound (0.45359237 kg) unless ``lb_per_kg`` gives
    the factor a course teaches (2.2: 220 lb is 100 kg); the Weight records the factor.
    Refuses weights outside 0.1 to 650 kg: those are typing errors, not patients.
    """
    value, unit, kg, warnings, factor = read_weight(text, lb_per_kg)
    return Weight(value, unit, kg, text, warnings, factor)


def read_weight(
    text: str, lb_per_kg: Fraction | None = None
) -> tuple[Fraction, UnitWord, Fraction, tuple[str, ...], Fraction | None]:
    """What :func:`parse_weight` reads, before it is made a :class:`Weight`: the value and
    unit typed, the weight in kg, the warnings and the lb/kg factor (see :func:`read_dose`)."""
    from infuse_calc.units import weight_in_kg

    reader = Reader("weight", text)
    value = reader.number()
    unit = KG
    if reader.peek() is not None:
        word = reader.unit("a weight unit (kg, g or lb)")
        # the allow-list reads "g" as a drug mass; here it is a body weight
        unit = GRAM_WEIGHT if word is G else word
        if unit.kind is not Kind.WEIGHT:
            raise reader.fail(f"'{word}' is not a weight unit; use kg, g or lb")
    reader.end()
    factor = None
    if unit is LB:
        factor = _lb_per_kg(lb_per_kg)
        kg = value / factor
    else:
        kg = value if unit is KG else weight_in_kg(value, unit)  # kg is kg: no product by 1
    if kg < MIN_WEIGHT_KG:
        raise reader.fail(f"is below {shown(MIN_WEIGHT_KG)} kg; check the weight and its unit")
    if kg > MAX_WEIGHT_KG:
        raise reader.fail(f"is over {shown(MAX_WEIGHT_KG)} kg; check the weight and its unit")
    return value, unit, kg, tuple(reader.warnings), factor


def _lb_per_kg(asked: Fraction | None) -> Fraction:
    if asked is None:
        return _exact_pound()
    return check_lb_per_kg(asked)


@functools.cache
def _exact_pound() -> Fraction:
    """Pounds per kg by the exact pound, from the registry (worked out once)."""
    from infuse_calc.units import weight_in_kg

    return 1 / weight_in_kg(Fraction(1), LB)


def check_lb_per_kg(asked: Fraction) -> Fraction:
    """A textbook pounds-per-kg factor, refused outside :data:`LB_PER_KG_RANGE`."""
    low, high = LB_PER_KG_RANGE
    if not low <= asked <= high:
        raise InputError(
            "lb per kg",
            shown(asked),
            f"must be between {shown(low)} (as courses teach) and {shown(high)} "
            "(the exact pound is 2.2046 lb/kg)",
        )
    return asked
