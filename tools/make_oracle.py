#!/usr/bin/env python3
"""Generate the GNU-units oracle for infuse-calc: ``tests/data/oracle.csv``.

How to run (from anywhere; paths are resolved relative to this file)::

    python tools/make_oracle.py            # (re)writes tests/data/oracle.csv
    python tools/make_oracle.py --check    # exits 1 if the file on disk differs

Requirements: Python 3.11+ (standard library only) and GNU units (tested with 2.22,
``/usr/bin/units``; another binary can be named with the ``UNITS`` environment variable).
This script deliberately does NOT import ``infuse_calc``: it is an independent oracle.

What it does
------------
1. Builds a fixed list of clinically plausible infusion cases from the tables below
   (dopamine, norepinephrine, heparin, insulin, vasopressin, oxytocin, potassium, ...).
   Choices are made with ``random.Random(SEED)`` and round-robin spelling cyclers, so
   the output is deterministic: re-running reproduces the CSV byte for byte.
2. Parses every user-facing string (dose, weight, concentration, dose unit) with strict
   regular expressions for the product's input grammar and translates it into an
   explicit, fully parenthesised GNU units expression.
3. Asks the ``units`` binary for every expected value (one subprocess per distinct
   conversion; ~4 ms each). No expected value is computed with Python arithmetic; the
   only Python step is ``repr(float(text))``, which re-prints the double that units
   printed with ``%.17g`` in its shortest round-trip form (lossless).

GNU units tricks used
---------------------
* ``--digits`` is capped at 15 in units 2.22, so ``-o %.17g`` (printf output format) is
  used to get 17 significant digits.  ``-t`` (terse = strict, compact, quiet, one-line)
  prints only the number and refuses reciprocal conversions.
* GNU units has no pharmacy "unit" and no equivalents.  A small units file (written to
  a temporary directory and loaded after the standard file with ``-f '' -f FILE``)
  defines new *primitive* dimensions, so they cannot be confused with anything else::

      drugunit        !                 # pharmacy/international "unit"
      drugmilliunit   0.001 drugunit    # "milliunits"
      drugmeq         !                 # milliequivalent ("mEq")

  ``mmol`` maps to GNU units' own ``millimol`` (mol is already a primitive there).
* Ambiguous clinical spellings are always translated to explicit GNU names:
  ``h``/``hr``/``hour(s)`` -> ``hour`` (GNU ``h`` is Planck's constant!),
  ``min``/``minute(s)`` -> ``minute``, ``day`` -> ``day``, ``mcg`` -> ``microgram``,
  ``ng`` -> ``nanogram``, ``mg`` -> ``milligram``, ``g`` -> ``gram``,
  ``kg``/``kilogram`` and bare weights -> ``kilogram``, ``lb`` -> ``pound``
  (0.45359237 kg exactly in definitions.units), ``mL`` -> ``milliliter``.
* Concentrations: ``500 mg/250 mL``, ``500 mg in 250 mL`` and ``4 mg/250mL`` become
  ``((500 * milligram) / (250 * milliliter))``; ``10 mg/mL`` becomes
  ``((10 * milligram) / milliliter)``; percent w/v ``X%`` / ``X %`` becomes
  ``((X * gram) / (100 * milliliter))``.
* The environment is pinned (``LC_ALL=C``; ``UNITSFILE``/``MYUNITSFILE`` removed) so the
  standard definitions file and ``.`` as decimal point are used.

Fields written (one CSV row per case and field)
-----------------------------------------------
forward: per_minute, per_hour, per_day, and with a concentration pump_rate (mL/h) and
volume_per_day (mL/day).  reverse (dose is a volume rate in mL/...): dose_rate (in the
requested dose_unit) and per_hour.
"""

from __future__ import annotations

import argparse
import csv
import io
import itertools
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "tests" / "data" / "oracle.csv"
SEED = 20240607
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

UNITS_DEFS = """\
# Extra primitive dimensions for the infuse-calc oracle (see tools/make_oracle.py).
drugunit        !
drugmilliunit   0.001 drugunit
drugmeq         !
"""

# --------------------------------------------------------------------------------------
# Grammar (user strings) and translation to GNU units names
# --------------------------------------------------------------------------------------

NUM = r"(?:0|[1-9][0-9]*)(?:\.[0-9]*[1-9])?"

