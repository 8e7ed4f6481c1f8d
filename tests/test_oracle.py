"""Check infuse-calc against an independent oracle computed with GNU units.

The expected values in ``tests/data/oracle.csv`` were produced by ``tools/make_oracle.py``
(GNU units, never Python arithmetic and never ``infuse_calc``).  Each case id is run
through the CLI once (``infuse-calc convert ... --format json``); every field of the case
is converted from the product's unit into the CSV's ``expected_unit`` with the project's
pint registry and compared with a relative tolerance of 1e-9.
"""

from __future__ import annotations

import csv
import json
import math
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from infuse_calc.cli import cli
from infuse_calc.units import registry

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data" / "oracle.csv"
GENERATOR = ROOT / "tools" / "make_oracle.py"
COLUMNS = [
    "id",
    "direction",
    "dose",
    "weight",
    "concentration",
    "dose_unit",
    "field",
    "expected_value",
    "expected_unit",
]
REL_TOL = 1e-9


@dataclass(frozen=True)
class Expectation:
    field: str
    value: float
    unit: str


@dataclass(frozen=True)
class Case:
    id: str
    direction: str
    dose: str
    weight: str
    concentration: str
    dose_unit: str
    expectations: tuple[Expectation, ...]

    def cli_args(self) -> list[str]:
        args = ["convert", self.dose]
        if self.weight:
            args += ["--weight", self.weight]
        if self.concentration:
            args += ["--concentration", self.concentration]
        if self.dose_unit:
            args += ["--dose-unit", self.dose_unit]
        return [*args, "--format", "json"]


def load_rows() -> list[dict[str, str]]:
    with DATA.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == COLUMNS, reader.fieldnames
        return list(reader)


def load_cases() -> dict[str, Case]:
    grouped: dict[str, list[dict[str, str]]] = {}
    for row in load_rows():
        grouped.setdefault(row["id"], []).append(row)
    cases: dict[str, Case] = {}
    for case_id, rows in grouped.items():
        first = rows[0]
        inputs = ("direction", "dose", "weight", "concentration", "dose_unit")
        for row in rows[1:]:
            assert all(row[k] == first[k] for k in inputs), f"inconsistent rows for {case_id}"
        cases[case_id] = Case(
            id=case_id,
            direction=first["direction"],
            dose=first["dose"],
            weight=first["weight"],
            concentration=first["concentration"],
            dose_unit=first["dose_unit"],
            expectations=tuple(
                Expectation(r["field"], float(r["expected_value"]), r["expected_unit"])
                for r in rows
            ),
        )
    return cases


CASES = load_cases()


@pytest.fixture(scope="module")
def to_unit() -> Callable[[float, str, str], float]:
    """Return a converter ``(value, product_unit, expected_unit) -> float``."""
    ureg = registry()
    factors: dict[tuple[str, str], float] = {}

    def convert(value: float, unit: str, target: str) -> float:
        if (unit, target) not in factors:
            magnitude = ureg.Quantity(1, unit).to(target).magnitude
            factors[(unit, target)] = float(magnitude)
        return value * factors[(unit, target)]

    return convert


@pytest.mark.parametrize("case_id", list(CASES))
def test_oracle_case(case_id: str, to_unit: Callable[[float, str, str], float]) -> None:
    case = CASES[case_id]
    result = CliRunner().invoke(cli, case.cli_args())
    assert result.exit_code == 0, (
        f"{case_id}: exit {result.exit_code} for {case.cli_args()}\n{result.output}"
        f"{result.exception!r}"
    )
    data: dict[str, Any] = json.loads(result.stdout)
    problems: list[str] = []
    for exp in case.expectations:
        got = data.get(exp.field)
        if not isinstance(got, dict) or "value" not in got or "unit" not in got:
            problems.append(f"{exp.field}: missing or malformed in output: {got!r}")
            continue
        actual = to_unit(float(got["value"]), str(got["unit"]), exp.unit)
        if not math.isclose(actual, exp.value, rel_tol=REL_TOL):
            problems.append(
                f"{exp.field}: expected {exp.value!r} {exp.unit}, got {got['value']!r} "
                f"{got['unit']} = {actual!r} {exp.unit} (rel err "
                f"{abs(actual - exp.value) / abs(exp.value):.3g})"
            )
    assert not problems, f"{case_id} {case.cli_args()}:\n  " + "\n  ".join(problems)


# --------------------------------------------------------------------------------------
# Coverage of the data set itself
# --------------------------------------------------------------------------------------

