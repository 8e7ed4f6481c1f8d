"""``check``: programmed rate against the order, named error factors, CLI and golden files."""

from __future__ import annotations

import json
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from infuse_calc.check import Cause, check, find_causes, named_factors, ratio_text, within
from infuse_calc.dosing import Measure, calculate
from infuse_calc.errors import IncompatibleError
from infuse_calc.notation import format_number
from infuse_calc.quantities import parse_concentration, parse_dose, parse_weight
from tests.conftest import check_golden

SEED = ("7 mcg/kg/min", "72", "10 mg/mL")  # needs 3.024 mL/h exactly (see test_dosing)


def run_check(pump: str, order: str = SEED[0], weight: str | None = SEED[1], conc: str = SEED[2]):  # type: ignore[no-untyped-def]
    return check(
        parse_dose(order),
        parse_dose(pump),
        parse_weight(weight) if weight else None,
        parse_concentration(conc),
    )


def names(result: Any) -> list[list[str]]:
    return [cause.names for cause in result.causes]


def test_exact_rate_matches() -> None:
    r = run_check("3.024 mL/h")
    assert r.match
    assert r.ratio == 1
    assert r.causes == ()
    assert r.expected == Measure(Fraction("3.024"), "mL/h")
    assert r.expected_rounded == Measure(Fraction(3), "mL/h")
    assert r.delivered == Measure(Fraction(7), "mcg/kg/min")


def test_rounded_rate_matches_within_tolerance() -> None:
    # 3 mL/h vs 3.024: |diff| 0.024 <= 0.05 (half of 0.1) + 5% x 3.024 (0.1512) = 0.2012
    r = run_check("3 mL/h")
    assert r.match
    assert r.ratio == Fraction(3) / Fraction("3.024")
    assert r.allowed_difference == Measure(Fraction("0.2012"), "mL/h")
    # 3 mL/h x 10 mg/mL = 30 mg/h = 30,000 mcg/h / 60 / 72 = 6.9444... mcg/kg/min
    assert r.delivered == Measure(Fraction(30000, 60 * 72), "mcg/kg/min")


def test_tolerance_boundary_is_inclusive() -> None:
    # 3.024 + 0.2012 = 3.2252 is exactly at the edge; one step further is not
    assert run_check("3.2252 mL/h").match
    assert not run_check("3.2253 mL/h").match
    # with 0% only half a step remains: 3.074 matches, 3.075 does not
    order, weight, conc = parse_dose(SEED[0]), parse_weight(SEED[1]), parse_concentration(SEED[2])
    tight = check(order, parse_dose("3.074 mL/h"), weight, conc, Fraction(1, 10), Fraction(0))
    assert tight.match
    loose = check(order, parse_dose("3.075 mL/h"), weight, conc, Fraction(1, 10), Fraction(0))
    assert not loose.match


@pytest.mark.parametrize(
    ("pump", "ratio", "expected_names"),
    [
        # 30.2 / 3.024 = 9.98677...: a decimal slip (10x)
        ("30.2 mL/h", Fraction("30.2") / Fraction("3.024"), [["10"]]),
        # 0.3 / 3.024: 1/10
        ("0.3 mL/h", Fraction("0.3") / Fraction("3.024"), [["1/10"]]),
        # 302.4 / 3.024 = 100 exactly
        ("302.4 mL/h", Fraction(100), [["100"]]),
        # 3024 / 3.024 = 1000: mcg read as mg
        ("3024 mL/h", Fraction(1000), [["1000"]]),
        # 181.44 / 3.024 = 60: minutes and hours
        ("181.44 mL/h", Fraction(60), [["60"]]),
        # 72.576 / 3.024 = 24 (= the per-day volume programmed per hour)
        ("72.576 mL/h", Fraction(24), [["24"]]),
        # 4354.56 / 3.024 = 1440
        ("4354.56 mL/h", Fraction(1440), [["1440"]]),
        # 217.728 / 3.024 = 72: the weight applied twice
        ("217.728 mL/h", Fraction(72), [["weight"]]),
        # 1814.4 / 3.024 = 600 = 10 x 60
        ("1814.4 mL/h", Fraction(600), [["10", "60"]]),
        # 18.144 / 3.024 = 6 = 1/10 x 60
        ("18.144 mL/h", Fraction(6), [["1/10", "60"]]),
        # 0.504 / 3.024 = 1/6 = 10 x 1/60
        ("0.504 mL/h", Fraction(1, 6), [["10", "1/60"]]),
        # 21772.8 / 3.024 = 7,200 = 100 x 72 (two places and the weight twice)
        ("21772.8 mL/h", Fraction(7200), [["100", "weight"]]),
        # 1,814,400 / 3.024 = 600,000 = 10 x 1000 x 60 (three factors)
        ("1814400 mL/h", Fraction(600000), [["10", "1000", "60"]]),
    ],
)
def test_named_factors_and_combinations(
    pump: str, ratio: Fraction, expected_names: list[list[str]]
) -> None:
    r = run_check(pump)
    assert not r.match
    assert r.ratio == ratio
    assert names(r)[: len(expected_names)] == expected_names


