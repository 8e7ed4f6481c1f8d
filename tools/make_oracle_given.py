#!/usr/bin/env python3
"""Generate the GNU-units oracle for doses given over a time and boluses:
``tests/data/oracle-given.csv`` (issue 14).

How to run (from anywhere)::

    python tools/make_oracle_given.py            # (re)writes tests/data/oracle-given.csv
    python tools/make_oracle_given.py --check    # exits 1 if the file on disk differs

The companion of ``tools/make_oracle.py`` (whose GNU units wrapper, unit names and input
translations it reuses, loaded from that file): standard library only, GNU units 2.22,
never ``infuse_calc``. Every expected value is GNU units' answer to an explicit,
parenthesised expression; Python only re-prints units' ``%.17g`` output losslessly and,
for a capped bolus, compares two of units' answers to know which one is given.

Fields written (one CSV row per case and field):

* an amount over a time (``6 g over 20 min``): ``amount`` (the amount given, with the
  weight for a per-kg dose), ``per_hour`` (amount / time), and with a concentration
  ``pump_rate`` (mL/h) and ``volume`` (mL); for a volume over a time (``1000 mL over 8 h``)
  ``pump_rate`` and ``volume``, and with a concentration the drug ``amount``;
* a bolus (``80 units/kg``): ``bolus_amount`` and, with a concentration,
  ``bolus_volume``; with a maximum (``max`` column) the smaller of the amount and the cap.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import io
import re
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "tests" / "data" / "oracle-given.csv"
COLUMNS = [
    "id",
    "dose",
    "weight",
    "concentration",
    "max",
    "field",
    "expected_value",
    "expected_unit",
]


def _base() -> ModuleType:
    """``tools/make_oracle.py``, loaded by path (tools/ is not a package)."""
    spec = importlib.util.spec_from_file_location(
        "make_oracle", Path(__file__).with_name("make_oracle.py")
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_oracle"] = module
    spec.loader.exec_module(module)
    return module


BASE = _base()
NUM = BASE.NUM
_AMT = "|".join(sorted(BASE.AMOUNT, key=len, reverse=True))
_TIME = "|".join(sorted(BASE.TIME, key=len, reverse=True))
RE_AMOUNT = re.compile(rf"^({NUM}) ({_AMT}|mL)(?:/(kg))?$")
RE_PART = re.compile(rf"({NUM}) ({_TIME})")
GNU_AMOUNT_UNIT = {
    "mass": "milligram",
    "units": "drugunit",
    "mmol": "millimol",
    "mEq": "drugmeq",
    "volume": "milliliter",
}
EXPECTED_AMOUNT_UNIT = {
    "mass": "mg",
    "units": "units",
    "mmol": "mmol",
    "mEq": "mEq",
    "volume": "mL",
}

# (id, dose, weight, concentration, max): published loading doses and boluses, and the
# issue's own examples; per-kg ones with the weights used in the sources' examples.
CASES = [
    ("G01-magnesium", "6 g over 20 min", "", "40 g in 1000 mL", ""),
    ("G02-magnesium-4g", "4 g over 20 minutes", "", "4 g in 100 mL", ""),
    ("G03-cefazolin-piggyback", "2 g over 30 min", "", "2 g in 50 mL", ""),
    ("G04-amiodarone-load", "150 mg over 10 min", "", "150 mg in 100 mL", ""),
    ("G05-esmolol-load", "500 mcg/kg over 1 min", "70", "10 mg/mL", ""),
    ("G06-esmolol-load-lb", "500 mcg/kg over 1 minute", "176 lb", "10 mg/mL", ""),
    ("G07-levetiracetam", "60 mg/kg over 15 min", "25", "50 mg/mL", ""),
    ("G08-phenytoin-slow", "20 mg/kg over 1 h", "70", "10 mg/mL", ""),
    ("G09-vancomycin", "1.5 g over 1 h 30 min", "", "1.5 g in 300 mL", ""),
    ("G10-vancomycin-hours", "1750 mg over 2 hours", "", "5 mg/mL", ""),
    ("G11-potassium", "20 mmol over 2 h", "", "20 mmol in 100 mL", ""),
    ("G12-bicarbonate", "50 mEq over 30 min", "", "1 mEq/mL", ""),
    ("G13-oxytocin-units", "10 units over 8 h", "", "10 units in 1000 mL", ""),
    ("G14-gravity-fluid", "1000 mL over 8 h", "", "", ""),
    ("G15-gravity-fluid-hrs", "500 mL over 4 hr", "", "", ""),
    ("G16-fluid-bolus-peds", "20 mL/kg over 20 min", "18", "", ""),
    ("G17-volume-with-drug", "250 mL over 2 h", "", "400 mg in 250 mL", ""),
    ("G18-long", "2 g over 2 day", "", "2 g in 500 mL", ""),
    ("G19-acetylcysteine", "150 mg/kg over 1 h", "82", "200 mg/mL", ""),
    ("G20-h-and-min", "100 mL over 1 h 45 min", "", "", ""),
    ("B01-heparin", "80 units/kg", "70", "1000 units/mL", ""),
    ("B02-heparin-80kg", "80 units/kg", "80", "5000 units/mL", ""),
    ("B03-heparin-capped", "80 units/kg", "150", "1000 units/mL", "10000 units"),
    ("B04-heparin-under-cap", "80 units/kg", "100", "1000 units/mL", "10000 units"),
    ("B05-heparin-lb", "60 units/kg", "220 lb", "1000 units/mL", "4000 units"),
    ("B06-adenosine", "6 mg", "", "3 mg/mL", ""),
    ("B07-epinephrine-peds", "0.01 mg/kg", "12.5", "0.1 mg/mL", ""),
    ("B08-atropine-peds", "0.02 mg/kg", "9", "0.1 mg/mL", "0.5 mg"),
    ("B09-ketamine", "1 mg/kg", "72", "10 mg/mL", ""),
    ("B10-insulin", "0.1 units/kg", "84", "100 units/mL", ""),
    ("B11-no-concentration", "5000 units", "", "", ""),
    ("B12-mcg", "1 mcg/kg", "70", "50 mcg/mL", "50 mcg"),
    ("B13-grams", "2 g", "", "100 mg/mL", ""),
    ("B14-neonate", "10 mg/kg", "850 g", "10 mg/mL", ""),
]


@dataclass(frozen=True)
class Given:
    expr: str  # the amount (times the weight for a per-kg dose)
    kind: str
    duration: str | None  # GNU expression of the time, or None for a bolus


def _duration(text: str) -> str:
    parts = RE_PART.findall(text)
    joined = " ".join(f"{n} {u}" for n, u in parts)
    if not parts or joined != text:
        raise ValueError(f"bad duration {text!r}")
    return "(" + " + ".join(f"({BASE.positive(n)} * {BASE.TIME[u]})" for n, u in parts) + ")"


def parse_given(dose: str, weight: str) -> Given:
    amount_text, _, over = dose.partition(" over ")
    m = RE_AMOUNT.match(amount_text)
    if not m:
        raise ValueError(f"bad amount {amount_text!r}")
    number, word, kg = m.groups()
    kind, gnu = ("volume", "milliliter") if word == "mL" else BASE.AMOUNT[word]
    expr = f"({BASE.positive(number)} * {gnu})"
    if kg:
        if not weight:
            raise ValueError(f"{dose!r} is per kg: give a weight")
        expr = f"({expr} / kilogram * {BASE.parse_weight(weight)})"
    return Given(expr, kind, _duration(over) if over else None)


def expected_rows(case: tuple[str, str, str, str, str], gnu: object) -> list[list[str]]:
    case_id, dose, weight, conc, cap = case
    given = parse_given(dose, weight)
    convert = gnu.convert  # type: ignore[attr-defined]
    conc_expr, conc_kind = BASE.parse_concentration(conc) if conc else (None, "")
    amount = given.expr
    if cap:
        cap_given = parse_given(cap, "")
        if cap_given.kind != given.kind:
            raise ValueError(f"{case_id}: a cap of another kind")
        target = GNU_AMOUNT_UNIT[given.kind]
        if float(convert(amount, target)) > float(convert(cap_given.expr, target)):
            amount = cap_given.expr  # the order gives more than the cap: the cap is given
    rows: list[list[str]] = []

    def row(field: str, expr: str, unit: str, gnu_unit: str) -> None:
        rows.append([case_id, dose, weight, conc, cap, field, convert(expr, gnu_unit), unit])

    kind = given.kind
    if given.duration is None:
        unit = EXPECTED_AMOUNT_UNIT[kind]
        row("bolus_amount", amount, unit, GNU_AMOUNT_UNIT[kind])
        if conc_expr is not None:
            row("bolus_volume", f"({amount} / {conc_expr})", "mL", "milliliter")
        return rows
    if kind == "volume":
        row("pump_rate", f"({amount} / {given.duration})", "mL/h", "milliliter/hour")
        row("volume", amount, "mL", "milliliter")
        if conc_expr is not None:
            unit = EXPECTED_AMOUNT_UNIT[conc_kind]
            row("amount", f"({amount} * {conc_expr})", unit, GNU_AMOUNT_UNIT[conc_kind])
        return rows
    unit = EXPECTED_AMOUNT_UNIT[kind]
    row("amount", amount, unit, GNU_AMOUNT_UNIT[kind])
    row("per_hour", f"({amount} / {given.duration})", f"{unit}/h", f"{GNU_AMOUNT_UNIT[kind]}/hour")
    if conc_expr is not None:
        row("pump_rate", f"({amount} / {given.duration} / {conc_expr})", "mL/h", "milliliter/hour")
        row("volume", f"({amount} / {conc_expr})", "mL", "milliliter")
    return rows


def render(gnu: object) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for case in CASES:
        writer.writerows(expected_rows(case, gnu))
    return buffer.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the file differs")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        defs = Path(folder) / "infuse.units"
        defs.write_text(BASE.UNITS_DEFS, encoding="utf-8")
        text = render(BASE.GnuUnits(defs))
    if args.check:
        if not OUTPUT.exists() or OUTPUT.read_text(encoding="utf-8") != text:
            print(f"{OUTPUT} is out of date: run python tools/make_oracle_given.py")
            return 1
        print(f"{OUTPUT} is up to date")
        return 0
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUTPUT} ({text.count(chr(10)) - 1} rows)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