NUMBER = r"(?:0|[1-9][0-9]*)(?:\.[0-9]*[1-9])?"
AMOUNT_KIND = {
    **dict.fromkeys(
        [
            *("mcg", "microgram", "micrograms", "ng", "nanogram", "nanograms"),
            *("mg", "milligram", "milligrams", "g", "gram", "grams"),
        ],
        "mass",
    ),
    "units": "units",
    "unit": "units",
    "milliunits": "milliunits",
    "mmol": "mmol",
    "mEq": "mEq",
}
TIME_WORDS = {"min", "minute", "minutes", "h", "hr", "hour", "hours", "day"}
RE_DOSE = re.compile(rf"^({NUMBER}) ([A-Za-z]+)/(?:(kg|kilogram)/)?([a-z]+)$")
RE_VOLUME_RATE = re.compile(rf"^{NUMBER} mL/(h|hr|hour|min|day)$")
RE_DOSE_UNIT = re.compile(r"^(mcg|ng|mg|g|units|milliunits|mmol|mEq)/(?:kg/)?(min|h|day)$")
RE_EXPECTED_UNIT = re.compile(r"^(mcg|ng|mg|g|units|milliunits|mmol|mEq|mL)/(?:kg/)?(min|h|day)$")
RE_WEIGHT = re.compile(rf"^({NUMBER})(?: (kg|lb|g))?$")
CONCENTRATION_FORMS = {
    "per mL (10 mg/mL)": re.compile(rf"^{NUMBER} ([A-Za-z]+)/mL$"),
    "over volume (500 mg/250 mL)": re.compile(rf"^{NUMBER} ([A-Za-z]+)/{NUMBER} mL$"),
    "in volume (500 mg in 250 mL)": re.compile(rf"^{NUMBER} ([A-Za-z]+) in {NUMBER} mL$"),
    "no space before mL (4 mg/250mL)": re.compile(rf"^{NUMBER} ([A-Za-z]+)/{NUMBER}mL$"),
    "percent (1%)": re.compile(rf"^{NUMBER}%$"),
    "percent with space (0.5 %)": re.compile(rf"^{NUMBER} %$"),
}


def concentration_form(text: str) -> tuple[str, str]:
    """Return (form name, amount kind) of a concentration string."""
    for name, pattern in CONCENTRATION_FORMS.items():
        m = pattern.match(text)
        if m:
            kind = AMOUNT_KIND[m.group(1)] if m.groups() else "mass"
            return name, kind
    raise AssertionError(f"concentration outside the grammar: {text!r}")


def dose_kind(case: Case) -> str:
    """Amount kind of a case: the dose's amount (forward) or the dose unit's (reverse)."""
    if case.direction == "forward":
        m = RE_DOSE.match(case.dose)
        assert m, f"{case.id}: dose outside the grammar: {case.dose!r}"
        return AMOUNT_KIND[m.group(2)]
    m = RE_DOSE_UNIT.match(case.dose_unit)
    assert m, f"{case.id}: bad dose_unit {case.dose_unit!r}"
    return AMOUNT_KIND[m.group(1)]


def same_kind(a: str, b: str) -> bool:
    def norm(kind: str) -> str:
        return "units" if kind == "milliunits" else kind

    return norm(a) == norm(b)


def kg_value(case: Case) -> float | None:
    """Rough weight in kg, for a range check of the data set only."""
    if not case.weight:
        return None
    m = RE_WEIGHT.match(case.weight)
    assert m, f"{case.id}: weight outside the grammar: {case.weight!r}"
    factor = {None: 1.0, "kg": 1.0, "lb": 0.45359237, "g": 0.001}[m.group(2)]
    return float(m.group(1)) * factor


def all_cases() -> Iterable[Case]:
    return CASES.values()


def test_oracle_size_and_directions() -> None:
    assert len(CASES) >= 300
    directions = {c.direction for c in all_cases()}
    assert directions == {"forward", "reverse"}
    assert sum(c.direction == "reverse" for c in all_cases()) >= 50


def test_oracle_seed_cases() -> None:
    seed = {
        c.dose: c
        for c in all_cases()
        if c.weight == "72"
        and c.concentration == "10 mg/mL"
        and c.dose in ("7 mcg/kg/min", "3.024 mL/h")
    }
    forward = {(e.field, e.unit): e.value for e in seed["7 mcg/kg/min"].expectations}
    assert forward == pytest.approx(
        {
            ("per_minute", "mcg/min"): 504,
            ("per_hour", "mg/h"): 30.24,
            ("per_day", "mg/day"): 725.76,
            ("pump_rate", "mL/h"): 3.024,
            ("volume_per_day", "mL/day"): 72.576,
        },
        rel=1e-12,
    )
    reverse = seed["3.024 mL/h"]
    assert reverse.dose_unit == "mcg/kg/min"
    values = {(e.field, e.unit): e.value for e in reverse.expectations}
    assert values[("dose_rate", "mcg/kg/min")] == pytest.approx(7, rel=1e-12)