def test_weight_not_applied_reports_one_72th() -> None:
    # Forgetting the weight: 7 mcg/min = 0.42 mg/h / 10 mg/mL = 0.042 mL/h; 0.042/3.024 = 1/72.
    # At 0.1 mL/h steps 0.042 could also be 1/60 or 1/100 of the order, so a pump that can be
    # set in 0.001 mL/h steps is used to make the weight the only single-factor explanation.
    r = check(
        parse_dose(SEED[0]),
        parse_dose("0.042 mL/h"),
        parse_weight(SEED[1]),
        parse_concentration(SEED[2]),
        pump_resolution=Fraction(1, 1000),
    )
    assert r.ratio == Fraction(1, 72)
    assert names(r) == [["1/weight"]]
    assert r.causes[0].text == "pump is 1/72x the order: weight not applied?"


def test_coarse_resolution_lists_every_fitting_slip_closest_first() -> None:
    # 0.04 mL/h (ratio 1/75.6) is within half a 0.1 mL/h step of 1/72, 1/60 and 1/100 of 3.024
    r = run_check("0.04 mL/h")
    assert names(r) == [["1/weight"], ["1/60"], ["1/100"]]


def test_no_simple_cause() -> None:
    # 3.4 / 3.024 = 1.124: 12% over, outside 5% + half a step, and not any named slip
    r = run_check("3.4 mL/h")
    assert not r.match
    assert r.causes == ()


def test_near_cancelling_products_are_not_offered() -> None:
    # 72/60 = 1.2 would "explain" 1.124 by coincidence; products in (1/2, 2) are refused
    assert (
        find_causes(Fraction(3), Fraction(36, 10), Fraction(1, 10), Fraction(5), Fraction(72)) == []
    )


def test_factor_values_come_from_pint() -> None:
    values = {f.name: f.value for f in named_factors(Fraction(72))}
    assert values == {
        "10": 10,
        "100": 100,
        "1000": 1000,
        "60": 60,
        "24": 24,
        "1440": 1440,
        "weight": 72,
        "lb": 1 / Fraction("0.45359237"),  # the exact pound: 1 kg = 2.2046226... lb
        "2": 2,
    }
    assert "weight" not in {f.name for f in named_factors()}
    assert "2" not in {f.name for f in named_factors(bags=False)}


def test_cause_text_for_combinations() -> None:
    ten, sixty = named_factors()[0], named_factors()[3]
    cause = Cause(((ten, 1), (sixty, 1)))
    assert cause.value == 600
    assert cause.text == (
        "pump is 600x the order: 10x (decimal slip?) and 60x (minutes/hours mix-up: "
        "per-hour dose worked out as per-minute?)"
    )
    assert Cause(((sixty, -1),)).text.startswith("pump is 1/60x the order: minutes/hours")


def test_ratio_text() -> None:
    assert ratio_text(Fraction(10)) == "10x"
    assert ratio_text(Fraction(1, 72)) == "1/72x"
    assert ratio_text(Fraction(600000)) == "600,000x"
    # 3/3.024 = 0.992063...: near 1 a decimal reads better than 1/1.008x
    assert ratio_text(Fraction(3) / Fraction("3.024")) == "0.99206x"
    assert ratio_text(Fraction(1, 2)) == "0.5x"


def test_within() -> None:
    # target 10, step 0.1, 5%: allowed 0.05 + 0.5 = 0.55
    assert within(Fraction("10.55"), Fraction(10), Fraction(1, 10), Fraction(5))
    assert not within(Fraction("10.56"), Fraction(10), Fraction(1, 10), Fraction(5))
    assert within(Fraction("9.45"), Fraction(10), Fraction(1, 10), Fraction(5))


def test_volume_rate_order() -> None:
    r = check(parse_dose("100 mL/h"), parse_dose("10 mL/h"))
    assert not r.match
    assert r.ratio == Fraction(1, 10)
    assert names(r) == [["1/10"]]


