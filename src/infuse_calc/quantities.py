"""Reading what people type: doses, weights, concentrations and unit expressions.

pint's own string parser is a calculator and silently misreads dose input (``500 mg/250 mL``
is 2 mg*mL to it, ``7,5 mg`` is 75 mg, ``05 mg`` is 0 mg) or hangs (``9**9**9 mg``). So user
text never reaches pint: this module tokenises it against a small grammar and an allow-list
of unit spellings, and produces plain values (exact :class:`~fractions.Fraction` numbers and
:class:`UnitWord` objects). :mod:`infuse_calc.dosing` then builds pint quantities from those
values, one known unit name at a time. Every command, schedule file, batch cell and drug
library reads quantities through the ``parse_*`` functions here: one grammar, one place.

This module imports neither pint nor click, so parsing is cheap and can run at option-parse
time (pint is loaded only to convert pounds and to compare a restated strength).

Grammar (``NUMBER`` is a plain decimal such as ``7``, ``0.5``, ``2500`` or ``25,000``;
``VEHICLE`` one of :data:`infuse_calc.vehicles.VEHICLES`, such as ``D5W`` or ``0.9% NaCl``)::

    dose          NUMBER AMOUNT / [kg /] TIME        7 mcg/kg/min, 4 mg/hr, 3 mL/h
    weight        NUMBER [kg | g | lb]               72, 72 kg, 154 lb, 850 g
    concentration [(] MAIN [[of|in] VEHICLE] [( RESTATED | VEHICLE )] [)]
      MAIN        NUMBER AMOUNT (/ | per | in) [NUMBER] VOLUME   500 mg in 250 mL of D5W
                  NUMBER AMOUNT in VEHICLE NUMBER VOLUME         50 mg in D5W 250 mL
                  [VEHICLE] NUMBER VOLUME [of VEHICLE] with NUMBER AMOUNT
                                                                 250 mL D5W with 400 mg
                  NUMBER % [w/v]                                 1% (w/v: 1 g per 100 mL)
                  1 : NUMBER                                     1:1,000 (1 g in 1,000 mL)
      RESTATED    the same strength again, which must agree exactly: 4 mg in 50 mL (80 mcg/mL)

``per`` may be written for ``/``, and ``USP`` before a units word (``25,000 USP units``,
the standard the unit is defined by) is read as units. Error-prone spellings (``ug``,
``µg``, ``cc``, ``U``, ``IU``, ``.5``, ``5.0``, ``10mg``) and ratio strengths are
understood and reported as warnings naming the safe spelling; anything else outside the
grammar is refused with an :class:`InputError`. ``docs/input.md`` is the user's version of
this grammar.
"""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING, Final

from infuse_calc.concentrations import Concentration, parse_concentration
from infuse_calc.memo import Memo
from infuse_calc.reader import Reader
from infuse_calc.slots import Slots
from infuse_calc.tokens import MAX_DIGITS, MAX_INPUT_LENGTH, Token, parse_number, tokenize
from infuse_calc.unit_words import (
    DAY,
    DROP,
    GRAM_WEIGHT,
    HOUR,
    KG,
    LADDERS,
    LB,
    LITER,
    MCG,
    MEQ,
    MG,
    MILLIUNITS,
    MINUTE,
    ML,
    MMOL,
    NG,
    UNITS,
    G,
    Kind,
    UnitWord,
    lookup_unit,
)
from infuse_calc.weights import (
    ACTUAL,
    LB_PER_KG_RANGE,
    MAX_WEIGHT_KG,
    MIN_WEIGHT_KG,
    Weight,
    check_lb_per_kg,
    parse_weight,
    read_weight,
)

if TYPE_CHECKING:
    # durations is read only after "over" (an amount over a time): a rate does not load it
    from infuse_calc.durations import Duration

