"""slots.Slots: the equality, hash, repr and replace a dataclass gave the classes a convert
loads, with fields left out of equality."""

from __future__ import annotations

from fractions import Fraction
from typing import Final

import pytest

from infuse_calc.cli.params import PatientChoices
from infuse_calc.dosing import PumpRounding
from infuse_calc.formats.output import View
from infuse_calc.measure import Measure
from infuse_calc.quantities import (
    Dose,
    RateUnit,
    Weight,
    parse_concentration,
    parse_dose,
    parse_weight,
)
from infuse_calc.slots import Slots
from infuse_calc.unit_words import GRAM_WEIGHT, HOUR, LB, MG, ML, G, Kind, UnitWord


def test_equal_by_class_and_every_field() -> None:
    assert Measure(Fraction(3, 50), "mg/h") == Measure(Fraction(6, 100), "mg/h")
    assert Measure(Fraction(3, 50), "mg/h") != Measure(Fraction(3, 50), "mg/min")
    assert Measure(Fraction(3, 50), "mg/h") != Measure(Fraction(3, 49), "mg/h")
    # not a tuple of its fields, nor another class with the same fields
    assert Measure(Fraction(1), "mL") != (Fraction(1), "mL")
    assert PatientChoices(drug="heparin") != PatientChoices()
    assert PatientChoices(drug="heparin") == PatientChoices(None, None, "actual", "heparin")


def test_frozen_values_hash_by_their_fields() -> None:
    first = Measure(Fraction(1, 10), "mL/h")
    same = Measure(Fraction(1, 10), "mL/h")
    assert hash(first) == hash(same)
    assert len({first, same, Measure(Fraction(1, 10), "mL/min")}) == 2
    rate = PumpRounding(Fraction(1, 10), first, None, Fraction(0))
    assert rate == PumpRounding(Fraction(1, 10), same, None, Fraction(0))
    assert hash(rate) == hash(PumpRounding(Fraction(1, 10), same, None, Fraction(0)))


def test_a_view_is_mutable_so_unhashable_but_compares() -> None:
    view = View(["", ""], [["Dose", "7 mcg/kg/min"]], {}, [], [])
    with pytest.raises(TypeError):
        hash(view)
    assert view == View(["", ""], [["Dose", "7 mcg/kg/min"]], {}, [], [])
    view.notes.append("a note")  # each view has lists of its own
    assert View(["", ""], [], {}, [], []).notes == []
    assert view != View(["", ""], [["Dose", "7 mcg/kg/min"]], {}, [], [])


def test_repr_names_every_field() -> None:
    assert repr(Measure(Fraction(1, 2), "mg")) == "Measure(unit='mg', value=Fraction(1, 2))"


def test_a_slotted_class_takes_no_other_attribute() -> None:
    with pytest.raises(AttributeError):
        Measure(Fraction(1), "mg").typo = 1  # type: ignore[attr-defined]


def test_warnings_are_left_out_of_equality_and_hash() -> None:
    # what a text raised is not part of the value (a dataclass's field(compare=False))
    warned = parse_dose("7 mcg/kg/min")
    assert warned.warnings == ()
    said = Dose(warned.value, warned.unit, warned.text, ("dose '7 mcg/kg/min': a warning",))
    assert said == warned
    assert hash(said) == hash(warned)
    assert len({said, warned}) == 1
    assert said != Dose(warned.value, warned.unit, "7 mcg/kg/min ")  # the text is compared
    heavy = parse_weight("160 lb")
    assert heavy == Weight(heavy.value, LB, heavy.kg, heavy.text, ("a warning",), heavy.lb_per_kg)
    # ug is read as mcg, with a warning: equal to the same strength written safely
    risky, safe = parse_concentration("10 ug/mL"), parse_concentration("10 mcg/mL")
    assert risky.warnings
    assert not safe.warnings
    assert risky != safe  # the texts differ
    assert risky.replace(text=safe.text) == safe
    assert hash(risky.replace(text=safe.text)) == hash(safe)


def test_uncompared_must_name_a_field() -> None:
    with pytest.raises(TypeError, match=r"Wrong.uncompared names no field: \['warning'\]"):

        class Wrong(Slots):
            __slots__ = ("value", "warnings")
            uncompared = frozenset({"warning"})


def test_replace_changes_the_fields_named_and_keeps_the_rest() -> None:
    conc = parse_concentration("400 mg in 250 mL")
    labelled = conc.replace(vehicle="D5W", text="400 mg in 250 mL of D5W")
    assert (labelled.vehicle, labelled.text) == ("D5W", "400 mg in 250 mL of D5W")
    assert (labelled.amount, labelled.amount_unit) == (Fraction(400), MG)
    assert (labelled.volume, labelled.volume_unit) == (Fraction(250), ML)
    assert labelled.per_volume_given
    assert (conc.vehicle, conc.text) == (None, "400 mg in 250 mL")  # the original is unchanged
    assert labelled == parse_concentration("400 mg in 250 mL of D5W")
    assert Measure(Fraction(1), "mg").replace(unit="mcg") == Measure(Fraction(1), "mcg")
    with pytest.raises(TypeError):
        conc.replace(volumes=Fraction(500))  # not a field: refused, as dataclasses.replace


def test_a_unit_word_compares_every_field_but_hashes_its_symbol() -> None:
    assert UnitWord("g", Kind.MASS, 3) == G
    assert GRAM_WEIGHT != G  # the same symbol, another kind
    assert hash(GRAM_WEIGHT) == hash(G) == hash("g")
    assert RateUnit(MG, HOUR) == RateUnit(MG, HOUR, per_kg=False) != RateUnit(MG, HOUR, True)


class _Said(Slots):
    """One value and what was said about it (left out of equality)."""

    __slots__ = ("value", "warnings")
    uncompared = frozenset({"warnings"})

    def __init__(self, value: int, warnings: tuple[str, ...] = ()) -> None:
        self.value: Final = value
        self.warnings: Final = warnings


class _Nothing(Slots):
    __slots__ = ("warnings",)
    uncompared = frozenset({"warnings"})

    def __init__(self, warnings: tuple[str, ...] = ()) -> None:
        self.warnings: Final = warnings


def test_one_compared_field_or_none() -> None:
    # one field is still compared as a tuple of one (not as the bare value)
    assert _Said(1, ("a warning",)) == _Said(1)
    assert _Said(1) != _Said(2)
    assert _Said(1).fields() == (1,)
    assert hash(_Said(1, ("a warning",))) == hash((1,))
    assert _Nothing(("a",)) == _Nothing()
    assert _Nothing().fields() == ()
    assert _Said(1) != _Nothing()