def test_units_drug_and_absolute_dose() -> None:
    # heparin 1,000 units/h at 100 units/mL = 10 mL/h; programmed 100 mL/h: 10x
    r = run_check("100 mL/h", "1000 units/h", None, "25000 units/250 mL")
    assert r.expected == Measure(Fraction(10), "mL/h")
    assert names(r) == [["10"]]
    assert r.delivered == Measure(Fraction(10000), "units/h")


@pytest.mark.parametrize(
    ("order", "pump", "conc", "message"),
    [
        ("7 mcg/kg/min", "3 mg/h", "10 mg/mL", "must be a volume rate"),
        ("7 mcg/kg/min", "3 mL/h", None, "give the concentration"),
        ("7 units/kg/h", "3 mL/h", "10 mg/mL", "must measure the same kind"),
    ],
)
def test_incompatible_inputs(order: str, pump: str, conc: str | None, message: str) -> None:
    with pytest.raises(IncompatibleError, match=message):
        check(
            parse_dose(order),
            parse_dose(pump),
            parse_weight("72"),
            parse_concentration(conc) if conc else None,
        )


_SINGLE = ["10", "100", "1000", "60", "24", "1440", "weight"]


@settings(max_examples=80, deadline=None)
@given(
    dose=st.integers(min_value=1, max_value=500).map(lambda n: Fraction(n, 10)),
    weight=st.integers(min_value=2, max_value=200),
    conc=st.sampled_from(["1 mg/mL", "10 mg/mL", "4 mg/250 mL", "50 mg/mL", "500 mcg/mL"]),
    name=st.sampled_from(_SINGLE),
    inverse=st.booleans(),
)
# the smallest rate: 0.2 mcg/min of 50 mg/mL is 0.00024 mL/h, /1440 = 1.67e-7 mL/h
@example(dose=Fraction(1, 10), weight=2, conc="50 mg/mL", name="1440", inverse=True)
@example(dose=Fraction(50), weight=200, conc="500 mcg/mL", name="1440", inverse=False)
def test_any_named_factor_is_reported(
    dose: Fraction, weight: int, conc: str, name: str, inverse: bool
) -> None:
    order = parse_dose(f"{format_number(dose, 6, False)} mcg/kg/min")
    w = parse_weight(str(weight))
    c = parse_concentration(conc)
    expected = calculate(order, w, c).pump_rate
    assert expected is not None
    factor = {f.name: f.value for f in named_factors(Fraction(weight))}[name]
    wrong = expected.value * (1 / factor if inverse else factor)
    # Rates far below a pump step cannot tell slips apart; the property is about rates a
    # pump set in 0.001 mL/h steps shows to 8 significant figures.
    figures = 8
    wrong_text = format_number(wrong, figures, False)
    while sum(ch.isdigit() for ch in wrong_text) > 15:  # the parser's digit cap
        figures -= 1
        wrong_text = format_number(wrong, figures, False)
    resolution = Fraction(1, 10**9) if min(expected.value, wrong) < 1 else Fraction(1, 1000)
    result = check(order, parse_dose(f"{wrong_text} mL/h"), w, c, resolution)
    assert not result.match
    wanted = [f"1/{name}" if inverse else name]
    # a wrong rate that is the dose's own number (0.1 mcg/kg/min at 200 kg of 500 mcg/mL is
    # 2.4 mL/h; /24 is 0.1 mL/h) is as much the dose typed as the mL/h: either is right
    accepted = [wanted, ["dose as rate"]] if Fraction(wrong_text) == dose else [wanted]
    assert any(one in names(result) for one in accepted), (wanted, names(result))


# --- CLI ----------------------------------------------------------------------------------


def test_cli_mismatch_plain_golden(run: Any) -> None:
    result = run("check", "7 mcg/kg/min", "-w", "72", "-c", "10 mg/mL", "--pump", "30.2 mL/h")
    assert result.exit_code == 1
    assert "MISMATCH" in result.stdout
    assert "pump is 10x the order: decimal slip?" in result.stdout
    assert (
        "Pump should read  3 mL/h (nearest 0.1 mL/h step to the exact 3.024 mL/h)" in result.stdout
    )
    # a failed check ends, like every exit 1 or 2, with one Error line on stderr
    assert result.stderr == (
        "Error: MISMATCH: the pump (30.2 mL/h) is 9.9868x the order; it should read 3 mL/h\n"
    )
    check_golden("check_mismatch.plain", result.stdout)