__all__ = [
    "ACTUAL",
    "DAY",
    "DROP",
    "GRAM_WEIGHT",
    "HOUR",
    "KG",
    "LADDERS",
    "LB",
    "LB_PER_KG_RANGE",
    "LITER",
    "MAX_DIGITS",
    "MAX_INPUT_LENGTH",
    "MAX_WEIGHT_KG",
    "MCG",
    "MEQ",
    "MG",
    "MILLIUNITS",
    "MINUTE",
    "MIN_WEIGHT_KG",
    "ML",
    "MMOL",
    "NG",
    "UNITS",
    "Concentration",
    "Dose",
    "G",
    "Kind",
    "RateUnit",
    "Token",
    "UnitWord",
    "Weight",
    "check_lb_per_kg",
    "lookup_unit",
    "order_text",
    "parse_amount",
    "parse_concentration",
    "parse_dose",
    "parse_number",
    "parse_rate_unit",
    "parse_weight",
    "read_dose",
    "read_weight",
    "tokenize",
]

# --- values -------------------------------------------------------------------------------


class RateUnit(Slots):
    """``amount / [kg /] time``, e.g. mcg/kg/min, units/h, mL/h (or gtt/min, see parse_dose).

    ``time`` is ``None`` for the unit of an amount given at once (a bolus: ``units/kg``,
    ``mg``), which only the readers that take amounts produce.
    """

    __slots__ = ("amount", "per_kg", "time")

    def __init__(self, amount: UnitWord, time: UnitWord | None, per_kg: bool = False) -> None:
        self.amount: Final = amount
        self.time: Final = time
        self.per_kg: Final = per_kg

    def __str__(self) -> str:
        middle = "/kg" if self.per_kg else ""
        if self.time is None:
            return f"{self.amount.symbol}{middle}"
        return f"{self.amount.symbol}{middle}/{self.time.symbol}"

    @property
    def kind(self) -> Kind:
        return self.amount.kind

    @property
    def is_amount(self) -> bool:
        """An amount given at once (``80 units/kg``), not a rate."""
        return self.time is None


class Dose(Slots):
    """A dose as typed: a positive exact number and a :class:`RateUnit`.

    Three forms (the last two only from ``parse_dose(..., amounts=True)``):

    * a rate, ``7 mcg/kg/min``;
    * an amount over a time, ``6 g over 20 min``: ``value`` and ``unit`` are the rate it
      gives (0.3 g/min, in the smallest time unit written) and ``duration`` the time, so
      every rate path works it out as any rate; :attr:`amount` is the amount typed;
    * a bolus, ``80 units/kg``: an amount given at once (``unit.time`` is ``None``).

    Equal doses are equal whatever warnings their text raised.
    """

    __slots__ = ("duration", "text", "unit", "value", "warnings")
    uncompared = frozenset({"warnings"})

    def __init__(
        self,
        value: Fraction,
        unit: RateUnit,
        text: str = "",
        warnings: tuple[str, ...] = (),
        duration: Duration | None = None,
    ) -> None:
        self.value: Final = value
        self.unit: Final = unit
        self.text: Final = text
        self.warnings: Final = warnings
        self.duration: Final = duration

    @property
    def is_bolus(self) -> bool:
        """An amount given at once, with no time: ``80 units/kg``."""
        return self.unit.time is None

    @property
    def is_timed(self) -> bool:
        """An amount given over a time: ``6 g over 20 min``."""
        return self.duration is not None

    @property
    def amount(self) -> Fraction:
        """The amount typed (``6`` of ``6 g over 20 min``); a rate's value for a rate."""
        return self.value if self.duration is None else self.value * self.duration.value

    @property
    def amount_unit(self) -> str:
        """``g``, ``mcg/kg``: the unit of :attr:`amount` for a timed dose or a bolus."""
        return str(RateUnit(self.unit.amount, None, self.unit.per_kg))

    @property
    def per_kg(self) -> bool:
        return self.unit.per_kg

    @property
    def is_volume_rate(self) -> bool:
        return self.unit.kind is Kind.VOLUME

    @property
    def is_drip_rate(self) -> bool:
        """Counted in drops (``30 gtt/min``): mL only through a drop factor."""
        return self.unit.kind is Kind.DROPS