# amount word -> (kind, GNU units name)
AMOUNT: dict[str, tuple[str, str]] = {
    "mcg": ("mass", "microgram"),
    "microgram": ("mass", "microgram"),
    "micrograms": ("mass", "microgram"),
    "ng": ("mass", "nanogram"),
    "nanogram": ("mass", "nanogram"),
    "nanograms": ("mass", "nanogram"),
    "mg": ("mass", "milligram"),
    "milligram": ("mass", "milligram"),
    "milligrams": ("mass", "milligram"),
    "g": ("mass", "gram"),
    "gram": ("mass", "gram"),
    "grams": ("mass", "gram"),
    "units": ("units", "drugunit"),
    "unit": ("units", "drugunit"),
    "milliunits": ("units", "drugmilliunit"),
    "mmol": ("mmol", "millimol"),
    "mEq": ("mEq", "drugmeq"),
}
TIME: dict[str, str] = {
    "min": "minute",
    "minute": "minute",
    "minutes": "minute",
    "h": "hour",
    "hr": "hour",
    "hour": "hour",
    "hours": "hour",
    "day": "day",
}
PER_KG = {"kg": "kilogram", "kilogram": "kilogram"}
WEIGHT_UNIT = {"": "kilogram", "kg": "kilogram", "lb": "pound", "g": "gram"}
# Spellings allowed in expected_unit / dose_unit (a subset of the above plus mL).
CANON_AMOUNT = {"mcg", "ng", "mg", "g", "units", "milliunits", "mmol", "mEq"}
CANON_TIME = {"min", "h", "day"}

_AMT = "|".join(sorted(AMOUNT, key=len, reverse=True))
_TIME = "|".join(sorted(TIME, key=len, reverse=True))
RE_DOSE = re.compile(rf"^({NUM}) ({_AMT})/(?:(kg|kilogram)/)?({_TIME})$")
RE_VOLUME_RATE = re.compile(rf"^({NUM}) mL/(h|hr|hour|min|day)$")
RE_WEIGHT = re.compile(rf"^({NUM})(?: (kg|lb|g))?$")
RE_CONC_PERCENT = re.compile(rf"^({NUM}) ?%$")
RE_CONC_PER_ML = re.compile(rf"^({NUM}) ({_AMT})/mL$")
RE_CONC_OVER = re.compile(rf"^({NUM}) ({_AMT})(?:/| in )({NUM}) ?mL$")
RE_UNIT = re.compile(r"^([A-Za-z]+)/(?:(kg)/)?([A-Za-z]+)$")


def positive(num: str) -> str:
    if re.fullmatch(r"0(?:\.0*)?", num):
        raise ValueError(f"number must be > 0: {num!r}")
    return num


@dataclass(frozen=True)
class Rate:
    """A parsed dose or dose unit: GNU expression, amount kind, per-kg flag."""

    expr: str
    kind: str
    per_kg: bool
    amount: str  # the user's amount word


def parse_dose(text: str) -> Rate:
    m = RE_DOSE.match(text)
    if not m:
        raise ValueError(f"bad dose {text!r}")
    num, amount, kg, time = m.groups()
    kind, gnu_amount = AMOUNT[amount]
    parts = [f"({positive(num)} * {gnu_amount})"]
    if kg:
        parts.append(PER_KG[kg])
    parts.append(TIME[time])
    return Rate("(" + " / ".join(parts) + ")", kind, bool(kg), amount)


def parse_volume_rate(text: str) -> str:
    m = RE_VOLUME_RATE.match(text)
    if not m:
        raise ValueError(f"bad volume rate {text!r}")
    num, time = m.groups()
    return f"(({positive(num)} * milliliter) / {TIME[time]})"


def parse_weight(text: str) -> str:
    m = RE_WEIGHT.match(text)
    if not m:
        raise ValueError(f"bad weight {text!r}")
    num, unit = m.groups()
    return f"({positive(num)} * {WEIGHT_UNIT[unit or '']})"


def parse_concentration(text: str) -> tuple[str, str]:
    """Return (GNU expression, amount kind)."""
    if m := RE_CONC_PERCENT.match(text):
        return f"(({positive(m.group(1))} * gram) / (100 * milliliter))", "mass"
    if m := RE_CONC_PER_ML.match(text):
        kind, gnu = AMOUNT[m.group(2)]
        return f"(({positive(m.group(1))} * {gnu}) / milliliter)", kind
    if m := RE_CONC_OVER.match(text):
        kind, gnu = AMOUNT[m.group(2)]
        return f"(({positive(m.group(1))} * {gnu}) / ({positive(m.group(3))} * milliliter))", kind
    raise ValueError(f"bad concentration {text!r}")


def gnu_unit(unit: str) -> tuple[str, str, bool]:
    """Translate an expected_unit / dose_unit like ``mcg/kg/min`` or ``mL/h``.

    Returns (GNU units target, kind, per_kg).
    """
    m = RE_UNIT.match(unit)
    if not m:
        raise ValueError(f"bad unit {unit!r}")
    amount, kg, time = m.groups()
    if time not in CANON_TIME:
        raise ValueError(f"non-canonical time in {unit!r}")
    if amount == "mL":
        gnu, kind = "milliliter", "volume"
    elif amount in CANON_AMOUNT:
        kind, gnu = AMOUNT[amount]
    else:
        raise ValueError(f"non-canonical amount in {unit!r}")
    parts = [gnu] + (["kilogram"] if kg else []) + [TIME[time]]
    return "/".join(parts), kind, bool(kg)


# --------------------------------------------------------------------------------------
# GNU units
# --------------------------------------------------------------------------------------


