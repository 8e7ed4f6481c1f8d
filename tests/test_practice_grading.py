"""Marking practice answers: right, wrong by a named factor, unreadable; answer files."""

from __future__ import annotations

from fractions import Fraction

import pytest

from infuse_calc.practice import Ask, Inputs, PracticeError, Problem, make_problem
from infuse_calc.practice_grading import (
    _STEP_MISSED,
    Mark,
    known_steps,
    mark,
    most_missed,
    read_answer,
    score_line,
)
from infuse_calc.practice_sets import problem_set
from infuse_calc.practice_sheets import (
    SetInfo,
    match_answers,
    read_answers,
    render_sheet,
)

PUMP = Ask("Set the pump to how many mL/h?", "pump_rate", "mL/h", Fraction(1, 10))


def dopamine() -> Problem:
    """5 mcg/kg/min x 70 kg = 350 mcg/min; x 60 = 21,000 mcg/h = 21 mg/h; 400 mg in 250 mL is
    1.6 mg/mL; 21 / 1.6 = 13.125 mL/h, 13.1 to the nearest tenth."""
    text = "A 70 kg patient is ordered DOPamine 5 mcg/kg/min. The bag is 400 mg in 250 mL D5W."
    inputs = Inputs("5 mcg/kg/min", "70 kg", "400 mg in 250 mL")
    problem = make_problem("pump-rate", 3, text, inputs, [PUMP])
    assert problem is not None
    assert problem.parts[0].exact.value == Fraction("13.125")
    return problem


def grade(text: str, problem: Problem | None = None) -> Mark:
    problem = problem or dopamine()
    return mark(problem, problem.parts[0], text)


# --- right ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["13.1", " 13.1 ", "13.1 mL/h", "13.1 mL/hr", "13.1 mL/hour", "13.125", "13.13", "13.1mL/h"],
)
def test_right(text: str) -> None:
    result = grade(text)
    assert result.right, result.verdict
    assert result.verdict.startswith("Right: 13.1 mL/h (13.125 mL/h to the nearest tenth).")


def test_more_decimals_than_asked_is_right_and_says_the_rounding() -> None:
    assert grade("13.125").reason == "Rounded to the nearest tenth as asked: 13.1 mL/h."
    assert grade("13.1").reason == ""


def test_trailing_zero_is_right_with_a_note() -> None:
    result = grade("13.10")
    assert result.right
    assert "trailing zeros are error-prone" in result.verdict


def test_missing_leading_zero_is_read_with_a_note() -> None:
    # a drip of 0.5 would be silly; a small pump rate: 0.5 mcg/min at 16 mcg/mL = 1.875 mL/h
    inputs = Inputs("0.5 mcg/min", concentration="4 mg in 250 mL")
    problem = make_problem("pump-rate", 2, "", inputs, [PUMP])
    assert problem is not None
    assert problem.parts[0].answer.value == Fraction("1.9")
    result = grade("1.9", problem)
    assert result.right
    assert result.notes == ()


# --- wrong by a named factor -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "missed", "words"),
    [
        # 13.125 x 10
        ("131.3", ("10",), "Your answer is 10x the answer: decimal slip?"),
        # 13.125 x 1,000: mcg/min taken as mg/min
        ("13125", ("1000",), "1,000x the answer: mcg read as mg"),
        # 13.125 x 60: the per-minute dose not turned into per hour
        ("787.5", ("60",), "60x the answer: minutes/hours mix-up"),
        ("0.2", ("weight",), "1/70x the answer: weight not applied?"),
        # 13.125 / 60 = 0.21875
        ("0.22", ("60",), "1/60x the answer: minutes/hours mix-up"),
        # 13.125 x 60 / 1,000 = 0.7875
        ("0.79", ("1000", "60"), "1/16.667x the answer"),
    ],
)
def test_wrong_by_a_named_factor(text: str, missed: tuple[str, ...], words: str) -> None:
    result = grade(text)
    assert not result.right
    assert sorted(result.missed) == sorted(missed)
    assert words in result.verdict
    assert result.verdict.startswith(f"Wrong: {text}. The answer is 13.1 mL/h")


def test_rounding_slip() -> None:
    result = grade("13.2")
    assert not result.right
    assert result.missed == ("rounding",)
    assert "Check the rounding: 13.125 mL/h to the nearest tenth is 13.1 mL/h." in result.verdict


def test_early_rounding_is_close() -> None:
    # 154 lb / 2.2 = 70 kg where 154 lb is 69.853 kg: about 0.2% high
    result = grade("13.3")
    assert result.missed == ("early-rounding",)
    assert result.verdict.count("Close: round only the final answer") == 1


def test_no_slip_fits() -> None:
    result = grade("42")
    assert not result.right
    assert result.missed == ()
    assert "No single slip explains it" in result.verdict


