"""Reading concentrations as orders and labels write them (see :mod:`infuse_calc.quantities`).

``400 mg in 250 mL of D5W``, ``50 mg in D5W 250 mL``, ``250 mL D5W with 400 mg``, ``1%``,
``1:10,000`` and a strength restated in brackets, ``4 mg in 50 mL NS (80 mcg/mL)``, which
must agree exactly. Public through :func:`infuse_calc.quantities.parse_concentration`.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Final

from infuse_calc.reader import Reader, shown
from infuse_calc.slots import Slots
from infuse_calc.unit_words import GRAM_WEIGHT, ML, G, Kind, UnitWord
from infuse_calc.vehicles import known_vehicles, match_vehicle

#: A ratio strength 1:N is read only from 1:100 (1%) up: below that "1:4" is as likely to
#: mean a 1-to-4 dilution (1 in 5) as 1 g in 4 mL.
MIN_RATIO = 100
_AMOUNT_KINDS = (Kind.MASS, Kind.UNITS, Kind.SUBSTANCE, Kind.EQUIVALENTS)


class Concentration(Slots):
    """``amount`` of drug in ``volume`` of solution, e.g. 500 mg in 250 mL.

    ``per_volume_given`` records whether the volume was written (``500 mg/250 mL``) or
    implied (``10 mg/mL``); ``percent`` holds the percentage for ``1%`` style input and
    ``ratio`` the N of a ``1:N`` ratio strength (both are then 1 g per 100 or N mL).
    ``vehicle`` is the canonical name of the diluent if one was named (``D5W``), and
    ``restated`` the strength written again in brackets (``4 mg in 50 mL (80 mcg/mL)``),
    which was checked to be exactly the same. Equal concentrations are equal whatever
    warnings their text raised.
    """

    __slots__ = (
        "amount",
        "amount_unit",
        "per_volume_given",
        "percent",
        "ratio",
        "restated",
        "text",
        "vehicle",
        "volume",
        "volume_unit",
        "warnings",
    )
    uncompared = frozenset({"warnings"})

    def __init__(
        self,
        amount: Fraction,
        amount_unit: UnitWord,
        volume: Fraction,
        volume_unit: UnitWord,
        text: str = "",
        per_volume_given: bool = False,
        percent: Fraction | None = None,
        warnings: tuple[str, ...] = (),
        vehicle: str | None = None,
        ratio: int | None = None,
        restated: Concentration | None = None,
    ) -> None:
        self.amount: Final = amount
        self.amount_unit: Final = amount_unit
        self.volume: Final = volume
        self.volume_unit: Final = volume_unit
        self.text: Final = text
        self.per_volume_given: Final = per_volume_given
        self.percent: Final = percent
        self.warnings: Final = warnings
        self.vehicle: Final = vehicle
        self.ratio: Final = ratio
        self.restated: Final = restated

    @property
    def kind(self) -> Kind:
        return self.amount_unit.kind

    @property
    def unit_text(self) -> str:
        """``mg/mL``: the unit of ``amount / volume``."""
        return f"{self.amount_unit}/{self.volume_unit}"


def parse_concentration(text: str) -> Concentration:
    """Parse a concentration as orders and labels write it.

    ``10 mg/mL``, ``500 mg/250 mL``, ``400 mg in 250 mL of D5W``, ``50 mg in D5W 250 mL``,
    ``250 mL D5W with 400 mg``, ``1%`` (w/v), ``1:10,000`` (1 g in 10,000 mL, with a
    warning), ``(10 mg/mL)``, and a restated strength that must agree exactly,
    ``4 mg in 50 mL NS (80 mcg/mL)``.
    """
    reader = Reader("concentration", text)
    wrapped = reader.accept("lparen")
    conc = _concentration(reader)
    if wrapped and not reader.accept("rparen"):
        raise reader.fail("expected ')' to close the '(' at the start")
    reader.end()
    return conc.replace(text=text, warnings=tuple(reader.warnings))


def _concentration(reader: Reader) -> Concentration:
    start = reader.pos
    lead = reader.vehicle()
    if lead is not None:
        if not reader.at("number"):
            raise reader.fail(
                f"'{reader.span(start)}' names a vehicle ({lead}), not the drug's strength; "
                f"write the drug's amount: 400 mg in 250 mL {lead}"
            )
        volume, volume_unit = _volume(reader)
        conc, vehicle = _volume_first(reader, volume, volume_unit, lead)
    elif reader.at("number") and reader.at("colon", 1):
        conc, vehicle = _ratio(reader), _tail_vehicle(reader)
    elif reader.at("number") and reader.at("percent", 1):
        conc, vehicle = _percent(reader), _tail_vehicle(reader)
    else:
        number = reader.number()
        unit = reader.unit("an amount unit (mg, mcg, units, mmol, mEq)")
        if unit.kind is Kind.VOLUME and not reader.at("slash"):
            conc, vehicle = _volume_first(reader, number, unit, None)
        else:
            conc, vehicle = _amount_first(reader, number, unit, allow_vehicle=True)
            vehicle = _one_vehicle(reader, vehicle, _tail_vehicle(reader))
    stray = reader.peek()
    if stray is not None and stray.kind in ("word", "number", "percent", "apostrophe"):
        rest = reader.text[reader.start(stray) :].strip()
        raise reader.fail(f"'{rest}' is not a known vehicle (diluent); known: {known_vehicles()}")
    main = reader.span(start)
    restated = None
    if reader.accept("lparen"):
        inside = reader.pos
        again = reader.vehicle()
        if again is not None:
            vehicle = _one_vehicle(reader, vehicle, again, same_allowed=True)
        else:
            restated = _strength(reader)
            _check_agreement(reader, conc, main, restated, reader.span(inside))
        if not reader.accept("rparen"):
            raise reader.fail("expected ')' after the restated strength, e.g. (80 mcg/mL)")
    return conc.replace(vehicle=vehicle, restated=restated)


def _strength(reader: Reader) -> Concentration:
    """A strength written again in brackets: ``80 mcg/mL``, ``1%``, ``1:1,000``..."""
    if reader.at("number") and reader.at("colon", 1):
        return _ratio(reader)
    if reader.at("number") and reader.at("percent", 1):
        return _percent(reader)
    number = reader.number()
    unit = reader.unit("a strength such as 80 mcg/mL")
    conc, _ = _amount_first(reader, number, unit, allow_vehicle=False)
    return conc


def _drug_amount(reader: Reader, unit: UnitWord) -> UnitWord:
    if unit is GRAM_WEIGHT:
        return G
    if unit.kind not in _AMOUNT_KINDS:
        raise reader.fail(f"'{unit}' is not a drug amount; write amount per volume, e.g. 10 mg/mL")
    return unit


def _volume(reader: Reader) -> tuple[Fraction, UnitWord]:
    volume = reader.number()
    vehicle = match_vehicle(reader.tokens, reader.pos)
    if vehicle is not None:  # "1 g/250 D5W": without this, D5W's D would be read as day
        written = reader.tokens[reader.pos - 1].text
        raise reader.fail(
            f"expected a volume unit after '{written}', found the vehicle {vehicle[0]}: "
            f"write {written} mL {vehicle[0]}"
        )
    unit = reader.unit("a volume unit (mL or L)")
    if unit.kind is not Kind.VOLUME:
        raise reader.fail(f"'{unit}' is not a volume; use mL or L")
    return volume, unit


def _amount_first(
    reader: Reader, amount: Fraction, unit: UnitWord, *, allow_vehicle: bool
) -> tuple[Concentration, str | None]:
    """``500 mg/250 mL``, ``10 mg/mL``, ``500 mg in 250 mL``, ``50 mg in D5W 250 mL``."""
    amount_unit = _drug_amount(reader, unit)
    vehicle = None
    if reader.separator():
        given = reader.at("number")
    elif reader.accept_word("in"):
        vehicle = reader.vehicle() if allow_vehicle else None
        if not reader.at("number"):
            after = f"'in {vehicle}'" if vehicle else "'in'"
            raise reader.fail(f"expected a volume after {after}, such as 250 mL")
        given = True
    else:
        raise reader.fail("expected amount per volume: 10 mg/mL, 500 mg/250 mL, 500 mg in 250 mL")
    if given:
        volume, volume_unit = _volume(reader)
    else:
        volume = Fraction(1)
        volume_unit = reader.unit("a volume unit (mL or L)")
        if volume_unit.kind is not Kind.VOLUME:
            raise reader.fail(f"'{volume_unit}' is not a volume; use mL or L")
    return Concentration(amount, amount_unit, volume, volume_unit, "", given), vehicle


def _volume_first(
    reader: Reader, volume: Fraction, volume_unit: UnitWord, lead: str | None
) -> tuple[Concentration, str | None]:
    """``250 mL D5W with 400 mg``, ``D5W 1000 mL with 2 g``."""
    of = reader.accept_word("of")
    vehicle = _one_vehicle(reader, lead, reader.vehicle())
    if of and vehicle is None:
        raise reader.fail(f"expected a vehicle after 'of' (known: {known_vehicles()})")
    if not reader.accept_word("with", "containing"):
        bag = f"{shown(volume)} {volume_unit}" + (f" {vehicle}" if vehicle else "")
        raise reader.fail(
            f"a volume first must be followed by the drug in it: '{bag} with 400 mg' "
            f"(or write 400 mg in {bag})"
        )
    amount = reader.number()
    amount_unit = _drug_amount(reader, reader.unit("an amount unit (mg, mcg, units, mmol, mEq)"))
    return Concentration(amount, amount_unit, volume, volume_unit, "", True), vehicle


def _tail_vehicle(reader: Reader) -> str | None:
    """``[of | in] VEHICLE`` after the strength, if written."""
    joined = reader.peek()
    if not reader.accept_word("of", "in"):
        return reader.vehicle() if reader.at("word") or reader.at("number") else None
    vehicle = reader.vehicle()
    if vehicle is None:
        assert joined is not None
        after = reader.peek()
        found = f", found '{after.text}'" if after is not None else ""
        raise reader.fail(
            f"expected a vehicle after '{joined.text}'{found}; known vehicles: {known_vehicles()}"
        )
    return vehicle


def _one_vehicle(
    reader: Reader, first: str | None, second: str | None, same_allowed: bool = False
) -> str | None:
    if first is None or second is None:
        return first or second
    if first == second and same_allowed:
        return first
    raise reader.fail(f"names two vehicles ({first} and {second}); give one")


def _percent(reader: Reader) -> Concentration:
    """``1%`` or ``1% w/v``: 1 g per 100 mL."""
    percent = reader.number()
    reader.accept("percent")
    if reader.at_word("w") and reader.at("slash", 1):
        token = reader.peek(2)
        if token is not None and token.kind == "word" and token.text.casefold() == "v":
            reader.pos += 3
    if percent > 100:
        raise reader.fail("a w/v percentage cannot exceed 100%")
    return Concentration(percent, G, Fraction(100), ML, "", True, percent)


def _ratio(reader: Reader) -> Concentration:
    """``1:10,000``: 1 g in 10,000 mL, read with a warning (ISMP: write mg/mL)."""
    from infuse_calc.units import factor

    start = reader.pos
    first = reader.number()
    reader.accept("colon")
    parts = reader.number()
    written = reader.span(start)
    if first != 1 or parts.denominator != 1 or parts < MIN_RATIO:
        raise reader.fail(
            f"ratio strengths are read only as 1:N with N a whole number of at least "
            f"{MIN_RATIO} (1:1,000 is 1 g in 1,000 mL), not {written}; write the "
            "concentration, e.g. 1 mg/mL"
        )
    mg_per_ml = factor("g/mL", "mg/mL") / parts
    reader.warnings.append(
        f"{reader.what} {reader.text!r}: ratio strength {written} read as 1 g in "
        f"{shown(parts)} mL = {shown(mg_per_ml)} mg/mL; ISMP asks for the mg/mL form"
    )
    return Concentration(Fraction(1), G, parts, ML, "", True, ratio=int(parts))


def _check_agreement(
    reader: Reader, main: Concentration, main_text: str, restated: Concentration, said: str
) -> None:
    """A strength written twice must be the same exact value (converted by pint)."""
    from infuse_calc.units import factor

    if main.kind is not restated.kind:
        raise reader.fail(
            f"'{main_text}' is in {main.kind.label} but '{said}' is in "
            f"{restated.kind.label}: a restated strength must be the same kind of amount"
        )
    converted = main.amount / main.volume * factor(main.unit_text, restated.unit_text)
    if converted != restated.amount / restated.volume:
        raise reader.fail(
            f"the two strengths disagree: {main_text} is {shown(converted)} "
            f"{restated.unit_text}, but the brackets say {said}; check the label or order"
        )
