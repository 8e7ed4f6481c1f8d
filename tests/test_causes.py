"""Likely causes (issue 16, item 7): pounds typed as kilograms, a double- or half-strength
bag, another standard concentration of the drug, the dose number typed as the mL/h; ranked
by how exactly and how commonly they explain the pump; none offered outside the tolerance."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from infuse_calc import units as u
from infuse_calc.check import check, find_causes, named_factors, within
from infuse_calc.practice_grading import mark
from infuse_calc.quantities import parse_concentration, parse_dose, parse_weight

SEED = ("7 mcg/kg/min", "72", "10 mg/mL")  # 3.024 mL/h


def causes_of(pump: str, order: str = SEED[0], weight: str = SEED[1], conc: str = SEED[2],
              **options: Any) -> list[list[str]]:  # fmt: skip
    result = check(
        parse_dose(order), parse_dose(pump), parse_weight(weight), parse_concentration(conc),
        **options,
    )  # fmt: skip
    assert not result.match
    return [cause.names for cause in result.causes]


def test_the_pound_factor_is_the_exact_pound_from_pint() -> None:
    (lb,) = [f for f in named_factors(Fraction(72)) if f.name == "lb"]
    # 1 kg = 1/0.45359237 lb exactly: 2.2046226...
    assert lb.value == 1 / Fraction("0.45359237")
    assert lb.value == u.factor("kg", "lb")
    assert "lb" not in {f.name for f in named_factors()}  # only with a weight


def test_pounds_typed_as_kilograms() -> None:
    # 72 kg is 158.73 lb; typed as 158.73 kg the pump runs at 3.024 x 2.2046 = 6.6668 mL/h
    assert causes_of("6.7 mL/h")[0] == ["lb"]
    # the other way, kilograms typed as pounds: 3.024 / 2.2046 = 1.3717 mL/h
    assert causes_of("1.4 mL/h")[0] == ["1/lb"]


def test_a_double_or_half_strength_bag() -> None:
    # worked out for 5 mg/mL while 10 mg/mL hangs: 6.048 mL/h, 2x
    assert causes_of("6 mL/h")[0] == ["2"]
    assert causes_of("1.5 mL/h")[0] == ["1/2"]


def test_the_dose_number_typed_as_the_rate() -> None:
    # 7 mcg/kg/min programmed as 7 mL/h: 7 / 3.024 = 2.3148x. 2.2046x (pounds) is within
    # 5% + half a step too (6.6668 vs 7: 0.333 <= 0.05 + 0.3333), but "7" is exact
    found = causes_of("7 mL/h")
    assert found[0] == ["dose as rate"]
    assert ["lb"] in found
    result = check(*(parse_dose(SEED[0]), parse_dose("7 mL/h")), parse_weight("72"),
                   parse_concentration("10 mg/mL"))  # fmt: skip
    assert result.causes[0].text == (
        "pump is 2.3148x the order: the dose's number (7) typed as the mL/h?"
    )


def test_another_standard_concentration_of_the_drug() -> None:
    # norepinephrine 8 mg/250 mL (32 mcg/mL) hanging, the rate worked out for 4 mg/250 mL:
    # 0.1 mcg/kg/min x 80 kg = 8 mcg/min = 480 mcg/h; / 32 = 15 mL/h, / 16 = 30 mL/h
    standards = [parse_concentration("4 mg/250 mL"), parse_concentration("8 mg/250 mL")]
    result = check(
        parse_dose("0.1 mcg/kg/min"), parse_dose("30 mL/h"), parse_weight("80"),
        parse_concentration("8 mg/250 mL"), standards=[(c, "") for c in standards],
    )  # fmt: skip
    assert result.causes[0].names == ["standard 4 mg/250 mL"]
    assert result.causes[0].text == (
        "pump is 2x the order: rate worked out for the 4 mg/250 mL bag, not this one?"
    )
    # the generic "half-strength bag" is not offered beside it (the same 2x)
    assert ["2"] not in [c.names for c in result.causes]


def test_a_standard_ratio_that_is_not_two() -> None:
    # amiodarone 3.6 mg/mL hanging, rate worked out for 1.5 mg/mL: 2.4x
    # 1 mg/min = 60 mg/h; / 3.6 = 16.667 mL/h; / 1.5 = 40 mL/h
    result = check(
        parse_dose("1 mg/min"), parse_dose("40 mL/h"), None, parse_concentration("3.6 mg/mL"),
        standards=[(parse_concentration("1.5 mg/mL"), "peripheral"),
                   (parse_concentration("3.6 mg/mL"), "central")],
    )  # fmt: skip
    assert result.causes[0].text == (
        "pump is 2.4x the order: rate worked out for the 1.5 mg/mL (peripheral) bag, not this one?"
    )


def test_an_exact_match_ranks_before_a_more_common_close_one() -> None:
    # 1 mg/h of 1 mg/mL needs 1 mL/h; 24 mL/h is exactly 24x (hours/days) and within 5% of
    # 25x (the weight, 25 kg, applied twice: 25 mL/h, 1 mL/h off): the exact one comes first
    found = causes_of("24 mL/h", order="1 mg/h", weight="25", conc="1 mg/mL")
    assert found == [["24"], ["weight"]]


def test_among_exact_matches_the_commoner_slip_ranks_first() -> None:
    # 1 mg/h of 1 mg/mL needs 1 mL/h. At 10 mL/h steps 60x (60 mL/h) and a 64 kg weight
    # applied twice (64 mL/h) both set the pump to 60 mL/h: the pump cannot tell them apart,
    # so the commoner slip (a per-kg step repeated) ranks first, though 60x is closer
    found = causes_of(
        "60 mL/h", order="1 mg/h", weight="64", conc="1 mg/mL", pump_resolution=Fraction(10)
    )
    assert found[:2] == [["weight"], ["60"]]


def test_inexact_matches_rank_closest_first() -> None:
    # 0.04 mL/h is no 0.1 mL/h setting: 1/72 (0.042), 1/60 (0.0504), 1/100 (0.03024) and
    # 1/1000 all lie within half a step; the closest come first, the far 1/1000 is dropped
    assert causes_of("0.04 mL/h") == [["1/weight"], ["1/60"], ["1/100"]]


@settings(max_examples=200, deadline=None)
@given(
    pump=st.decimals(min_value="0.1", max_value="5000", places=1),
    weight=st.integers(min_value=1, max_value=200),
    tolerance=st.sampled_from([Fraction(0), Fraction(5), Fraction(20)]),
)
def test_no_cause_is_offered_outside_the_tolerance(
    pump: Any, weight: int, tolerance: Fraction
) -> None:
    order, conc = parse_dose("7 mcg/kg/min"), parse_concentration("10 mg/mL")
    result = check(order, parse_dose(f"{pump} mL/h"), parse_weight(str(weight)), conc,
                   tolerance_percent=tolerance)  # fmt: skip
    for cause in result.causes:
        assert within(
            result.programmed.value, result.expected.value * cause.value, Fraction(1, 10),
            tolerance,
        )  # fmt: skip


def test_find_causes_keeps_its_practice_signature() -> None:
    # practice marks answers with find_causes(exact, value, step, percent, weight, max_factors)
    found = find_causes(Fraction(13), Fraction(130), Fraction(1, 10), Fraction(1), Fraction(70),
                        max_factors=2)  # fmt: skip
    assert [c.names for c in found] == [["10"]]


def test_practice_names_pounds_left_unconverted() -> None:
    """3b: 3 mcg/kg/min for 156 lb (70.76 kg) is 212.28 mcg/min; a student who uses 156 as
    kilograms gets 3 x 156 = 468 mcg/min, 2.2046x the answer."""
    from infuse_calc.practice_grading import most_missed
    from infuse_calc.practice_sets import problem_set

    p3 = problem_set(7, 3)[2]
    per_minute = p3.parts[1]
    result = mark(p3, per_minute, "468")
    assert not result.right
    assert result.missed == ("lb",)
    assert "2.2046x the answer: weight in pounds typed as kilograms?" in result.verdict
    assert most_missed([result]) == (
        "The wrong answer missed the pounds-to-kilograms step (the weight in kg, not lb)."
    )


def test_check_with_a_drug_names_its_other_standard_bag(run: Any) -> None:
    # DOPamine's built-in bags: 1,600 mcg/mL (first) and 3,200 mcg/mL (second). 5 mcg/kg/min
    # x 80 kg = 400 mcg/min = 24,000 mcg/h; / 3,200 = 7.5 mL/h, but / 1,600 = 15 mL/h
    out = run(
        "check", "5 mcg/kg/min", "-w", "80", "--drug", "dopamine", "-c", "second",
        "--pump", "15 mL/h", "--format", "plain",
    )  # fmt: skip
    assert out.exit_code == 1
    assert (
        "Likely cause      pump is 2x the order: rate worked out for the 1,600 mcg/mL (first) "
        "bag, not this one?\n" in out.stdout
    )
    assert "half this concentration" not in out.stdout