# --- unreadable, and the unit -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("abc", "Cannot read it: expected a number first, found 'abc'."),
        ("twelve", "Cannot read it: expected a number first, found 'twelve'."),
        ("13,1", "Cannot read it: '13,1': commas are not accepted in numbers"),
        ("-13.1", "Cannot read it: negative values are not accepted"),
        ("1e3", "Cannot read it: '1e3': write the number in full"),
        ("0", "Cannot read it: must be greater than zero"),
        ("13.1.1", "Cannot read it: '13.1.1' is not a number"),
        ("13.1 furlongs", "Unit 'furlongs': unknown unit 'furlongs'"),
        ("x" * 300, "Cannot read it: is too long"),
        ("١٣", "Cannot read it: "),
    ],
)
def test_unreadable_answers_are_wrong_with_the_reason(text: str, reason: str) -> None:
    result = grade(text)
    assert not result.right
    assert reason in result.verdict


def test_no_answer() -> None:
    result = grade("   ")
    assert not result.right
    assert (
        result.verdict
        == "Wrong: no answer. The answer is 13.1 mL/h (13.125 mL/h to the nearest tenth)."
    )


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("13.1 mL/min", "The unit asked for is mL/h, not mL/min."),
        ("13.1 mg/h", "The unit asked for is mL/h, not mg/h."),
        ("13.1 gtt/min", "The unit asked for is mL/h, not gtt/min"),
    ],
)
def test_a_wrong_unit_is_wrong_even_with_the_right_number(text: str, words: str) -> None:
    result = grade(text)
    assert not result.right
    assert words in result.verdict


def test_units_of_other_answers() -> None:
    # seed 7: 3a 156 lb x 0.45359237 = 70.76 kg, 70.8; 3b x 3 mcg/kg/min = 212.28 mcg/min;
    # 5: 150 mL/h x 10 gtt/mL / 60 min/h = 25 gtt/min; 2a 80 units/kg x 98 kg = 7,840 units
    _, p2, p3, _, p5, *_ = problem_set(7, 5)
    kg, per_minute = p3.parts
    assert mark(p3, kg, "70.8 kg").right
    assert mark(p3, kg, "70.8 kilograms").right
    assert "not lb" in mark(p3, kg, "70.8 lb").verdict
    assert mark(p3, per_minute, "212 mcg/min").right
    assert "not mg/min" in mark(p3, per_minute, "0.212 mg/min").verdict
    # a drip is counted in drops, spelled as nurses spell it
    for typed in ("25", "25 gtt/min", "25 gtts/min", "25 drops/min", "25 drops per minute"):
        assert mark(p5, p5.parts[0], typed).right, typed
    assert "Note: " in mark(p5, p5.parts[0], "25 GTT/MIN").verdict
    assert not mark(p5, p5.parts[0], "25 mL/h").right
    # a bolus in units and in mL
    assert mark(p2, p2.parts[0], "7,840 units").right
    assert "not mL" in mark(p2, p2.parts[0], "7840 mL").verdict
    assert mark(p2, p2.parts[1], "7.84 mL").right


def test_textbook_pounds_are_named() -> None:
    """3a: 156 lb is 70.76 kg; with 2.2 lb/kg it is 70.909 kg, 70.9 to the tenth."""
    p3 = problem_set(7, 3)[2]
    kg, per_minute = p3.parts
    result = mark(p3, kg, "70.9")
    assert not result.right
    assert result.missed == ("2.2",)
    assert (
        "You used 1 kg = 2.2 lb (that gives 70.9); the answer uses the exact pound, "
        "0.45359237 kg (1 kg = 2.2046 lb)." in result.verdict
    )
    # 3 mcg/kg/min x 156 / 2.2 = 212.73 -> 213 mcg/min
    assert mark(p3, per_minute, "213").missed == ("2.2",)
    # a weight in kg has no such slip: 4 is 11 mcg/kg/min x 98 kg x 60 / 1,600 = 40.425
    p4 = problem_set(7, 4)[3]
    assert mark(p4, p4.parts[0], "40.5").missed != ("2.2",)


def test_read_answer_keeps_the_unit_typed() -> None:
    reading = read_answer("13.1 mL/h", dopamine().parts[0])
    assert reading.value == Fraction("13.1")
    assert reading.unit == "mL/h"
    assert reading.problem == ""


# --- a set -----------------------------------------------------------------------------------


def test_score_line() -> None:
    right, wrong = grade("13.1"), grade("131.3")
    assert score_line([right, wrong, right]) == "Score: 2 of 3 right (67%)."
    assert score_line([right, right]) == "Score: 2 of 2 right (100%)."
    assert score_line([wrong]) == "Score: 0 of 1 right (0%)."
    assert score_line([]) == "Score: no answers."