# --- doses --------------------------------------------------------------------------------


def _unit(reader: Reader, drops: bool, amounts: bool) -> RateUnit:
    """``amount [/ kg] [/ time]``; without a time only when ``amounts`` (a bolus)."""
    amount = reader.unit("a unit such as mcg/kg/min")
    if amount.kind is Kind.TIME:
        raise reader.fail(f"'{amount}' is a time; the unit must start with an amount (mcg, mL...)")
    if amount.kind is Kind.DROPS and not drops:
        raise reader.fail(
            "a drip rate in drops becomes mL/h only with the giving set's drop factor "
            "(gtt/mL): give it with --drop-factor (convert), or give the rate in mL/h"
        )
    if amount.kind is Kind.WEIGHT:
        if amount is GRAM_WEIGHT:
            amount = G
        else:
            raise reader.fail(
                f"a dose cannot be in {amount}; the amount comes first (7 mcg/kg/min)"
            )
    per_kg = False
    time: UnitWord | None = None
    while reader.separator():
        denominator = reader.unit("kg or a time unit (min, h, day) after '/'")
        if denominator.kind is Kind.TIME and time is None:
            time = denominator
        elif denominator is KG and not per_kg:
            per_kg = True
        elif denominator is KG:
            raise reader.fail("'kg' appears twice")
        elif denominator.kind is Kind.WEIGHT:
            raise reader.fail(f"doses are per kg, not per {denominator}; convert the weight")
        elif denominator.kind is Kind.TIME:
            raise reader.fail("more than one time unit")
        else:
            raise reader.fail(f"'{denominator}' cannot follow '/' in a dose rate")
    if time is None and not amounts:
        raise reader.fail(
            "expected a rate: amount per time, such as mcg/kg/min, mg/h or mL/h "
            "(a bolus or an amount over a time is not read here)"
        )
    if amount.kind is Kind.DROPS and (per_kg or time is None):
        raise reader.fail("a drip rate in drops is per minute, not per kg or an amount")
    return RateUnit(amount, time, per_kg)


# The unit phrases of doses read before, by the text from the phrase's first token to the end
# of the input (and the two switches): the unit read, and how many tokens it took. Sound
# because _unit reads nothing before the phrase when a space precedes it (Reader.unit looks
# back only at a glued token, and at a number it refuses), the tokens from a token's start
# on depend only on the text from there (the tokenizer matches each token where the last
# one ended), and a phrase is remembered only if it was read without a warning (warnings
# quote the whole input) or an error (never remembered).
_PHRASES: Memo[tuple[str, bool, bool], tuple[RateUnit, int]] = Memo(4096)


def _rate_unit(reader: Reader, drops: bool, amounts: bool) -> RateUnit:
    """:func:`_unit`, remembered by the phrase's text: a batch has many doses and few
    unit phrases."""
    token = reader.peek()
    if token is None or token.glued:
        return _unit(reader, drops, amounts)
    key = (reader.text[reader.start(token) :], drops, amounts)
    known = _PHRASES.get(key)
    if known is not None:
        reader.pos += known[1]
        return known[0]
    start = reader.pos

    def read() -> tuple[RateUnit, int]:
        unit = _unit(reader, drops, amounts)
        return unit, reader.pos - start  # the unit, and how many tokens it took

    return _PHRASES.keep_unwarned(key, reader.warnings, read)[0]


def parse_dose(text: str, *, drops: bool = False, amounts: bool = False) -> Dose:
    """Parse a dose rate such as ``7 mcg/kg/min``, ``4 mg/hr`` or ``3 mL/h``.

    ``drops=True`` also reads a drip rate counted in drops (``30 gtt/min``, ``gtts``,
    ``drops``), of :attr:`Kind.DROPS`: only a caller that has the giving set's drop factor
    can turn it into mL, so by default it is refused.

    ``amounts=True`` also reads an amount over a time (``6 g over 20 min``,
    ``500 mcg/kg over 1 min``, ``1000 mL over 8 h``, ``2 g over 1 h 30 min``) and a bolus
    (``80 units/kg``, ``150 mg``), for the callers that work them out (see :class:`Dose`).
    A rate "over" a time (``7 mcg/kg/min over 2 h``) is a schedule, and is refused.
    """
    value, unit, warnings, duration = read_dose(text, drops=drops, amounts=amounts)
    return Dose(value, unit, text, warnings, duration)


