"""``practice`` problems: wording, levels, seeds, data, and answers that are convert's figures."""

from __future__ import annotations

import json
import re
from fractions import Fraction
from itertools import islice

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from infuse_calc import units as u
from infuse_calc.cli import cli
from infuse_calc.given import order_text
from infuse_calc.notation import format_exact, format_number
from infuse_calc.practice import (
    LEVELS,
    Ask,
    Inputs,
    PracticeError,
    calculation,
    figure,
    make_problem,
    rounds_cleanly,
)
from infuse_calc.practice_data import (
    PracticeDataError,
    Span,
    drug_facts,
    parse_ranges,
    ranges,
)
from infuse_calc.practice_sets import check_count, generate, kinds_for, parse_level, problem_set
from infuse_calc.practice_types import TYPE_NAMES, TYPES, _patient, level_of
from infuse_calc.quantities import (
    HOUR,
    Kind,
    parse_amount,
    parse_concentration,
    parse_dose,
    parse_rate_unit,
)

AVAILABLE = kinds_for("all")
LB_KG = Fraction("0.45359237")  # the international pound, exactly


# --- types, levels, counts ------------------------------------------------------------------


def test_all_deals_every_available_type() -> None:
    assert AVAILABLE == TYPE_NAMES
    assert set(TYPE_NAMES) == set(TYPES)
    assert "over-time" in AVAILABLE
    assert "bolus" in AVAILABLE


def test_unknown_type() -> None:
    with pytest.raises(PracticeError, match="unknown problem type 'pump'"):
        kinds_for("pump")


@pytest.mark.parametrize(
    ("text", "level"),
    [("1", 1), ("basic", 1), ("2", 2), ("Intermediate", 2), (" 3 ", 3), ("ADVANCED", 3)],
)
def test_levels_by_number_or_name(text: str, level: int) -> None:
    assert parse_level(text) == level


@pytest.mark.parametrize("text", ["0", "4", "expert", "", "1.5", "-1"])
def test_unknown_levels(text: str) -> None:
    with pytest.raises(PracticeError, match="unknown level"):
        parse_level(text)


@pytest.mark.parametrize("count", [0, -1, 1001, 10**9])
def test_counts_out_of_range(count: int) -> None:
    with pytest.raises(PracticeError, match="give 1 to 1,000 problems"):
        check_count(count)


def test_count_limits_are_included() -> None:
    assert check_count(1) == 1
    assert check_count(1000) == 1000


# --- seeds ------------------------------------------------------------------------------------


def test_a_seed_gives_the_same_set_every_time() -> None:
    assert problem_set(7, 25) == problem_set(7, 25)
    assert problem_set(7, 25) != problem_set(8, 25)


def test_a_shorter_set_is_the_start_of_a_longer_one() -> None:
    """So a session's first problems are the worksheet of the same seed."""
    assert problem_set(11, 4, "all", 3) == problem_set(11, 12, "all", 3)[:4]
    assert problem_set(11, 4, "all", 3) == list(islice(generate(11, "all", 3), 4))


def test_each_round_of_all_deals_each_type_once() -> None:
    problems = problem_set(3, 5 * len(AVAILABLE))
    for start in range(0, len(problems), len(AVAILABLE)):
        kinds = sorted(p.kind for p in problems[start : start + len(AVAILABLE)])
        assert kinds == sorted(AVAILABLE)
    assert [p.number for p in problems] == list(range(1, len(problems) + 1))