def test_oracle_fields_per_case() -> None:
    for case in all_cases():
        fields = [e.field for e in case.expectations]
        if case.direction == "forward":
            expected = ["per_minute", "per_hour", "per_day"]
            if case.concentration:
                expected += ["pump_rate", "volume_per_day"]
            assert fields == expected, case.id
            assert case.dose_unit == "", case.id
        else:
            assert fields == ["dose_rate", "per_hour"], case.id
            assert case.expectations[0].unit == case.dose_unit, case.id
            assert case.concentration, f"{case.id}: reverse case needs a concentration"
        for exp in case.expectations:
            assert RE_EXPECTED_UNIT.match(exp.unit), f"{case.id}: {exp.unit!r}"
            assert math.isfinite(exp.value), case.id
            assert exp.value > 0, case.id


def test_oracle_inputs_follow_grammar() -> None:
    for case in all_cases():
        if case.direction == "forward":
            m = RE_DOSE.match(case.dose)
            assert m, f"{case.id}: {case.dose!r}"
            assert m.group(2) in AMOUNT_KIND, case.id
            assert m.group(4) in TIME_WORDS, case.id
            if m.group(3):
                assert case.weight, f"{case.id}: weight-based dose needs a weight"
        else:
            assert RE_VOLUME_RATE.match(case.dose), f"{case.id}: {case.dose!r}"
            if "/kg/" in case.dose_unit:
                assert case.weight, f"{case.id}: per-kg dose unit needs a weight"
        weight = kg_value(case)
        if weight is not None:
            assert 0.5 <= weight <= 200, f"{case.id}: weight {case.weight!r} out of range"
        if case.concentration:
            _, kind = concentration_form(case.concentration)
            assert same_kind(kind, dose_kind(case)), f"{case.id}: kind mismatch"


def test_oracle_covers_amount_kinds() -> None:
    wanted = {"mass", "units", "milliunits", "mmol", "mEq"}
    for direction in ("forward", "reverse"):
        kinds = {dose_kind(c) for c in all_cases() if c.direction == direction}
        assert kinds == wanted, (direction, kinds)
    # Every amount spelling (ng, mcg, mg, g and their long forms, unit/units, ...) is used.
    matches = [RE_DOSE.match(c.dose) for c in all_cases() if c.direction == "forward"]
    amounts = {m.group(2) for m in matches if m}
    assert amounts == set(AMOUNT_KIND), set(AMOUNT_KIND) ^ amounts


def test_oracle_covers_spellings() -> None:
    forward = [RE_DOSE.match(c.dose) for c in all_cases() if c.direction == "forward"]
    matches = [m for m in forward if m]
    assert {m.group(4) for m in matches} == TIME_WORDS
    assert {m.group(3) for m in matches} == {None, "kg", "kilogram"}
    volume_units = {c.dose.split(" ")[1] for c in all_cases() if c.direction == "reverse"}
    assert volume_units == {"mL/h", "mL/hr", "mL/hour", "mL/min", "mL/day"}


def test_oracle_covers_concentration_forms() -> None:
    forms: dict[str, set[str]] = {}
    for case in all_cases():
        if case.concentration:
            name, kind = concentration_form(case.concentration)
            forms.setdefault(name, set()).add(kind)
    assert set(forms) == set(CONCENTRATION_FORMS), set(CONCENTRATION_FORMS) - set(forms)
    kinds = set().union(*forms.values())
    assert {"mass", "units", "mmol", "mEq"} <= kinds
    for case in all_cases():
        if case.direction == "forward" and not case.concentration:
            break
    else:
        raise AssertionError("no forward case without a concentration")


def test_oracle_covers_weight_forms() -> None:
    units: dict[str | None, int] = {}
    for case in all_cases():
        if case.weight:
            m = RE_WEIGHT.match(case.weight)
            assert m, case.id
            units[m.group(2)] = units.get(m.group(2), 0) + 1
    assert set(units) == {None, "kg", "lb", "g"}, units
    assert all(count >= 5 for count in units.values()), units
    assert any(not c.weight for c in all_cases() if c.direction == "forward")


def _gnu_units_version() -> str:
    exe = shutil.which("units")
    if exe is None:
        return ""
    proc = subprocess.run([exe, "-V", "-t"], capture_output=True, text=True, check=False)
    return proc.stdout.strip()


@pytest.mark.skipif(
    "GNU Units version 2.22" not in _gnu_units_version(),
    reason="regenerating the oracle byte for byte needs GNU units 2.22",
)
def test_oracle_csv_is_reproducible() -> None:
    proc = subprocess.run(
        [sys.executable, str(GENERATOR), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