class GnuUnits:
    def __init__(self, defs_file: Path) -> None:
        exe = os.environ.get("UNITS") or shutil.which("units") or "/usr/bin/units"
        self.cmd = [exe, "-f", "", "-f", str(defs_file), "-t", "-o", "%.17g"]
        env = {k: v for k, v in os.environ.items() if k not in ("UNITSFILE", "MYUNITSFILE")}
        env["LC_ALL"] = "C"
        self.env = env
        version = subprocess.run(
            [exe, "-V", "-t"], capture_output=True, text=True, env=env, check=True
        ).stdout
        if "GNU Units" not in version:
            raise SystemExit(f"{exe} is not GNU units: {version!r}")
        self.cache: dict[tuple[str, str], str] = {}

    def convert(self, expr: str, target: str) -> str:
        """Value of ``expr`` in ``target`` as the shortest round-trip decimal string."""
        key = (expr, target)
        if key not in self.cache:
            proc = subprocess.run(
                [*self.cmd, expr, target], capture_output=True, text=True, env=self.env
            )
            out = proc.stdout.strip()
            if proc.returncode != 0 or not re.fullmatch(r"[0-9.e+-]+", out):
                raise RuntimeError(
                    f"units failed for {expr!r} -> {target!r}: {out!r} {proc.stderr!r}"
                )
            # Lossless re-print of the double that units printed with %.17g.
            self.cache[key] = repr(float(out))
        return self.cache[key]


# --------------------------------------------------------------------------------------
# Case tables
# --------------------------------------------------------------------------------------

WEIGHTS: dict[str, list[str]] = {
    "adult": [
        "45", "52.5", "60", "68", "70", "72", "75.3", "80", "85", "92", "100", "115",
        "130", "150", "175", "200",
        "48 kg", "55 kg", "63.5 kg", "70 kg", "78 kg", "84.2 kg", "90 kg", "105 kg",
        "120 kg", "140 kg", "185 kg",
        "110 lb", "132 lb", "154 lb", "165.5 lb", "180 lb", "198 lb", "220 lb", "250 lb",
        "300 lb", "350 lb", "440 lb",
    ],
    "peds": [
        "3.5", "5", "7.2", "10", "12.5", "15", "18", "22", "27", "33", "40",
        "4 kg", "6.5 kg", "9 kg", "11.3 kg", "16 kg", "21 kg", "30 kg", "38 kg",
        "15 lb", "22 lb", "33 lb", "44 lb", "66 lb", "88 lb",
    ],
    "neo": [
        "500 g", "650 g", "850 g", "1000 g", "1250 g", "1500 g", "1870 g", "2200 g",
        "2750 g", "3400 g", "4000 g",
        "0.5", "0.75", "0.9", "1.2", "2.5", "3.1", "0.8 kg", "1.6 kg", "3.3 kg",
    ],
}  # fmt: skip


@dataclass(frozen=True)
class Drug:
    name: str
    unit: str  # canonical dose unit, e.g. "mcg/kg/min"
    doses: tuple[str, ...]  # numbers
    concs: tuple[str, ...]  # concentration strings
    pops: tuple[str, ...]  # weight pools
    n: int  # number of forward cases


def drug(name: str, unit: str, doses: str, concs: list[str], pops: str, n: int) -> Drug:
    return Drug(name, unit, tuple(doses.split()), tuple(concs), tuple(pops.split()), n)