def test_seed_7_hand_worked() -> None:
    """The first problems of seed 7 (the golden worksheets), each answer worked by hand."""
    p1, p2, p3, p4, p5, p6, p7 = problem_set(7, 7)
    # 1 g over 30 min = 2 g/h = 2,000 mg/h; 20 g in 500 mL = 40 mg/mL; 2,000 / 40 = 50 mL/h
    assert p1.text == (
        "A patient is ordered magnesium sulfate 1 g over 30 min. The bag is 20 g in 500 mL."
    )
    assert p1.parts[0].exact.value == Fraction(1000 * 60, 30) / Fraction(20000, 500)
    # 80 units/kg x 98 kg = 7,840 units; / 1,000 units/mL = 7.84 mL
    assert [part.exact.value for part in p2.parts] == [7840, Fraction("7.84")]
    assert [str(part.answer) for part in p2.parts] == ["7,840 units", "7.84 mL"]
    # 156 lb x 0.45359237 kg/lb = 70.76040972 kg; x 3 mcg/kg/min = 212.28 mcg/min
    assert p3.text == "A 156 lb patient is ordered DOPamine 3 mcg/kg/min."
    kg = 156 * LB_KG
    assert [part.exact.value for part in p3.parts] == [kg, 3 * kg]
    assert [str(part.answer) for part in p3.parts] == ["70.8 kg", "212 mcg/min"]
    # 11 mcg/kg/min x 98 kg x 60 min/h = 64,680 mcg/h; / 1,600 mcg/mL = 40.425 mL/h
    assert p4.parts[0].exact.value == Fraction(11 * 98 * 60, 1600)
    assert str(p4.parts[0].answer) == "40.4 mL/h"
    # a 10 gtt/mL set: 150 mL/h x 10 gtt/mL / 60 min/h = 25 gtt/min
    assert p5.parts[0].exact.value == Fraction(150 * 10, 60)
    # 13.5 mL/h x 100 units/mL = 1,350 units/h
    assert p6.parts[0].exact.value == Fraction("13.5") * 100
    # 118 kg x 16 units/kg/h = 1,888 units/h; / 100 units/mL = 18.88 mL/h
    assert [part.exact.value for part in p7.parts] == [1888, Fraction("18.88")]
    assert [str(part.answer) for part in p7.parts] == ["1,888 units/h", "18.9 mL/h"]


def test_over_time_and_bolus_hand_worked() -> None:
    """The issue's examples, through make_problem: the engine's figures, worked by hand."""
    # 4 g over 20 min = 12 g/h; 40 g in 1,000 mL = 40 mg/mL; 12,000 / 40 = 300 mL/h
    magnesium = make_problem(
        "over-time", 3, "", Inputs("4 g over 20 min", None, "40 g in 1000 mL"), [_pump()]
    )
    assert magnesium is not None
    assert magnesium.parts[0].exact.value == Fraction(4000 * 60, 20) / 40 == 300
    # 100 mL over 30 min = 100 x 60 / 30 = 200 mL/h
    piggyback = make_problem("over-time", 2, "", Inputs("100 mL over 30 min"), [_pump()])
    assert piggyback is not None
    assert piggyback.parts[0].exact.value == 200
    # 1,000 mL over 8 h = 125 mL/h; x 15 gtt/mL / 60 min/h = 31.25 gtt/min, 31 drops
    drops = Ask("How many drops per minute?", "drip_rate", "gtt/min", Fraction(1))
    gravity = make_problem("over-time", 2, "", Inputs("1000 mL over 8 h", drop_factor=15), [drops])
    assert gravity is not None
    assert gravity.parts[0].exact.value == Fraction(125 * 15, 60)
    assert str(gravity.parts[0].answer) == "31 gtt/min"
    # 500 mcg/kg x 70 kg = 35,000 mcg = 35 mg; / 10 mg/mL = 3.5 mL; over 1 min: 210 mL/h
    loading = make_problem(
        "over-time",
        3,
        "",
        Inputs("500 mcg/kg over 1 min", "70 kg", "10 mg/mL"),
        [Ask("?", "amount", "mg"), Ask("?", "volume", "mL"), _pump()],
    )
    assert loading is not None
    assert [p.exact.value for p in loading.parts] == [35, Fraction(7, 2), 210]
    # 80 units/kg x 70 kg = 5,600 units; / 1,000 units/mL = 5.6 mL
    bolus = [Ask("?", "bolus_amount", "units"), Ask("?", "bolus_volume", "mL")]
    heparin = make_problem("bolus", 2, "", Inputs("80 units/kg", "70 kg", "1000 units/mL"), bolus)
    assert heparin is not None
    assert [p.exact.value for p in heparin.parts] == [5600, Fraction(28, 5)]
    # capped: 80 units/kg x 150 kg = 12,000 units, more than 10,000: 10,000 units, 10 mL
    capped = Inputs("80 units/kg", "150 kg", "1000 units/mL", limit="10000 units")
    problem = make_problem("bolus", 3, "", capped, bolus)
    assert problem is not None
    assert [p.exact.value for p in problem.parts] == [10000, 10]
    assert "--max" in problem.inputs.command()