def read_dose(
    text: str, *, drops: bool = False, amounts: bool = False
) -> tuple[Fraction, RateUnit, tuple[str, ...], Duration | None]:
    """What :func:`parse_dose` reads, before it is made a :class:`Dose`: the value, the
    unit, the warnings and the duration. Batch keeps only numbers of tens of thousands of
    distinct doses, and a Dose costs as much to make as the rest of the reading."""
    reader = Reader("dose", text)
    value = reader.number()
    unit = _rate_unit(reader, drops, amounts)
    duration = None
    if amounts and reader.at_word("over"):
        from infuse_calc.durations import read_duration

        reader.pos += 1
        duration = read_duration(reader)
        if unit.time is not None:
            raise reader.fail(_rate_over_time(value, unit, duration))
        unit = RateUnit(unit.amount, duration.unit, unit.per_kg)
        value = value / duration.value
    reader.end()
    return value, unit, tuple(reader.warnings), duration


def order_text(dose: Dose) -> str:
    """A dose as read, in the safe notation: ``7 mcg/kg/min``, ``1,000 mL over 8 h``,
    ``80 units/kg``."""
    from infuse_calc.notation import format_exact_quantity

    if dose.duration is not None:
        return f"{format_exact_quantity(dose.amount, dose.amount_unit)} over {dose.duration}"
    return format_exact_quantity(dose.value, dose.unit)


def _rate_over_time(value: Fraction, unit: RateUnit, duration: Duration) -> str:
    """``7 mcg/kg/min over 2 h``: say it is a schedule, and what the amount would be."""
    from infuse_calc.notation import format_exact, format_number
    from infuse_calc.units import factor

    assert unit.time is not None
    total = value * duration.value * factor(duration.unit.symbol, unit.time.symbol)
    amount = RateUnit(unit.amount, None, unit.per_kg)
    shown_total = format_exact(total) if len(format_exact(total)) <= 12 else format_number(total)
    return (
        f"a rate over a time is a schedule, not a bolus: give the amount over the time "
        f"({shown_total} {amount} over {duration}), or the rate alone and when it stops "
        "(a schedule)"
    )


def parse_rate_unit(
    text: str, what: str = "dose unit", *, drops: bool = False, amounts: bool = False
) -> tuple[RateUnit, tuple[str, ...]]:
    """Parse a unit expression without a number, such as ``mcg/kg/min`` or ``mL/h``
    (with ``amounts``, also an amount's unit such as ``units/kg``)."""
    reader = Reader(what, text)
    unit = _unit(reader, drops, amounts)
    reader.end()
    return unit, tuple(reader.warnings)


def parse_amount(text: str, what: str) -> tuple[Fraction, UnitWord, tuple[str, ...]]:
    """An amount such as ``10,000 units``, ``150 mg`` or ``250 mL`` (not per kg, no time):
    a cap (``--max``) or a bag's volume (``--bag``)."""
    reader = Reader(what, text)
    value = reader.number()
    unit = reader.unit("a unit such as mg, units or mL")
    if unit is GRAM_WEIGHT:
        unit = G
    if unit.kind in (Kind.TIME, Kind.WEIGHT, Kind.DROPS):
        raise reader.fail(f"'{unit}' is not an amount; give mg, units, mL...")
    if reader.at("slash") or reader.at_word("per"):
        raise reader.fail("expected an amount such as 10,000 units or 250 mL, not a rate")
    reader.end()
    return value, unit, tuple(reader.warnings)