FORWARD: list[Drug] = [
    # ---- mass, per kg per minute
    drug("dopamine", "mcg/kg/min", "2 3 5 7.5 10 12 15 20",
         ["400 mg/250 mL", "800 mg in 250 mL", "1.6 mg/mL", "3200 mcg/mL", "400 mg/250mL"],
         "adult adult peds", 12),
    drug("dobutamine", "mcg/kg/min", "2.5 5 7.5 10 15 20",
         ["250 mg/250 mL", "500 mg in 250 mL", "1 mg/mL", "4 mg/mL"], "adult peds", 10),
    drug("norepinephrine", "mcg/kg/min", "0.01 0.02 0.05 0.08 0.1 0.15 0.2 0.3 0.5 0.75 1",
         ["4 mg/250mL", "8 mg/250 mL", "16 mcg/mL", "64 mcg/mL", "4 mg in 250 mL"],
         "adult", 14),
    drug("epinephrine", "mcg/kg/min", "0.01 0.02 0.05 0.1 0.2 0.3 0.5",
         ["1 mg/100 mL", "4 mg/250mL", "10 mcg/mL", "20 mcg/mL"], "adult peds", 10),
    drug("ketamine", "mcg/kg/min", "1 2 5 7 10 15 20",
         ["10 mg/mL", "500 mg/500 mL", "1 mg/mL"], "adult", 8),
    drug("propofol", "mcg/kg/min", "5 10 25 50 75 80",
         ["1%", "10 mg/mL", "2 %", "1 %", "2%"], "adult", 10),
    drug("milrinone", "mcg/kg/min", "0.125 0.25 0.375 0.5 0.75",
         ["20 mg/100 mL", "200 mcg/mL", "40 mg in 200 mL"], "adult peds", 8),
    drug("nitroprusside", "mcg/kg/min", "0.3 0.5 1 2 3 5 10",
         ["50 mg/250 mL", "200 mcg/mL", "100 mg in 500 mL"], "adult peds", 8),
    drug("remifentanil", "mcg/kg/min", "0.05 0.1 0.15 0.25 0.5",
         ["50 mcg/mL", "1 mg/20 mL", "2 mg in 100 mL"], "adult", 6),
    drug("esmolol", "mcg/kg/min", "50 100 150 200 300",
         ["10 mg/mL", "2500 mg/250 mL", "20 mg/mL"], "adult", 6),
    drug("cisatracurium", "mcg/kg/min", "1 1.5 2 3", ["2 mg/mL", "200 mg/100 mL"], "adult", 5),
    drug("rocuronium", "mcg/kg/min", "5 8 10 12", ["10 mg/mL", "500 mg/100 mL"], "adult", 5),
    drug("alprostadil", "mcg/kg/min", "0.01 0.025 0.05 0.1",
         ["10 mcg/mL", "500 mcg in 50 mL", "5 mcg/mL"], "neo", 6),
    drug("epoprostenol", "ng/kg/min", "2 4 8 10 15 20 30 40",
         ["10 mcg/mL", "15 mcg/mL", "1.5 mg in 100 mL", "0.03 mg/mL"], "adult", 10),
    drug("treprostinil", "ng/kg/min", "1.25 2.5 5 10 20 40 80",
         ["20 mcg/mL", "0.04 mg/mL", "10 mcg/mL"], "adult", 7),
    # ---- mass, per kg per hour / per day
    drug("dexmedetomidine", "mcg/kg/h", "0.2 0.4 0.7 1 1.2 1.5",
         ["4 mcg/mL", "400 mcg/100 mL", "200 mcg in 50 mL", "8 mcg/mL"], "adult peds", 8),
    drug("fentanyl", "mcg/kg/h", "0.5 1 1.5 2 3",
         ["10 mcg/mL", "50 mcg/mL", "2500 mcg/250 mL", "1000 mcg in 100 mL"],
         "adult peds", 10),
    drug("morphine", "mcg/kg/h", "10 20 30 40",
         ["1 mg/mL", "100 mcg/mL", "50 mg/50 mL"], "neo peds", 6),
    drug("midazolam", "mg/kg/h", "0.02 0.05 0.1 0.2",
         ["1 mg/mL", "50 mg/50 mL", "100 mg in 100 mL", "5 mg/mL"], "adult peds", 8),
    drug("furosemide", "mg/kg/h", "0.1 0.2 0.4", ["10 mg/mL", "100 mg in 100 mL"],
         "adult peds", 5),
    drug("acetylcysteine", "mg/kg/h", "6.25 12.5",
         ["7500 mg/1000 mL", "15000 mg in 1000 mL"], "adult", 4),
    drug("aminophylline", "mg/kg/h", "0.5 0.7 0.9", ["1 mg/mL", "500 mg/500 mL"], "adult", 4),
    drug("vancomycin", "mg/kg/day", "30 40 60", ["5 mg/mL", "2000 mg/500 mL"], "adult", 5),
    # ---- mass, absolute
    drug("nitroglycerin", "mcg/min", "5 10 20 50 100 150 200",
         ["50 mg/250 mL", "200 mcg/mL", "100 mg in 250 mL", "25 mg/250mL"], "adult", 9),
    drug("phenylephrine", "mcg/min", "10 25 50 100 150 200",
         ["10 mg/250 mL", "40 mcg/mL", "20 mg in 250 mL", "100 mcg/mL"], "adult", 8),
    drug("norepinephrine", "mcg/min", "2 4 8 12 20 30", ["4 mg/250 mL", "16 mcg/mL"],
         "adult", 6),
    drug("lidocaine", "mg/min", "1 2 3 4", ["0.4 %", "4 mg/mL", "1%", "0.5 %", "2000 mg/500 mL"],
         "adult", 6),
    drug("amiodarone", "mg/min", "0.5 1", ["1.8 mg/mL", "900 mg/500 mL", "450 mg in 250 mL"],
         "adult", 5),
    drug("diltiazem", "mg/h", "5 10 15", ["125 mg/125 mL", "1 mg/mL"], "adult", 4),
    drug("nicardipine", "mg/h", "2.5 5 7.5 10 15",
         ["0.1 mg/mL", "25 mg/250 mL", "40 mg in 200 mL", "0.2 mg/mL"], "adult", 6),
    drug("clevidipine", "mg/h", "1 2 4 8 16 21", ["0.5 mg/mL", "25 mg/50 mL"], "adult", 5),
    drug("morphine", "mg/h", "1 2 4 5", ["1 mg/mL", "100 mg/100 mL"], "adult", 4),
    drug("fentanyl", "mcg/h", "25 50 100 150 200",
         ["10 mcg/mL", "2500 mcg/250 mL", "50 mcg/mL"], "adult", 5),
    drug("magnesium", "g/h", "1 1.5 2 3", ["4%", "40 mg/mL", "8 %", "20000 mg/500 mL"],
         "adult", 6),
    drug("cefepime", "g/day", "3 4 6", ["20 mg/mL", "6000 mg/240 mL"], "adult", 4),
    # ---- pharmacy units
    drug("heparin", "units/kg/h", "10 12 15 18 20 25",
         ["25000 units/250 mL", "100 units/mL", "25000 units in 500 mL", "50 units/mL",
          "25000 units/500mL"], "adult adult peds", 12),
    drug("heparin", "units/h", "500 800 1000 1200 1500 2000",
         ["25000 units/250 mL", "100 units/mL"], "adult", 6),
    drug("insulin", "units/kg/h", "0.05 0.1 0.14",
         ["100 units/100 mL", "1 units/mL", "50 units in 50 mL"], "adult peds", 8),
    drug("insulin", "units/h", "1 2 3.5 5 8 10",
         ["40 units/100 mL", "1 units/mL", "100 units in 100 mL"], "adult", 6),
    drug("vasopressin", "units/min", "0.01 0.02 0.03 0.04",
         ["20 units/100 mL", "0.2 units/mL", "40 units/100 mL", "20 units in 100 mL"],
         "adult", 6),
    drug("vasopressin", "units/kg/min", "0.0003 0.0005 0.001 0.002",
         ["20 units/100 mL", "0.2 units/mL"], "peds", 4),
    drug("vasopressin", "units/h", "1.2 2.4", ["20 units/100 mL"], "adult", 3),
    # ---- milliunits (same kind as units)
    drug("oxytocin", "milliunits/min", "1 2 4 6 10 12 16 20",
         ["30 units/500 mL", "10 units in 1000 mL", "20 units/1000 mL", "0.03 units/mL"],
         "adult", 10),
    drug("vasopressin", "milliunits/kg/min", "0.3 0.5 1 2",
         ["20 units/100 mL", "0.2 units/mL"], "peds", 5),
    drug("vasopressin", "milliunits/kg/h", "18 30 60 120", ["20 units/100 mL"], "peds", 3),
    # ---- mmol
    drug("potassium", "mmol/h", "5 10 15 20",
         ["40 mmol/1000 mL", "10 mmol/100 mL", "20 mmol in 100 mL", "0.2 mmol/mL"],
         "adult", 8),
    drug("potassium", "mmol/kg/h", "0.1 0.25 0.5", ["20 mmol/100 mL", "10 mmol/50mL"],
         "peds", 4),
    drug("phosphate", "mmol/kg/h", "0.02 0.05", ["1 mmol/mL", "30 mmol/250 mL"], "adult", 4),
    drug("magnesium", "mmol/h", "2.5 5", ["20 mmol/100 mL"], "adult", 3),
    drug("sodium", "mmol/kg/day", "2 3 4", ["154 mmol/1000 mL", "77 mmol in 500 mL"],
         "adult peds", 4),
    # ---- mEq
    drug("potassium chloride", "mEq/h", "10 20",
         ["20 mEq/100 mL", "40 mEq in 1000 mL", "10 mEq/50mL", "2 mEq/mL"], "adult", 6),
    drug("bicarbonate", "mEq/kg/h", "0.5 1",
         ["1 mEq/mL", "150 mEq/1000 mL", "75 mEq in 500 mL"], "adult peds", 6),
    drug("bicarbonate", "mEq/h", "50 100 150", ["150 mEq/1000 mL", "1 mEq/mL"], "adult", 4),
    drug("potassium", "mEq/kg/day", "1 2 3", ["20 mEq/1000 mL", "40 mEq/1000 mL"],
         "adult peds", 4),
    drug("calcium", "mEq/h", "1 2", ["0.465 mEq/mL"], "adult", 3),
]  # fmt: skip