def _pump() -> Ask:
    return Ask("Set the pump to how many mL/h?", "pump_rate", "mL/h", Fraction(1, 10))


def test_over_time_and_bolus_levels() -> None:
    """Basic: a volume over hours, a bolus in units; then minutes, per kg, a maximum."""
    basic = problem_set(5, 10, "over-time", 1)
    assert all(parse_dose(p.inputs.dose, amounts=True).unit.amount.symbol == "mL" for p in basic)
    assert all(" h" in p.inputs.dose and p.inputs.drop_factor is None for p in basic)
    advanced = problem_set(5, 10, "over-time", 3)
    assert all(p.inputs.weight is not None and len(p.parts) == 3 for p in advanced)
    assert all(p.inputs.weight is None for p in problem_set(5, 10, "bolus", 1))
    assert all(p.inputs.weight and "lb" in p.inputs.weight for p in problem_set(5, 10, "bolus", 3))
    capped = [p for p in problem_set(5, 40, "bolus", 2) if p.inputs.limit is not None]
    assert capped
    assert all("maximum" in p.text for p in capped)


# --- every type at every level ------------------------------------------------------------------


@pytest.mark.parametrize("level", [1, 2, 3])
@pytest.mark.parametrize("kind", AVAILABLE)
def test_every_type_at_every_level(kind: str, level: int) -> None:
    for problem in problem_set(level * 100, 8, kind, level):
        assert problem.kind == kind
        assert problem.level == level
        assert problem.parts
        for part in problem.parts:
            assert part.answer.value > 0
            assert rounds_cleanly(part.exact.value, part.step)
            assert part.question.endswith("?")
        assert problem.chain
        _check_wording(problem.text, problem.inputs)


def _check_wording(text: str, inputs: Inputs) -> None:
    """What the problem says is what convert is given."""
    dose = parse_dose(inputs.dose, amounts=True)
    if dose.is_timed or dose.is_bolus:
        assert order_text(dose) in text
    elif inputs.dose_unit is None:
        assert f"{format_exact(dose.value)} {dose.unit}" in text
    else:
        assert f"running at {format_exact(dose.value)} mL/h" in text
    if inputs.weight is not None:
        assert inputs.weight in text
    if inputs.concentration is not None:
        conc = parse_concentration(inputs.concentration)
        amount = f"{format_exact(conc.amount)} {conc.amount_unit}"
        if conc.per_volume_given:
            assert f"{amount} in {format_exact(conc.volume)} {conc.volume_unit}" in text
        else:
            assert f"{amount}/{conc.volume_unit}" in text
    if inputs.drop_factor is not None:
        assert f"a {inputs.drop_factor} gtt/mL set" in text
    if inputs.limit is not None:
        value, word, _ = parse_amount(inputs.limit, "maximum")
        assert f"maximum {format_exact(value)} {word}" in text


def _conversions(inputs: Inputs) -> int:
    """Per kg, per minute, mcg against a mg bag, a bag to work out: worked from the text."""
    unit = parse_dose(inputs.dose).unit
    conc = parse_concentration(inputs.concentration or "")
    return (
        unit.per_kg
        + (unit.time is not HOUR)
        + (unit.amount != conc.amount_unit)
        + conc.per_volume_given
    )


