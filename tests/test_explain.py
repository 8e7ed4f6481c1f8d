"""The --explain chain: every step a student would write, with the right numbers."""

from __future__ import annotations

import pytest

from infuse_calc.dosing import calculate
from infuse_calc.explain import explain
from infuse_calc.quantities import parse_concentration, parse_dose, parse_rate_unit, parse_weight


def steps(
    dose: str, weight: str | None = None, conc: str | None = None, unit: str | None = None
) -> list[str]:
    return explain(
        calculate(
            parse_dose(dose),
            parse_weight(weight) if weight else None,
            parse_concentration(conc) if conc else None,
            parse_rate_unit(unit)[0] if unit else None,
        )
    )


def test_seed_case_chain() -> None:
    assert steps("7 mcg/kg/min", "72", "10 mg/mL") == [
        "7 mcg/kg/min × 72 kg = 504 mcg/min",
        "504 mcg/min × 60 min/h = 30,240 mcg/h = 30.24 mg/h",
        "30.24 mg/h × 24 h/day = 725.76 mg/day",
        "30.24 mg/h ÷ 10 mg/mL = 3.024 mL/h",
        "3.024 mL/h × 24 h/day = 72.576 mL/day",
        "set the pump to 3 mL/h (nearest 0.1 mL/h step): delivers 6.9444 mcg/kg/min (-0.79%)",
    ]


def test_reverse_chain_returns_to_the_dose() -> None:
    # 3.024 x 10 = 30.24 mg/h; / 60 = 0.504 mg/min = 504 mcg/min; / 72 = 7 mcg/kg/min
    chain = steps("3.024 mL/h", "72", "10 mg/mL")
    assert chain[0] == "3.024 mL/h × 10 mg/mL = 30.24 mg/h"
    assert "30.24 mg/h ÷ 60 min/h = 0.504 mg/min = 504 mcg/min" in chain
    assert "504 mcg/min ÷ 72 kg = 7 mcg/kg/min" in chain


def test_hourly_dose_chains_down_to_minutes() -> None:
    # 2 mg/kg/h x 72 = 144 mg/h; / 60 = 2.4 mg/min; x 24 = 3,456 mg/day = 3.456 g/day
    chain = steps("2 mg/kg/h", "72")
    assert chain == [
        "2 mg/kg/h × 72 kg = 144 mg/h",
        "144 mg/h × 24 h/day = 3,456 mg/day = 3.456 g/day",
        "144 mg/h ÷ 60 min/h = 2.4 mg/min",
    ]


def test_volume_in_liters_is_restated_in_ml() -> None:
    # 1 L/day = 1,000 mL/day; x 10 mg/mL = 10,000 mg/day; / 24 = 41.667 mL/h
    chain = steps("1 L/day", "20", "10 mg/mL")
    assert chain[0] == "1 L/day = 1,000 mL/day"
    assert chain[1] == "1,000 mL/day × 10 mg/mL = 10,000 mg/day"
    assert "1,000 mL/day = 41.667 mL/h" in chain


@pytest.mark.parametrize(
    ("unit", "line"),
    [
        ("mg/kg/h", "7 mcg/kg/min = 0.42 mg/kg/h"),  # 7 x 60 / 1000
        ("mg/h", "30.24 mg/h"),
    ],
)
def test_forward_dose_unit(unit: str, line: str) -> None:
    assert any(line in step for step in steps("7 mcg/kg/min", "72", unit=unit))


def test_absolute_dose_to_per_kg() -> None:
    # 250 mcg/min / 72 kg = 3.4722 mcg/kg/min
    assert "250 mcg/min ÷ 72 kg = 3.4722 mcg/kg/min" in steps(
        "250 mcg/min", "72", unit="mcg/kg/min"
    )
