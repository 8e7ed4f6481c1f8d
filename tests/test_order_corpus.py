"""Real order, label and textbook phrasings, read as their sources meant them.

``tests/data/order-corpus.csv`` holds phrasings collected from public nursing and pharmacy
sources (dosage-calculation guides, quizzes, drip worksheets, drug labels), one a row: which
input it is, what it means as exact numbers and units (worked by hand: a concentration as
its amount per mL, a weight in kg), and where it was found. Rows marked ``refused`` must
stay refused: ambiguous, self-contradicting or outside the grammar. ``drops`` rows are drip
rates, read by the core with ``drops=True`` and refused by the commands until the drop
factor is wired in.
"""

from __future__ import annotations

import csv
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from infuse_calc.quantities import parse_concentration, parse_dose, parse_weight
from infuse_calc.units import factor
from infuse_calc.vehicles import VEHICLES

CORPUS = Path(__file__).parent / "data" / "order-corpus.csv"
INPUT_DOCS = Path(__file__).resolve().parent.parent / "docs" / "input.md"
ROWS = list(csv.DictReader(CORPUS.open(encoding="utf-8")))
READ = [row for row in ROWS if row["expect"] == "read"]
REFUSED = [row for row in ROWS if row["expect"] in ("refused", "drops")]


def _id(row: dict[str, str]) -> str:
    return f"{row['input']}:{row['text']}"


def test_the_corpus_is_large_and_sourced() -> None:
    assert len(ROWS) >= 100
    assert {row["input"] for row in ROWS} == {"dose", "weight", "concentration"}
    assert {row["expect"] for row in ROWS} == {"read", "refused", "drops"}
    assert len([row for row in ROWS if row["expect"] == "refused"]) >= 20
    assert all(row["source"] for row in ROWS)
    assert len({row["source"] for row in ROWS}) >= 30


@pytest.mark.parametrize("row", READ, ids=_id)
def test_read_as_intended(row: dict[str, str]) -> None:
    expected = Fraction(row["value"])
    if row["input"] == "dose":
        dose = parse_dose(row["text"], amounts=True)  # as convert reads it (a bolus too)
        assert (dose.amount, dose.amount_unit if dose.is_timed else str(dose.unit)) == (
            expected,
            row["unit"],
        )
    elif row["input"] == "weight":
        per_kg = Fraction(row["lb_per_kg"]) if row["lb_per_kg"] else None
        weight = parse_weight(row["text"], lb_per_kg=per_kg)
        assert row["unit"] == "kg"
        assert weight.kg == expected
    else:
        conc = parse_concentration(row["text"])
        per_ml = conc.amount / conc.volume * factor(conc.unit_text, row["unit"])
        assert per_ml == expected
        assert conc.vehicle == (row["vehicle"] or None)


@pytest.mark.parametrize("row", [r for r in ROWS if r["expect"] == "drops"], ids=_id)
def test_drip_rates_are_read_by_the_core_in_drops(row: dict[str, str]) -> None:
    dose = parse_dose(row["text"], drops=True)
    assert (dose.value, str(dose.unit), dose.is_drip_rate) == (
        Fraction(row["value"]),
        row["unit"],
        True,
    )


_KIND_DOSE = {"mg": "1 mg/h", "mcg": "1 mg/h", "g": "1 mg/h", "units": "1 units/h"}


def _convert_args(row: dict[str, str]) -> list[str]:
    """A convert command that reads ``row``'s text where that kind of input goes."""
    text = row["text"]
    if row["input"] == "dose":
        return ["convert", text, "-w", "70"]
    if row["input"] == "weight":
        return ["convert", "1 mcg/kg/min", "-w", text]
    amount = row["unit"].split("/")[0] if row["unit"] else "mg"
    dose = _KIND_DOSE.get(amount, f"1 {amount}/h")
    return ["convert", dose, "-c", text]


@pytest.mark.parametrize("row", READ, ids=_id)
def test_read_through_the_cli(run: Any, row: dict[str, str]) -> None:
    result = run(*_convert_args(row), "--format", "plain")
    assert result.exit_code == 0, result.stderr
    assert all(line.startswith("Warning: ") for line in result.stderr.splitlines())


@pytest.mark.parametrize("row", REFUSED, ids=_id)
def test_refused_through_the_cli_with_exit_2(run: Any, row: dict[str, str]) -> None:
    result = run(*_convert_args(row), "--format", "plain")
    assert result.exit_code == 2, result.stdout
    lines = result.stderr.splitlines()
    assert lines[-1].startswith("Error: ")
    assert sum(line.startswith("Error: ") for line in lines) == 1
    assert row["why"]
    assert row["why"] in lines[-1]
    assert result.stdout == ""


# --- docs/input.md: the user's version of the grammar ----------------------------------


def test_input_docs_list_every_vehicle_spelling() -> None:
    text = INPUT_DOCS.read_text(encoding="utf-8")
    for name, spellings in VEHICLES.items():
        assert f"\n| {name} | " in text
        for spelling in spellings:
            assert spelling == name or f"`{spelling}`" in text