def test_pump_rate_levels_count_the_conversions() -> None:
    """Basic: dose / concentration. Advanced: three conversions or more."""
    basic = problem_set(5, 10, "pump-rate", 1)
    assert {_conversions(p.inputs) for p in basic} == {0}
    # e.g. diltiazem 12 mg/h at 1 mg/mL
    assert all(p.inputs.weight is None for p in basic)
    assert {_conversions(p.inputs) for p in problem_set(5, 20, "pump-rate", 2)} <= {1, 2}
    advanced = problem_set(5, 20, "pump-rate", 3)
    assert min(_conversions(p.inputs) for p in advanced) >= 3


def test_pounds_levels() -> None:
    basic = problem_set(1, 5, "pounds", 1)
    assert all(len(p.parts) == 1 and p.parts[0].exact.unit == "kg" for p in basic)
    # the chain stops at the weight: "154 lb ÷ 2.2046 lb/kg = 69.853 kg"
    assert all(len(p.chain) == 1 and " lb ÷ 2.2046 lb/kg = " in p.chain[0] for p in basic)
    advanced = problem_set(1, 5, "pounds", 3)
    assert all([part.exact.unit for part in p.parts] == ["kg", "mL/h"] for p in advanced)


def test_units_per_hour_asks_units_then_millilitres() -> None:
    for problem in problem_set(2, 5, "units-per-hour", 2):
        assert [part.exact.unit for part in problem.parts] == ["units/h", "mL/h"]
        assert problem.inputs.weight is not None
        kg = Fraction(problem.inputs.weight.removesuffix(" kg"))
        dose = parse_dose(problem.inputs.dose).value
        # units/kg/h x kg = units/h; / 100 units/mL (25,000 units in 250 mL) = mL/h
        assert problem.parts[0].exact.value == dose * kg
        assert problem.parts[1].exact.value == dose * kg / 100


def test_drip_rate_hand_worked() -> None:
    for problem in problem_set(4, 6, "drip-rate", 2):
        rate = parse_dose(problem.inputs.dose).value
        factor = problem.inputs.drop_factor
        assert factor in (10, 15, 20, 60)
        # mL/h x gtt/mL / 60 min/h
        assert problem.parts[0].exact.value == rate * factor / 60
        assert problem.parts[0].step == 1


def test_basic_drip_rates_use_macrodrip_sets() -> None:
    assert {p.inputs.drop_factor for p in problem_set(9, 40, "drip-rate", 1)} == {10, 15, 20}


def test_dose_from_rate_reverses_a_pump_setting() -> None:
    for problem in problem_set(6, 6, "dose-from-rate", 3):
        rate = parse_dose(problem.inputs.dose)
        assert rate.unit.kind is Kind.VOLUME
        # a rate a pump can be set to: whole tenths of a mL/h
        assert (rate.value * 10).denominator == 1
        assert problem.parts[0].exact.unit == problem.inputs.dose_unit


# --- rounding and wording -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "step", "clean"),
    [
        ("12.75", "0.1", False),  # a tie: halves-up and halves-even disagree
        ("12.748", "0.1", False),  # near a tie: an early rounding would flip it
        ("12.745", "0.1", True),  # 0.45 of a step from the boundary is clear
        ("12.74", "0.1", True),
        ("12.7", "0.1", True),
        ("0.04", "0.1", False),  # rounds to zero
        ("31.25", "1", True),
        ("33.5", "1", False),
    ],
)
def test_rounds_cleanly(value: str, step: str, clean: bool) -> None:
    assert rounds_cleanly(Fraction(value), Fraction(step)) is clean


