"""An input a calculation lacks is asked for where the caller reads it (issue 16, item 10):
the engine's rule raises one structured error; convert names its option, batch its column."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from infuse_calc.batch import error_of, process
from infuse_calc.dosing import calculate
from infuse_calc.errors import MissingInputError
from infuse_calc.quantities import parse_concentration, parse_dose

PER_KG = "dose 7 mcg/kg/min is per kg"


def _errors(run: Any, tmp_path: Path, text: str, *args: str) -> list[str]:
    path = tmp_path / "orders.csv"
    path.write_text(text, encoding="utf-8")
    result = run("batch", str(path), *args)
    assert result.exit_code == 1, result.stderr
    return [row["error"] for row in csv.DictReader(io.StringIO(result.stdout))]


def test_the_engine_says_what_is_missing_and_convert_names_its_option(run: Any) -> None:
    with pytest.raises(MissingInputError) as raised:
        calculate(parse_dose("7 mcg/kg/min"), None, parse_concentration("10 mg/mL"))
    assert (raised.value.problem, raised.value.needed) == (PER_KG, "weight")
    # convert's message is unchanged
    result = run("convert", "7 mcg/kg/min", "-c", "10 mg/mL")
    assert result.exit_code == 2
    assert result.stderr == f"Error: {PER_KG}: give the patient's weight with --weight\n"


def test_batch_without_a_weight_column_asks_for_one(run: Any, tmp_path: Path) -> None:
    errors = _errors(run, tmp_path, "dose,concentration\n7 mcg/kg/min,10 mg/mL\n")
    assert errors == [f"{PER_KG}: add a weight column with the patient's weight "
                      "(or --map weight=COLUMN)"]  # fmt: skip


def test_batch_with_a_blank_weight_cell_names_the_column(run: Any, tmp_path: Path) -> None:
    text = "dose,kg,concentration,dose_unit\n7 mcg/kg/min,,10 mg/mL,\n5 mg/h,,10 mg/mL,mcg/kg/min\n"
    assert _errors(run, tmp_path, text, "--map", "weight=kg") == [
        f"{PER_KG}: give the patient's weight in the kg column",
        "dose unit mcg/kg/min is per kg: give the patient's weight in the kg column",
    ]


def test_batch_mapped_to_a_column_the_file_lacks(run: Any, tmp_path: Path) -> None:
    errors = _errors(run, tmp_path, "dose\n7 mcg/kg/min\n", "--map", "weight=kg")
    assert errors == [f"{PER_KG}: add a kg column with the patient's weight"]


def test_batch_without_a_concentration_column(run: Any, tmp_path: Path) -> None:
    errors = _errors(run, tmp_path, "dose,dose_unit\n5 mL/h,mg/h\n")
    assert errors == [
        "a volume rate ('5 mL/h') gives a dose only with a concentration: add a "
        "concentration column with the concentration (or --map concentration=COLUMN)"
    ]


def test_json_lines_rows_are_asked_by_what_each_row_has() -> None:
    rows: list[dict[str, Any]] = [
        {"dose": "7 mcg/kg/min", "concentration": "10 mg/mL"},
        {"dose": "7 mcg/kg/min", "concentration": "10 mg/mL", "weight": None},
    ]
    assert [error_of(record) for record in process(rows)] == [
        f"{PER_KG}: add a weight column with the patient's weight (or --map weight=COLUMN)",
        f"{PER_KG}: give the patient's weight in the weight column",
    ]


def test_a_drug_limit_per_kg_asks_batch_for_the_weight_column(run: Any, tmp_path: Path) -> None:
    library = str(Path(__file__).resolve().parent.parent / "examples" / "drug-library.toml")
    # the example's insulin limits are per kg; 8 units/h is not: comparing needs the weight
    errors = _errors(run, tmp_path, "dose,drug\n8 units/h,insulin\n", "--library", library)
    assert errors == [
        "the insulin limit '0.2 units/kg/h' and the dose '8 units/h' differ in being per kg: "
        "add a weight column with the patient's weight (or --map weight=COLUMN)"
    ]
    result = run("convert", "8 units/h", "--drug", "insulin", "--library", library)
    assert result.stderr.endswith(
        "differ in being per kg: give the patient's weight with --weight\n"
    ), result.stderr


def test_strict_stops_with_the_batch_wording(run: Any, tmp_path: Path) -> None:
    path = tmp_path / "orders.jsonl"
    path.write_text(json.dumps({"dose": "7 mcg/kg/min"}) + "\n", encoding="utf-8")
    result = run("batch", str(path), "--strict")
    assert result.exit_code == 1
    assert "line 1: dose 7 mcg/kg/min is per kg: add a weight column" in result.stderr