@dataclass(frozen=True)
class Reverse:
    name: str
    dose_unit: str
    rates: tuple[str, ...]  # volume-rate strings; "h" means: cycle h/hr/hour
    concs: tuple[str, ...]
    pops: tuple[str, ...]


def rev(name: str, dose_unit: str, rates: str, concs: list[str], pops: str) -> Reverse:
    return Reverse(name, dose_unit, tuple(rates.split(",")), tuple(concs), tuple(pops.split()))


REVERSE: list[Reverse] = [
    rev("dopamine", "mcg/kg/min", "2.5 mL/h,5 mL/h,10.6 mL/h,15 mL/h,22.5 mL/h,30 mL/h",
        ["400 mg/250 mL", "1.6 mg/mL"], "adult"),
    rev("norepinephrine", "mcg/kg/min", "1 mL/h,3.5 mL/h,7.5 mL/h,12 mL/h,20 mL/h,0.3 mL/min",
        ["4 mg/250mL", "16 mcg/mL", "8 mg in 250 mL"], "adult"),
    rev("norepinephrine", "mcg/min", "5 mL/h,11.25 mL/h,30 mL/h,0.5 mL/min",
        ["4 mg/250 mL", "16 mcg/mL"], "adult"),
    rev("milrinone", "mcg/kg/min", "5 mL/h,10.5 mL/h,0.1 mL/min", ["200 mcg/mL"], "adult"),
    rev("propofol", "mcg/kg/min", "10 mL/h,20.5 mL/h,35 mL/h,4.2 mL/h,0.5 mL/min",
        ["1%", "10 mg/mL", "2 %"], "adult"),
    rev("epoprostenol", "ng/kg/min", "0.5 mL/h,1.2 mL/h,2.8 mL/h,3 mL/h",
        ["10 mcg/mL", "15 mcg/mL"], "adult"),
    rev("fentanyl", "mcg/kg/h", "1 mL/h,2.5 mL/h,7 mL/h,0.8 mL/h",
        ["10 mcg/mL", "2500 mcg/250 mL"], "adult"),
    rev("fentanyl", "mcg/h", "5 mL/h,7.5 mL/h", ["10 mcg/mL"], "adult"),
    rev("dexmedetomidine", "mcg/kg/h", "3.5 mL/h,10 mL/h,17.5 mL/h,1.1 mL/h",
        ["4 mcg/mL", "400 mcg/100 mL"], "adult peds"),
    rev("midazolam", "mg/kg/h", "2 mL/h,5 mL/h,10 mL/h,0.4 mL/h",
        ["1 mg/mL", "50 mg/50 mL"], "adult peds"),
    rev("furosemide", "mg/kg/h", "0.5 mL/h,2 mL/h,4 mL/h", ["10 mg/mL"], "adult"),
    rev("acetylcysteine", "mg/kg/h", "62.5 mL/h,125 mL/h", ["7500 mg/1000 mL"], "adult"),
    rev("vancomycin", "mg/kg/day", "500 mL/day,960 mL/day,1200 mL/day",
        ["5 mg/mL", "2000 mg/500 mL"], "adult"),
    rev("nitroglycerin", "mcg/min", "3 mL/h,15 mL/h,30 mL/h,60 mL/h",
        ["200 mcg/mL", "50 mg/250 mL"], "adult"),
    rev("lidocaine", "mg/min", "15 mL/h,30 mL/h,60 mL/h,0.5 mL/min",
        ["0.4 %", "4 mg/mL", "0.5 %"], "adult"),
    rev("amiodarone", "mg/min", "33.3 mL/h,16.7 mL/h,0.5 mL/min",
        ["1.8 mg/mL", "900 mg/500 mL"], "adult"),
    rev("nicardipine", "mg/h", "50 mL/h,100 mL/h,25 mL/h", ["0.1 mg/mL", "25 mg/250 mL"],
        "adult"),
    rev("magnesium", "g/h", "25 mL/h,50 mL/h,1 mL/min", ["4%", "40 mg/mL"], "adult"),
    rev("heparin", "units/kg/h", "8 mL/h,12.6 mL/h,15 mL/h,18 mL/h,0.2 mL/min,3.5 mL/h",
        ["25000 units/250 mL", "100 units/mL", "25000 units in 500 mL"], "adult adult peds"),
    rev("heparin", "units/h", "10 mL/h,12 mL/h,14 mL/h,0.25 mL/min",
        ["25000 units/250 mL", "100 units/mL"], "adult"),
    rev("insulin", "units/kg/h", "2 mL/h,5 mL/h,7.2 mL/h,0.9 mL/h",
        ["100 units/100 mL", "1 units/mL"], "adult peds"),
    rev("insulin", "units/h", "1.5 mL/h,3 mL/h,6 mL/h", ["100 units/100 mL", "1 units/mL"],
        "adult"),
    rev("vasopressin", "units/min", "6 mL/h,9 mL/h,4.5 mL/h,0.15 mL/min",
        ["20 units/100 mL", "0.2 units/mL", "40 units/100 mL"], "adult"),
    rev("oxytocin", "milliunits/min", "2 mL/h,4 mL/h,12 mL/h,18 mL/h,0.3 mL/min",
        ["30 units/500 mL", "10 units in 1000 mL", "20 units/1000 mL"], "adult"),
    rev("vasopressin", "milliunits/kg/min", "0.5 mL/h,1.2 mL/h,3 mL/h",
        ["20 units/100 mL", "0.2 units/mL"], "peds"),
    rev("potassium", "mmol/h", "50 mL/h,100 mL/h,150 mL/h,1 mL/min",
        ["10 mmol/100 mL", "40 mmol/1000 mL"], "adult"),
    rev("potassium", "mmol/kg/h", "2 mL/h,5 mL/h,10 mL/h", ["20 mmol/100 mL"], "peds"),
    rev("phosphate", "mmol/h", "1 mL/h,2.5 mL/h", ["1 mmol/mL"], "adult"),
    rev("sodium", "mmol/kg/day", "1200 mL/day,1800 mL/day", ["154 mmol/1000 mL"], "adult"),
    rev("potassium chloride", "mEq/h", "50 mL/h,5 mL/h,100 mL/h",
        ["20 mEq/100 mL", "2 mEq/mL", "20 mEq/100 mL"], "adult"),
    rev("bicarbonate", "mEq/kg/h", "35 mL/h,200 mL/h,70 mL/h",
        ["1 mEq/mL", "150 mEq/1000 mL"], "adult"),
    rev("bicarbonate", "mEq/h", "100 mL/h,150 mL/h", ["150 mEq/1000 mL"], "adult"),
    rev("potassium", "mEq/kg/day", "1500 mL/day,2000 mL/day", ["20 mEq/1000 mL"], "adult"),
]  # fmt: skip