def test_a_tie_is_not_set() -> None:
    """The issue's own example, 5 mcg/kg/min x 68 kg at 1.6 mg/mL, is exactly 12.75 mL/h."""
    ask = Ask("Set the pump to how many mL/h?", "pump_rate", "mL/h", Fraction(1, 10))
    inputs = Inputs("5 mcg/kg/min", "68 kg", "400 mg in 250 mL")
    assert make_problem("pump-rate", 3, "", inputs, [ask]) is None
    # 70 kg: 5 x 70 x 60 / 1,000 = 21 mg/h; / 1.6 mg/mL = 13.125 mL/h
    problem = make_problem(
        "pump-rate", 3, "", Inputs("5 mcg/kg/min", "70 kg", "400 mg in 250 mL"), [ask]
    )
    assert problem is not None
    assert problem.parts[0].exact.value == Fraction("13.125")
    assert str(problem.parts[0].answer) == "13.1 mL/h"
    assert problem.parts[0].rounding == "Round to the nearest tenth."


@pytest.mark.parametrize(
    ("weight", "phrase"),
    [
        ("68", "A 68 kg patient"),
        ("80", "An 80 kg patient"),
        ("8", "An 8 kg patient"),
        ("11", "An 11 kg patient"),
        ("18", "An 18 kg patient"),
        ("118", "A 118 kg patient"),
        ("180", "A 180 kg patient"),
        ("110", "A 110 kg patient"),
    ],
)
def test_articles(weight: str, phrase: str) -> None:
    assert _patient(f"{weight} kg", Fraction(weight)) == phrase


def test_command_line_quotes_arguments_with_spaces() -> None:
    inputs = Inputs("5 mcg/kg/min", "70 kg", "400 mg in 250 mL", "mcg/kg/min", 60)
    assert inputs.command() == (
        'infuse-calc convert "5 mcg/kg/min" -w "70 kg" -c "400 mg in 250 mL" '
        "--dose-unit mcg/kg/min --drop-factor 60 --explain"
    )


# --- the teaching data --------------------------------------------------------------------------


def test_ranges_say_they_are_not_dosing_guidance() -> None:
    from importlib import resources

    text = resources.files("infuse_calc").joinpath("practice_ranges.toml").read_text("utf-8")
    assert "NOT DOSING GUIDANCE" in text.split("[weight]")[0]


def test_every_dose_range_fits_its_drug() -> None:
    data = ranges()
    assert data.doses
    for dose_range in data.doses:
        facts = drug_facts(dose_range.drug)
        unit = parse_rate_unit(dose_range.unit)[0]
        drug_unit = parse_rate_unit(facts.dose_unit)[0]
        for text in facts.concentrations:
            conc = parse_concentration(text)
            assert unit.kind is drug_unit.kind is conc.kind, dose_range
        assert len(dose_range.span) >= 2
        assert dose_range.answer_step > 0


def test_every_level_has_pump_rate_ranges() -> None:
    assert {level_of(r) for r in ranges().doses} == set(LEVELS)


def test_weights_are_adult_ranges() -> None:
    data = ranges()
    assert data.weight_kg.start >= 40
    assert data.weight_kg.stop <= 150
    # the pound range covers the same patients: 100 lb = 45.4 kg, 285 lb = 129.3 kg
    assert data.weight_lb.start * LB_KG > 45
    assert data.weight_lb.stop * LB_KG < 130


def test_span_draws_every_value_and_no_other() -> None:
    import random

    span = Span(Fraction(2), Fraction(3), Fraction(1, 4))
    assert len(span) == 5
    rng = random.Random(0)
    drawn = {span.draw(rng) for _ in range(200)}
    assert drawn == {Fraction(2) + Fraction(i, 4) for i in range(5)}


@pytest.mark.parametrize(
    "text",
    [
        "not toml [",
        "[weight]\nkg = { from = '1', to = '2', step = '1' }\n",  # no lb, no doses
        "[weight]\nkg = { from = '5', to = '2', step = '1' }\n",
    ],
)
def test_broken_ranges_are_caught(text: str) -> None:
    with pytest.raises(PracticeDataError, match="practice ranges"):
        parse_ranges(text)