def test_cli_match_plain_golden(run: Any) -> None:
    result = run("check", "7 mcg/kg/min", "-w", "72", "-c", "10 mg/mL", "--pump", "3 mL/h")
    assert result.exit_code == 0
    assert "MATCH" in result.stdout
    check_golden("check_match.plain", result.stdout)


def test_cli_json_golden(run: Any) -> None:
    result = run(
        "check", "7 mcg/kg/min", "-w", "72", "-c", "10 mg/mL", "--pump", "1814.4 mL/h",
        "--format", "json",
    )  # fmt: skip
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["match"] is False
    assert data["ratio"] == 600.0
    assert data["causes"][0]["parts"] == ["10", "60"]
    assert data["causes"][0]["factor"] == 600.0
    assert data["expected_pump_rate"] == {"value": 3.024, "unit": "mL/h"}
    assert data["expected_pump_rate_rounded"] == {"value": 3.0, "unit": "mL/h"}
    # 1814.4 mL/h x 10 mg/mL = 18,144 mg/h = 18,144,000 mcg/h / 60 / 72 = 4,200 mcg/kg/min
    assert data["delivered_dose"] == {"value": 4200.0, "unit": "mcg/kg/min"}
    check_golden("check_mismatch.json", result.stdout)


def test_cli_csv(run: Any) -> None:
    result = run(
        "check", "7 mcg/kg/min", "-w", "72", "-c", "10 mg/mL", "--pump", "3 mL/h", "--format",
        "csv",
    )  # fmt: skip
    assert result.exit_code == 0
    header, row = result.stdout.splitlines()
    assert header.startswith("match,ratio,difference_percent,causes,order_value,order_unit")
    assert row.startswith("true,0.9920634920634921,")


def test_cli_tolerance_option(run: Any) -> None:
    args = ["check", "7 mcg/kg/min", "-w", "72", "-c", "10 mg/mL", "--pump", "3.4 mL/h"]
    assert run(*args).exit_code == 1
    # 3.4 - 3.024 = 0.376 <= 0.05 + 13% x 3.024 (0.39312)
    assert run(*args, "--tolerance", "13%").exit_code == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["7 mcg/kg/min", "-w", "72", "-c", "10 mg/mL"], "Missing option '--pump'"),
        (["7 mcg/kg/min", "-w", "72", "-c", "10 mg/mL", "--pump", "0 mL/h"], "greater than zero"),
        (["7 mcg/kg/min", "-w", "72", "-c", "10 mg/mL", "--pump", "-3 mL/h"], "negative"),
        (["7 mcg/kg/min", "-w", "72", "-c", "10 mg/mL", "--pump", "nan mL/h"], "not a number"),
        (["7 mcg/kg/min", "-w", "72", "-c", "10 mg/mL", "--pump", "inf mL/h"], "finite"),
        (["7 mcg/kg/min", "-w", "72", "-c", "10 mg/mL", "--pump", ""], "empty"),
        (["7 mcg/kg/min", "-w", "72", "-c", "10 mg/mL", "--pump", "3 mg/h"], "volume rate"),
        (["7 mcg/kg/min", "-w", "72", "-c", "10 mg/mL", "--pump", "3 foo/h"], "unknown unit"),
        (["7 mcg/kg/min", "-w", "72", "-c", "10 mg/mL", "--pump", "1" * 20 + " mL/h"], "digits"),
        (["7 mcg/kg/min", "-w", "72", "--pump", "3 mL/h"], "concentration"),
        (["7 mcg/kg/min", "-c", "10 mg/mL", "--pump", "3 mL/h"], "per kg"),
        (["7 mcg/kg", "-w", "72", "-c", "10 mg/mL", "--pump", "3 mL/h"], "is a bolus"),
        (
            [
                "7 mcg/kg/min",
                "-w",
                "72",
                "-c",
                "10 mg/mL",
                "--pump",
                "3 mL/h",
                "--tolerance",
                "100",
            ],
            "under 100%",
        ),
        (
            ["7 mcg/kg/min", "-w", "72", "-c", "10 mg/mL", "--pump", "3 mL/h", "--tolerance", "-5"],
            "negative",
        ),
    ],
)
def test_cli_bad_input_exit_2(run: Any, args: list[str], message: str) -> None:
    result = run("check", *args)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("Error: ")
    assert len(result.stderr.strip().splitlines()) == 1
    assert message in result.stderr
    assert result.stdout == ""
