"""Marking practice answers: read what a student typed, mark it, and say what went wrong.

An answer is a number, with or without a unit (the unit, if given, must be the one asked).
It is right when, rounded as the problem asks, it is the problem's rounded answer. A wrong
answer is explained where one cause fits: a rounding slip, an intermediate figure rounded
too early, or a product of the named factors that ``check`` searches (x60, x1000, per kg
forgotten...; :func:`infuse_calc.check.find_causes`). Nothing here raises on what a student
typed: an unreadable answer is marked wrong with the reason.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from fractions import Fraction

from infuse_calc.check import Cause, find_causes, named_factors
from infuse_calc.dosing import Measure
from infuse_calc.errors import InputError
from infuse_calc.given import order_text
from infuse_calc.notation import (
    format_decimal,
    format_exact,
    format_number,
    round_places,
    round_to_step,
)
from infuse_calc.practice import Inputs, Part, Problem, calculation, figure, nearest
from infuse_calc.quantities import (
    LB,
    parse_dose,
    parse_number,
    parse_rate_unit,
    parse_weight,
    tokenize,
)
from infuse_calc.reader import Reader

#: within this much of the exact answer (but not right) the slip is an early rounding
CLOSE_PERCENT = Fraction(2)
#: a slip by a named factor: within half a step plus this of the factor times the answer
#: (tighter than check's 5%: a student's answer is worked out, not set on a pump); products
#: of at most two factors, since more explain anything by coincidence
FACTOR_TOLERANCE_PERCENT = Fraction(1)
QUIT_WORDS = ("q", "quit", "exit")
#: the textbook pound (1 kg = 2.2 lb): a slip named when it explains an answer
TEXTBOOK_LB_PER_KG = Fraction("2.2")

#: what each cause of a wrong answer missed, for the summary of a set
_STEP_MISSED = {
    "60": "the minutes-to-hours step (× 60 min/h)",
    "24": "the hours-to-days step (× 24 h/day)",
    "1440": "the minutes-to-days step (× 1,440 min/day)",
    "1000": "the mcg-to-mg step (× 1,000)",
    "10": "the decimal point (10x)",
    "100": "the decimal point (100x)",
    "weight": "the per-kg step (× the weight)",
    "rounding": "the final rounding",
    "early-rounding": "rounding only at the end",
    "unit": "the unit asked for",
    "2.2": "the exact pound (1 kg = 2.2046 lb, not 2.2)",
    "lb": "the pounds-to-kilograms step (the weight in kg, not lb)",
    "time": "dividing by the time (a rate per hour, not the whole volume)",
    "max": "the maximum (a bolus capped as ordered)",
}


@dataclass(frozen=True)
class Reading:
    """A typed answer: its value, or why it cannot be read; notation notes either way."""

    text: str
    value: Fraction | None
    unit: str | None  # as typed
    problem: str  # why it cannot be used ("" when it can)
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Mark:
    """The verdict on one part."""

    part_id: str
    given: str
    right: bool
    answer: Measure  # rounded as asked
    exact: Measure
    step: Fraction
    reason: str = ""  # why wrong, or a remark on a right answer
    missed: tuple[str, ...] = ()  # keys of _STEP_MISSED
    notes: tuple[str, ...] = field(default=())

    @property
    def accepted(self) -> str:
        """``12.8 mL/h (12.75 mL/h to the nearest tenth)``: the answer and its rounding."""
        if self.exact.value == self.answer.value:
            return str(self.answer)
        rounding = f"to {nearest(self.step, self.exact.unit)}"
        return f"{self.answer} ({format_number(self.exact.value)} {self.exact.unit} {rounding})"

    @property
    def detail(self) -> str:
        """The verdict without its head: the answer (when wrong), why, and notation notes."""
        answer = f"{self.accepted}." if self.right else f"The answer is {self.accepted}."
        return " ".join(x for x in (answer, self.reason, *self.notes) if x)

    @property
    def verdict(self) -> str:
        """``Right: 12.8 mL/h.`` or ``Wrong: 128. The answer is 12.8 mL/h. ...``."""
        if self.right:
            return f"Right: {self.detail}"
        return f"Wrong: {self.given or 'no answer'}. {self.detail}"


def read_answer(text: str, part: Part) -> Reading:
    """Read a typed answer for ``part``; never raises for what was typed."""
    stripped = text.strip()
    if not stripped:
        return Reading(text, None, None, "no answer given")
    warnings: list[str] = []
    try:
        tokens = tokenize("answer", stripped)
        first = tokens[0]
        if first.kind != "number":
            return Reading(text, None, None, f"expected a number first, found '{first.text}'")
        value = parse_number("answer", stripped, first.text, warnings)
    except InputError as error:
        return Reading(text, None, None, error.reason)
    unit = stripped[len(first.text) :].strip()
    if not unit:
        return Reading(text, value, None, "", _notes(warnings))
    problem = _unit_problem(unit, part.exact.unit, warnings)
    return Reading(text, value, unit, problem, _notes(warnings))


def _notes(warnings: list[str]) -> tuple[str, ...]:
    # "answer '12.80': '12.80' read as 12.8; ..." -> the part after the quoted input
    return tuple(f"Note: {w.split(': ', 1)[-1]}." for w in warnings)


def _unit_problem(typed: str, expected: str, warnings: list[str]) -> str:
    """'' when ``typed`` is the unit asked for; else why not."""
    try:
        if "/" in expected:
            # drops too: "gtts/min" and "drops/min" are gtt/min
            unit, more = parse_rate_unit(typed, "answer unit", drops=True)
            symbol = str(unit)
            warnings.extend(more)
        else:
            reader = Reader("answer unit", typed)  # one word, or USP and a units word
            symbol = reader.unit("a unit").symbol
            reader.end()
            warnings.extend(reader.warnings)
    except InputError as error:
        return f"unit {typed!r}: {error.reason}"
    return "" if symbol == expected else f"the unit asked for is {expected}, not {symbol}"


def mark(problem: Problem, part: Part, text: str) -> Mark:
    """Mark one typed answer to ``part`` of ``problem``."""
    reading = read_answer(text, part)
    right, reason, missed = _verdict(reading, problem, part)
    return Mark(
        problem.part_id(part),
        text.strip(),
        right,
        part.answer,
        part.exact,
        part.step,
        reason,
        missed,
        reading.notes,
    )


def _verdict(reading: Reading, problem: Problem, part: Part) -> tuple[bool, str, tuple[str, ...]]:
    if reading.value is None:
        return False, f"Cannot read it: {reading.problem}." if reading.text.strip() else "", ()
    if reading.problem:
        return False, f"{_capital(reading.problem)}.", ("unit",)
    rounded = round_to_step(reading.value, part.step)
    if rounded == part.answer.value:
        remark = ""
        if reading.value != rounded:
            remark = f"Rounded to {nearest(part.step, part.exact.unit)} as asked: {part.answer}."
        return True, remark, ()
    reason, missed = diagnose(reading.value, problem, part)
    return False, reason, missed


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def diagnose(value: Fraction, problem: Problem, part: Part) -> tuple[str, tuple[str, ...]]:
    """Why ``value`` is not the answer, when one cause fits; and the steps it missed."""
    exact = part.exact.value
    step = part.step
    textbook = _with_textbook_pounds(problem, part)
    if textbook is not None and round_to_step(value, step) == round_to_step(textbook, step):
        return (
            f"You used 1 kg = 2.2 lb (that gives {format_number(round_to_step(textbook, step))});"
            " the answer uses the exact pound, 0.45359237 kg (1 kg = 2.2046 lb).",
            ("2.2",),
        )
    slip = _given_slip(value, problem, part)
    if slip is not None:
        return slip
    if exact != part.answer.value and abs(value - part.answer.value) == step:
        shown = f"{format_number(exact)} {part.exact.unit}"
        rounding = nearest(step, part.exact.unit)
        return f"Check the rounding: {shown} to {rounding} is {part.answer}.", ("rounding",)
    if abs(value - exact) <= exact * CLOSE_PERCENT / 100:
        return (
            "Close: round only the final answer, not the figures on the way.",
            ("early-rounding",),
        )
    # a problem states its concentration: no bag of another strength to blame; a bolus is
    # given at once: no minutes and hours to mix up
    causes = find_causes(
        exact,
        value,
        step,
        FACTOR_TOLERANCE_PERCENT,
        problem.weight_kg,
        max_factors=2,
        bags=False,
        times=problem.kind != "bolus",
    )
    if causes:
        cause = causes[0]
        return f"{_capital(cause.describe('your answer', 'the answer'))}", _factor_keys(cause)
    return "No single slip explains it: compare your steps with the worked chain.", ()


def _with_textbook_pounds(problem: Problem, part: Part) -> Fraction | None:
    """The answer a student gets reading the weight with 2.2 lb/kg, when the weight is in lb
    and that gives a different answer (the engine's figure for that weight)."""
    weight = problem.inputs.weight
    if weight is None or parse_weight(weight).unit is not LB:
        return None
    calc = calculation(problem.inputs, lb_per_kg=TEXTBOOK_LB_PER_KG)
    value = figure(calc, part.field, problem.inputs.drop_factor, part.exact.unit).value
    return None if round_to_step(value, part.step) == part.answer.value else value


@dataclass(frozen=True)
class _Slip:
    """A typical slip with an amount given: the inputs (or figure) a student who made it
    worked from, so that the engine gives the answer they got."""

    inputs: Inputs
    says: str
    key: str
    field: str = ""  # another figure of the same calculation ("" the part's own)
    unit: str = ""


def _slips(problem: Problem, part: Part) -> list[_Slip]:
    """The slips of a dose given over a time or at once: minutes taken as hours, the whole
    volume set as the rate, a per-kg dose not multiplied by the weight, the maximum missed."""
    inputs = problem.inputs
    dose = parse_dose(inputs.dose, amounts=True)
    if not (dose.is_timed or dose.is_bolus):
        return []
    order = order_text(dose)
    slips = []
    duration = dose.duration
    if duration is not None and all(unit.symbol == "min" for _, unit in duration.parts):
        hours = f"{format_exact(duration.value, separators=False)} h"
        amount = order.split(" over ")[0]
        says = (
            f"Minutes taken as hours: that is the answer for {amount} over {hours}, not {duration}."
        )
        dose_in_hours = f"{inputs.dose.rsplit(' over ', 1)[0]} over {hours}"
        slips.append(_Slip(replace(inputs, dose=dose_in_hours), says, "60"))
    if duration is not None and part.field == "pump_rate":
        says = f"That is the whole volume: the pump rate is mL per hour (divide by {duration})."
        slips.append(_Slip(inputs, says, "time", "volume", "mL"))
    if dose.unit.per_kg and inputs.weight is not None:
        says = f"{order} is per kg: multiply it by the weight ({inputs.weight})."
        slips.append(_Slip(replace(inputs, weight="1 kg", limit=None), says, "weight"))
    if inputs.limit is not None:
        says = f"That is the whole {order}: the order's maximum caps it."
        slips.append(_Slip(replace(inputs, limit=None), says, "max"))
    return slips


def _given_slip(
    value: Fraction, problem: Problem, part: Part
) -> tuple[str, tuple[str, ...]] | None:
    """The typical slip with an amount given that gives ``value`` (the engine's figure for
    the slip's inputs), if one does."""
    answer = round_to_step(value, part.step)
    for slip in _slips(problem, part):
        calc = calculation(slip.inputs)
        got = figure(
            calc, slip.field or part.field, slip.inputs.drop_factor, slip.unit or part.exact.unit
        )
        if round_to_step(got.value, part.step) == answer != part.answer.value:
            return slip.says, (slip.key,)
    return None


def _factor_keys(cause: Cause) -> tuple[str, ...]:
    return tuple(factor.name for factor, _ in cause.parts)


# --- a set of answers -----------------------------------------------------------------------


def score_line(marks: list[Mark]) -> str:
    """``Score: 7 of 10 right (70%).``"""
    right = sum(m.right for m in marks)
    if not marks:
        return "Score: no answers."
    percent = format_decimal(round_places(Fraction(100 * right, len(marks)), 0))
    return f"Score: {right} of {len(marks)} right ({percent}%)."


def most_missed(marks: list[Mark]) -> str | None:
    """Which step most wrong answers missed, when one stands out; else ``None``."""
    wrong = [m for m in marks if not m.right]
    counts = Counter(key for m in wrong for key in dict.fromkeys(m.missed))
    if not counts:
        return None
    ranked = counts.most_common()
    key, count = ranked[0]
    if len(ranked) > 1 and ranked[1][1] == count:
        return None
    if count < 2 and len(wrong) > 1:
        return None
    if len(wrong) == 1:
        return f"The wrong answer missed {_STEP_MISSED[key]}."
    return f"Most wrong answers ({count} of {len(wrong)}) missed {_STEP_MISSED[key]}."


def known_steps() -> set[str]:
    """Every key a mark can name (tests: each has words in the summary)."""
    return {f.name for f in named_factors(Fraction(70), bags=False)} | {
        "rounding",
        "early-rounding",
        "unit",
        "2.2",
        "time",
        "max",
    }
