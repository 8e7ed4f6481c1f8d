"""Issue 14's rules at their edges, with hand-worked values: the cap (``--max``) at exactly
the cap and in mL, and the clock time an infusion ends at the half minute and just before
midnight.

Fixed tests for rules that the mutation run (``tools/mutate.py``, ``tools/mutants.toml``,
selection ``given``) found tested only by chance or not at all: each kills a named mutant.
"""

from __future__ import annotations

from fractions import Fraction

from infuse_calc.bag_time import end, parse_start, span_text
from infuse_calc.dosing import Calculation, calculate
from infuse_calc.quantities import parse_amount, parse_concentration, parse_dose, parse_weight

F = Fraction


def capped(dose: str, weight: str | None, conc: str, cap: str) -> Calculation:
    return calculate(
        parse_dose(dose, amounts=True),
        None if weight is None else parse_weight(weight),
        parse_concentration(conc),
        limit=parse_amount(cap, "--max")[:2],
    )


# --- the cap (--max) --------------------------------------------------------------------------


def test_an_order_giving_exactly_the_cap_is_not_capped() -> None:
    # 80 units/kg x 125 kg = 10,000 units: exactly the maximum, so nothing is capped and
    # nothing is warned; 10,000 units / 1,000 units/mL = 10 mL (mutant cap-at-exactly-the-cap)
    c = capped("80 units/kg", "125", "1000 units/mL", "10,000 units")
    assert c.given is not None
    assert c.given.capped is False
    assert (c.given.amount.value, c.given.amount.unit) == (F(10000), "units")
    assert c.given.volume is not None
    assert c.given.volume.value == 10
    assert c.warnings == ()


def test_a_volume_cap_names_the_volume_the_order_would_give() -> None:
    # 500 mL over 1 h of 1 mg/mL is 500 mL (and 500 mg); capped at 250 mL it is 250 mL over
    # the hour: 250 mL/h, and 250 mL x 1 mg/mL = 250 mg. The warning compares volumes:
    # 500 mL against 250 mL, not the 500 mg amount (mutant cap-volume-against-amount)
    c = capped("500 mL over 1 h", None, "1 mg/mL", "250 mL")
    assert c.warnings == (
        "500 mL over 1 h is 500 mL, more than the maximum 250 mL: the amount (and its rate) "
        "is capped at 250 mL",
    )
    assert c.given is not None
    assert c.given.capped is True
    assert (c.given.amount.value, c.given.amount.unit) == (F(250), "mg")
    assert c.given.volume is not None
    assert (c.given.volume.value, c.given.volume.unit) == (F(250), "mL")
    assert c.pump_rate is not None
    assert c.pump_rate.value == 250


# --- the clock time it ends ----------------------------------------------------------------


def test_an_end_at_the_half_minute_shows_the_next_minute() -> None:
    # 08:00 + 1 h 0 min 30 s (= 121/120 h) is 09:00:30: shown to the nearest minute, halves
    # up, 09:01; 08:00 + 1 h 0 min 29 s (= 3,629/3,600 h) shows 09:00
    # (mutant end-minute-truncated)
    half = end(parse_start("08:00"), F(121, 120))
    assert (half.iso, half.day, half.shown) == ("09:00:30", 1, "09:01")
    under = end(parse_start("08:00"), F(3629, 3600))
    assert (under.iso, under.day, under.shown) == ("09:00:29", 1, "09:00")


def test_an_end_shown_as_midnight_is_on_the_next_day() -> None:
    # 23:00 + 59 min 40 s (= 3,580 s = 179/180 h) is 23:59:40 on the start's day (day 1),
    # shown to the nearest minute as 00:00 the next day: +1d 00:00; the span shows 1 h
    # (59.67 min to the nearest minute is 60) (mutant end-days-from-unrounded)
    hours = F(3580, 3600)
    clock = end(parse_start("23:00"), hours)
    assert (clock.iso, clock.day, clock.shown) == ("23:59:40", 1, "+1d 00:00")
    assert span_text(hours) == "1 h"
    dated = end(parse_start("2026-11-30T23:00"), hours)
    assert (dated.iso, dated.day, dated.shown) == ("2026-11-30T23:59:40", 1, "2026-12-01 00:00")