def test_unknown_practice_drug() -> None:
    with pytest.raises(PracticeDataError, match="practice drug 'aspirin': drug 'aspirin' is not"):
        drug_facts("aspirin")


def test_practice_drugs_come_from_the_built_in_library() -> None:
    """The bags are the standard concentrations convert --drug uses, first one first."""
    from infuse_calc.library_parse import builtin_library

    for name in sorted({r.drug for r in ranges().doses}):
        drug = builtin_library().find(name)
        facts = drug_facts(name)
        assert facts.name == drug.name
        assert facts.concentrations == tuple(c.text for c in drug.concentrations)
        assert facts.dose_unit == str(drug.dose_unit)
    # typed from the ASHP S4S adult standard: DOPamine 1,600 mcg/mL, dosed in mcg/kg/min
    assert drug_facts("dopamine").concentrations[0] == "1600 mcg/mL"
    assert drug_facts("dopamine").dose_unit == "mcg/kg/min"


# --- every answer is what convert gives ---------------------------------------------------------


def _convert(args: list[str]) -> dict[str, object]:
    result = CliRunner().invoke(cli, [*args, "--explain", "--format", "json"])
    assert result.exit_code == 0, result.output
    document: dict[str, object] = json.loads(result.stdout)
    return document


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**64),
    kind=st.sampled_from(AVAILABLE),
    level=st.sampled_from(sorted(LEVELS)),
    skip=st.integers(0, 6),
)
def test_every_answer_is_what_convert_gives(seed: int, kind: str, level: int, skip: int) -> None:
    """Through the CLI, as a user would check it: the same figure, exactly (same float)."""
    problem = next(islice(generate(seed, kind, level), skip, None))
    document = _convert(problem.inputs.convert_args())
    for part in problem.parts:
        shown = document[part.field]
        assert isinstance(shown, dict)
        in_convert_unit = part.exact.value * u.factor(part.exact.unit, shown["unit"])
        assert shown["value"] == float(in_convert_unit)
        if part.field == "pump_rate":
            rounded = document["pump_rate_rounded"]
            assert isinstance(rounded, dict)
            assert rounded["value"] == float(part.answer.value)
    explanation = document["explanation"]
    assert isinstance(explanation, list)
    assert list(problem.chain) == explanation[: len(problem.chain)]


def test_drip_answers_are_the_drops_convert_shows() -> None:
    for problem in problem_set(21, 8, "drip-rate", 2):
        result = CliRunner().invoke(cli, problem.inputs.convert_args())
        whole = format_number(problem.parts[0].answer.value)
        assert re.search(rf"Drip rate +{whole} gtt/min \(", result.stdout), result.stdout


def test_figure_reads_the_calculation_convert_makes() -> None:
    calc = calculation(Inputs("18 units/kg/h", "154 lb", "25000 units in 250 mL"))
    # 154 lb x 0.45359237 = 69.85322498 kg; x 18 = 1,257.35804964 units/h; / 100 units/mL
    kg = 154 * LB_KG
    assert figure(calc, "weight").value == kg
    assert figure(calc, "per_hour").value == 18 * kg
    assert figure(calc, "pump_rate").value == 18 * kg / 100
    drip = figure(calculation(Inputs("125 mL/h", drop_factor=15)), "drip_rate", 15)
    assert drip.value == Fraction(125 * 15, 60)


def test_a_strength_per_ml_is_worded_as_a_concentration() -> None:
    from infuse_calc.practice_types import _bag_sentence

    assert _bag_sentence("10 mg/mL") == "The concentration is 10 mg/mL."
    assert _bag_sentence("4 mg/250 mL") == "The bag is 4 mg in 250 mL."
    # a vehicle the concentration names is worded too
    assert _bag_sentence("25,000 units in 250 mL D5W") == "The bag is 25,000 units in 250 mL D5W."
