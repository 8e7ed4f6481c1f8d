"""Each dose rule at its edge, with hand-worked values: bounds, thresholds and factors.

These are fixed tests for rules that the mutation run (``tools/mutate.py``,
``tools/mutants.toml``) found tested only by a random (hypothesis) test, or not at all:
each one kills a named mutant deterministically.
"""

from __future__ import annotations

from fractions import Fraction

import pytest

from infuse_calc.dosing import calculate
from infuse_calc.errors import InputError
from infuse_calc.quantities import parse_concentration, parse_dose, parse_weight


def refused(parse: object, text: str) -> str:
    """The reason ``parse(text)`` refuses ``text``."""
    with pytest.raises(InputError) as caught:
        parse(text)  # type: ignore[operator]
    return caught.value.reason


# --- numbers --------------------------------------------------------------------------------


def test_a_first_group_of_four_digits_is_not_a_thousands_separator() -> None:
    # 1000,000: ISMP groups are 1 to 3 digits, then threes; "1000," is a slip (mutant
    # comma-four-digit-group)
    reason = refused(parse_dose, "1000,000 mg/h")
    assert reason.startswith("'1000,000': commas are not accepted in numbers")
    assert parse_dose("100,000 mg/h").value == 100_000


def test_input_of_exactly_200_characters_is_read_and_201_refused() -> None:
    # "7" + spaces + "mcg/kg/min": 1 + 189 + 10 = 200 characters (mutant
    # input-length-200-refused)
    text = "7" + " " * 189 + "mcg/kg/min"
    assert len(text) == 200
    assert parse_dose(text).value == 7
    longer = "7" + " " * 190 + "mcg/kg/min"
    assert refused(parse_dose, longer) == "is too long (201 characters; at most 200)"


# --- unit spellings ---------------------------------------------------------------------------


def test_d_is_read_as_day() -> None:
    # 5 mg/d is 5 mg/day: per hour 5 / 24 = 0.208333... mg/h, per minute 5 / 1440 mg
    # (mutant d-read-as-hour)
    dose = parse_dose("5 mg/d")
    assert str(dose.unit) == "mg/day"
    assert dose.warnings == ("dose '5 mg/d': 'd' is error-prone; read as day, write day",)
    calc = calculate(dose)
    assert (calc.per_hour.value, calc.per_hour.unit) == (Fraction(5, 24), "mg/h")
    assert (calc.per_day.value, calc.per_day.unit) == (Fraction(5), "mg/day")