# Round-robin spelling variants (every spelling of the grammar is used).
AMOUNT_SPELLINGS = {
    "mcg": ["mcg", "microgram", "mcg", "micrograms"],
    "ng": ["ng", "nanogram", "nanograms"],
    "mg": ["mg", "milligram", "mg", "milligrams"],
    "g": ["g", "gram", "grams"],
    "units": ["units", "units", "unit"],
    "milliunits": ["milliunits"],
    "mmol": ["mmol"],
    "mEq": ["mEq"],
}
TIME_SPELLINGS = {
    "min": ["min", "minute", "min", "minutes"],
    "h": ["h", "hr", "hour", "h", "hours"],
    "day": ["day"],
}
KG_SPELLINGS = ["kg", "kg", "kilogram"]
VOLUME_TIME_SPELLINGS = ["h", "hr", "hour"]

# Fixed expected units per amount (forward: per_minute, per_hour, per_day).
FORWARD_UNITS = {
    "mcg": ("mcg/min", "mg/h", "mg/day"),
    "mg": ("mcg/min", "mg/h", "mg/day"),
    "ng": ("ng/min", "mcg/h", "mg/day"),
    "g": ("mg/min", "g/h", "g/day"),
    "units": ("units/min", "units/h", "units/day"),
    "milliunits": ("milliunits/min", "milliunits/h", "units/day"),
    "mmol": ("mmol/min", "mmol/h", "mmol/day"),
    "mEq": ("mEq/min", "mEq/h", "mEq/day"),
}
REVERSE_PER_HOUR = {
    "mcg": "mg/h",
    "mg": "mg/h",
    "ng": "mcg/h",
    "g": "g/h",
    "units": "units/h",
    "milliunits": "milliunits/h",
    "mmol": "mmol/h",
    "mEq": "mEq/h",
}


