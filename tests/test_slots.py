"""slots.Slots: the equality, hash and repr a dataclass gave the classes a convert loads."""

from __future__ import annotations

from fractions import Fraction

import pytest

from infuse_calc.cli.params import PatientChoices
from infuse_calc.dosing import PumpRounding
from infuse_calc.formats.output import View
from infuse_calc.measure import Measure


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