def test_most_missed_names_the_step_when_one_stands_out() -> None:
    sixty, ten, unreadable = grade("787.5"), grade("131.3"), grade("abc")
    right = grade("13.1")
    assert most_missed([sixty, sixty, ten, unreadable, right]) == (
        "Most wrong answers (2 of 4) missed the minutes-to-hours step (× 60 min/h)."
    )
    assert most_missed([sixty]) == "The wrong answer missed the minutes-to-hours step (× 60 min/h)."
    # a tie, or nothing named more than once, says nothing
    assert most_missed([sixty, ten]) is None
    assert most_missed([unreadable, unreadable]) is None
    assert most_missed([right]) is None


def test_every_step_a_mark_can_name_has_words() -> None:
    assert known_steps() == set(_STEP_MISSED)


# --- answer files ---------------------------------------------------------------------------


def sheet_csv(count: int = 3) -> tuple[list[Problem], str]:
    problems = problem_set(7, count)
    return problems, render_sheet(problems, SetInfo(7, count, "all", 2), "csv")


def test_a_filled_in_csv_worksheet_names_its_set() -> None:
    problems, text = sheet_csv()
    answers = read_answers(text, "sheet.csv")
    assert answers.info == SetInfo(7, 3, "all", 2)
    pairs = match_answers(problems, answers, "sheet.csv")
    assert [p.part_id(part) for p, part, _ in pairs] == ["1", "2a", "2b", "3a", "3b"]
    assert all(answer == "" for *_, answer in pairs)


def test_a_plain_answers_file() -> None:
    problems = problem_set(7, 2)
    answers = read_answers("problem,answer\n2b,7.84\n1,50\n2a,7840 units\n", "a.csv")
    assert answers.info is None
    pairs = match_answers(problems, answers, "a.csv")
    assert [(p.part_id(part), text) for p, part, text in pairs] == [
        ("1", "50"),
        ("2a", "7840 units"),
        ("2b", "7.84"),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("problem,answer\n2a,1\n2b,2\n", "a.csv: no row for problem 1: every problem needs a row"),
        (
            "problem,answer\n1,1\n2a,2\n2b,3\n3,4\n",
            "a.csv, line 5: problem '3' is not in the set (problems 1 to 2b)",
        ),
        ("problem,answer\n2a,1\n2a,2\n", "a.csv, line 3: problem 2a appears twice"),
        ("problem,answer\n1a,1,2\n", "a.csv, line 2: more cells than columns"),
        ("question,answer\n1a,1\n", "expected a CSV with the columns problem and answer"),
        ("", "expected a CSV with the columns problem and answer"),
        ("problem,answer\n", "a.csv: no answer rows"),
        ("problem,answer\n1a," + "9" * 200_000 + "\n", "a.csv: not a readable CSV file"),
    ],
)
def test_bad_answer_files(text: str, message: str) -> None:
    with pytest.raises(PracticeError) as raised:
        match_answers(problem_set(7, 2), read_answers(text, "a.csv"), "a.csv")
    assert message in str(raised.value)


def test_a_sheet_from_another_set_is_refused() -> None:
    problems, text = sheet_csv(2)
    assert "magnesium sulfate 1 g over 30 min" in text
    edited = text.replace("1 g over 30 min", "2 g over 30 min", 1)
    with pytest.raises(PracticeError, match="line 2: the question is not problem 1 of this set"):
        match_answers(problems, read_answers(edited, "s.csv"), "s.csv")


def test_rows_naming_two_sets_are_refused() -> None:
    _, text = sheet_csv(2)
    lines = text.splitlines()
    lines[2] = lines[2].replace("7,2,all,2", "8,2,all,2", 1)
    with pytest.raises(PracticeError, match="more than one set"):
        read_answers("\n".join(lines), "s.csv")


def test_thousands_separators_in_a_sheet_do_not_matter() -> None:
    """A sheet printed with --no-thousands-separator still matches its set."""
    problems, text = sheet_csv(6)
    assert "25,000 units" in text
    answers = read_answers(text.replace("25,000", "25000"), "s.csv")
    assert len(match_answers(problems, answers, "s.csv")) == 8


def test_a_bolus_has_no_time_to_mix_up() -> None:
    """2 (seed 7): 80 units/kg x 98 kg = 7,840 units, given at once. An answer 60x or 1/24x
    off is not a minutes/hours or hours/days slip (there is no time), but 10x is a decimal
    slip and 80 is the weight not applied."""
    p2 = problem_set(7, 3)[1]
    assert p2.kind == "bolus"
    units = p2.parts[0]
    for typed in ("470,400 units", "326.67 units"):  # 7,840 x 60, 7,840 / 24
        result = mark(p2, units, typed)
        assert result.missed == ()
        assert "mix-up" not in result.verdict
    assert mark(p2, units, "78,400 units").missed == ("10",)
    assert mark(p2, units, "80 units").missed == ("weight",)