class Speller:
    def __init__(self) -> None:
        self.cycles: dict[str, Iterator[str]] = {}
        self.used: set[str] = set()

    def pick(self, key: str, options: list[str]) -> str:
        if key not in self.cycles:
            self.cycles[key] = itertools.cycle(options)
        choice = next(self.cycles[key])
        self.used.add(choice)
        return choice

    def dose(self, number: str, canon_unit: str) -> str:
        amount, *kg, time = canon_unit.split("/")
        words = [self.pick("amt:" + amount, AMOUNT_SPELLINGS[amount])]
        if kg:
            words.append(self.pick("kg", KG_SPELLINGS))
        words.append(self.pick("time:" + time, TIME_SPELLINGS[time]))
        return f"{number} " + "/".join(words)

    def volume_rate(self, rate: str) -> str:
        number, unit = rate.split(" ")
        if unit == "mL/h":
            unit = "mL/" + self.pick("vol", VOLUME_TIME_SPELLINGS)
        self.used.add(unit)
        return f"{number} {unit}"


# --------------------------------------------------------------------------------------
# Case generation
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    id: str
    direction: str
    dose: str
    weight: str
    concentration: str
    dose_unit: str
    fields: tuple[tuple[str, str], ...]  # (field, expected_unit)


def build_cases() -> list[Case]:
    rng = random.Random(SEED)
    speller = Speller()
    cases: list[Case] = []

    def forward_fields(amount: str, has_conc: bool) -> tuple[tuple[str, str], ...]:
        per_min, per_h, per_day = FORWARD_UNITS[amount]
        fields = [("per_minute", per_min), ("per_hour", per_h), ("per_day", per_day)]
        if has_conc:
            fields += [("pump_rate", "mL/h"), ("volume_per_day", "mL/day")]
        return tuple(fields)

    # The seed cases from the specification come first.
    cases.append(
        Case("F001-ketamine-seed", "forward", "7 mcg/kg/min", "72", "10 mg/mL", "",
             forward_fields("mcg", True))
    )  # fmt: skip
    n = 1
    for d in FORWARD:
        amount = d.unit.split("/")[0]
        per_kg = "/kg/" in d.unit
        doses = list(d.doses)
        rng.shuffle(doses)
        for i in range(d.n):
            n += 1
            number = doses[i % len(doses)]
            weight = rng.choice(WEIGHTS[rng.choice(d.pops)])
            # Absolute doses: about a third of the cases omit the weight.
            if not per_kg and rng.random() < 0.35:
                weight = ""
            # About one case in six has no concentration (dose conversion only).
            conc = "" if rng.random() < 0.17 else d.concs[i % len(d.concs)]
            cases.append(
                Case(f"F{n:03d}-{d.name.replace(' ', '-')}", "forward",
                     speller.dose(number, d.unit), weight, conc, "",
                     forward_fields(amount, bool(conc)))
            )  # fmt: skip

    cases.append(
        Case("R001-ketamine-seed", "reverse", "3.024 mL/h", "72", "10 mg/mL", "mcg/kg/min",
             (("dose_rate", "mcg/kg/min"), ("per_hour", "mg/h")))
    )  # fmt: skip
    n = 1
    for r in REVERSE:
        amount = r.dose_unit.split("/")[0]
        per_kg = "/kg/" in r.dose_unit
        for i, rate in enumerate(r.rates):
            n += 1
            weight = rng.choice(WEIGHTS[rng.choice(r.pops)])
            if not per_kg and rng.random() < 0.5:
                weight = ""
            cases.append(
                Case(f"R{n:03d}-{r.name.replace(' ', '-')}", "reverse",
                     speller.volume_rate(rate), weight, r.concs[i % len(r.concs)],
                     r.dose_unit,
                     (("dose_rate", r.dose_unit), ("per_hour", REVERSE_PER_HOUR[amount])))
            )  # fmt: skip

    every_spelling = (
        {s for v in AMOUNT_SPELLINGS.values() for s in v}
        | {s for v in TIME_SPELLINGS.values() for s in v}
        | set(KG_SPELLINGS)
        | {"mL/" + s for s in VOLUME_TIME_SPELLINGS}
        | {"mL/min", "mL/day"}
    )
    missing = every_spelling - speller.used
    if missing:
        raise SystemExit(f"spellings never used: {sorted(missing)}")
    return cases


