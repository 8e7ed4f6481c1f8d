"""Doses given over a time and boluses against an independent oracle, GNU units (issue 14).

``tests/data/oracle-given.csv`` was produced by ``tools/make_oracle_given.py`` (GNU units,
never Python arithmetic and never ``infuse_calc``). Each case runs through the CLI
(``infuse-calc convert ... --format json``, with ``--max`` where the case has one); every
field is converted from the product's unit into the CSV's unit with the project's pint
registry and compared with a relative tolerance of 1e-9.
"""

from __future__ import annotations

import csv
import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from infuse_calc.cli import cli
from infuse_calc.units import registry
from tests.test_oracle import _gnu_units_version

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "oracle-given.csv"
GENERATOR = ROOT / "tools" / "make_oracle_given.py"
REL_TOL = 1e-9


def load() -> dict[str, list[dict[str, str]]]:
    with DATA.open(newline="", encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    cases: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        cases.setdefault(row["id"], []).append(row)
    return cases


CASES = load()


def args_of(row: dict[str, str]) -> list[str]:
    args = ["convert", row["dose"], "--format", "json"]
    for flag, name in (("-w", "weight"), ("-c", "concentration"), ("--max", "max")):
        if row[name]:
            args += [flag, row[name]]
    return args


@pytest.mark.parametrize("case_id", list(CASES))
def test_oracle_case(case_id: str) -> None:
    rows = CASES[case_id]
    result = CliRunner().invoke(cli, args_of(rows[0]))
    assert result.exit_code == 0, (case_id, result.output)
    data: dict[str, Any] = json.loads(result.stdout)
    ureg = registry()
    for row in rows:
        got = data[row["field"]]
        assert isinstance(got, dict), (case_id, row["field"], got)
        factor = ureg.Quantity(1, got["unit"]).to(row["expected_unit"]).magnitude
        actual = float(got["value"]) * float(factor)
        expected = float(row["expected_value"])
        assert math.isclose(actual, expected, rel_tol=REL_TOL), (case_id, row["field"], actual)


def test_the_oracle_covers_every_form() -> None:
    doses = [rows[0]["dose"] for rows in CASES.values()]
    assert len(CASES) >= 30
    assert any("/kg over" in d for d in doses)  # per-kg loading doses
    assert any("mL over" in d for d in doses)  # volumes over a time
    assert any(" h " in d and d.endswith("min") for d in doses)  # 1 h 30 min
    assert any("over" not in d and "/kg" in d for d in doses)  # per-kg boluses
    assert any("over" not in d and "/kg" not in d for d in doses)  # plain boluses
    capped = [rows for rows in CASES.values() if rows[0]["max"]]
    assert len(capped) >= 3
    fields = {row["field"] for rows in CASES.values() for row in rows}
    assert fields == {"amount", "per_hour", "pump_rate", "volume", "bolus_amount", "bolus_volume"}


@pytest.mark.skipif(
    "GNU Units version 2.22" not in _gnu_units_version(),
    reason="regenerating the oracle byte for byte needs GNU units 2.22",
)
def test_oracle_csv_is_reproducible() -> None:
    proc = subprocess.run(
        [sys.executable, str(GENERATOR), "--check"], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