def expected_rows(case: Case, gnu: GnuUnits) -> list[list[str]]:
    """Translate one case to GNU units expressions and compute its expected values."""
    weight = parse_weight(case.weight) if case.weight else None
    conc, conc_kind = parse_concentration(case.concentration) if case.concentration else ("", "")
    if weight is not None:
        kg = float(gnu.convert(weight, "kilogram"))  # range sanity check only
        if not 0.5 <= kg <= 200:
            raise SystemExit(f"{case.id}: weight {case.weight!r} out of range")

    if case.direction == "forward":
        rate = parse_dose(case.dose)
        if rate.per_kg:
            if weight is None:
                raise SystemExit(f"{case.id}: weight-based dose without weight")
            amount_rate = f"({rate.expr} * {weight})"
        else:
            amount_rate = rate.expr
        kind = rate.kind
    else:
        if not conc:
            raise SystemExit(f"{case.id}: reverse case without concentration")
        amount_rate = f"({parse_volume_rate(case.dose)} * {conc})"
        _, kind, per_kg = gnu_unit(case.dose_unit)
        if per_kg and weight is None:
            raise SystemExit(f"{case.id}: per-kg dose unit without weight")
    if conc and conc_kind != kind:
        raise SystemExit(f"{case.id}: concentration kind {conc_kind} != dose kind {kind}")

    rows = []
    for field, unit in case.fields:
        target, target_kind, target_per_kg = gnu_unit(unit)
        if field in ("pump_rate", "volume_per_day"):
            expr = f"({amount_rate} / {conc})"
        elif field == "dose_rate" and target_per_kg:
            assert weight is not None
            expr = f"({amount_rate} / {weight})"
        else:
            expr = amount_rate
        if target_kind not in (kind, "volume"):
            raise SystemExit(f"{case.id}: {field} unit {unit} does not match kind {kind}")
        value = gnu.convert(expr, target)
        if field == "pump_rate" and not 0.01 <= float(value) <= 1000:
            raise SystemExit(f"{case.id}: implausible pump rate {value} mL/h")
        rows.append(
            [case.id, case.direction, case.dose, case.weight, case.concentration,
             case.dose_unit, field, value, unit]
        )  # fmt: skip
    return rows


def render(gnu: GnuUnits) -> str:
    cases = build_cases()
    ids = [c.id for c in cases]
    if len(set(ids)) != len(ids):
        raise SystemExit("duplicate case ids")
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(COLUMNS)
    for case in cases:
        writer.writerows(expected_rows(case, gnu))
    return buf.getvalue()


def self_check(gnu: GnuUnits) -> None:
    """Guard against a units binary or definitions that print too few digits."""
    probe = gnu.convert("((7 * microgram / kilogram / minute) * (72 * kilogram))", "milligram/day")
    if probe != "725.76":
        raise SystemExit(f"units self-check failed: 7 mcg/kg/min * 72 kg = {probe} mg/day")
    if gnu.convert("(1 * pound)", "kilogram") != "0.45359237":
        raise SystemExit("units self-check failed: pound is not 0.45359237 kg")
    if gnu.convert("(1 * hour)", "minute") != "60.0":
        raise SystemExit("units self-check failed: hour is not 60 minutes")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        defs = Path(tmp) / "oracle.units"
        defs.write_text(UNITS_DEFS, encoding="utf-8")
        gnu = GnuUnits(defs)
        self_check(gnu)
        text = render(gnu)
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != text:
            print(f"{args.output} is out of date", file=sys.stderr)
            return 1
        print(f"{args.output} is up to date")
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8", newline="\n")
    n_cases = len({line.split(",", 1)[0] for line in text.splitlines()[1:]})
    print(f"wrote {args.output} ({n_cases} cases, {text.count(chr(10)) - 1} rows)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
