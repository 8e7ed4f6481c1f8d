"""The floor for ``infuse-calc batch`` throughput: the least a script could do with the file.

Reads the same CSV with the csv module, splits each number from its unit, multiplies by
hard-coded float factors (no parsing grammar, no exactness, no checks) and writes CSV. It
knows only the spellings ``benchmarks/run.py`` generates.

    python benchmarks/baseline.py orders.csv results.csv
"""

from __future__ import annotations

import csv
import sys

# dose spelling -> (factor to "base amount per minute", per kg); base: mcg, units, mmol, mEq, mL
DOSE = {
    "mcg/kg/min": (1.0, True),
    "mcg/kg/minute": (1.0, True),
    "micrograms/kg/min": (1.0, True),
    "mcg/kg/h": (1 / 60, True),
    "mg/kg/h": (1000 / 60, True),
    "mg/h": (1000 / 60, False),
    "mg/hr": (1000 / 60, False),
    "mcg/min": (1.0, False),
    "ng/kg/min": (0.001, True),
    "units/kg/h": (1 / 60, True),
    "units/h": (1 / 60, False),
    "milliunits/min": (0.001, False),
    "mmol/h": (1 / 60, False),
    "mEq/h": (1 / 60, False),
    "mL/h": (1 / 60, False),
}
WEIGHT = {"": 1.0, "kg": 1.0, "lb": 0.45359237}
# concentration text -> base amount per mL
CONCENTRATION = {
    "400 mg/250 mL": 1600.0,
    "800 mg/250 mL": 3200.0,
    "4 mg/250 mL": 16.0,
    "10 mg/mL": 10000.0,
    "500 mg/250 mL": 2000.0,
    "100 mg/100 mL": 1000.0,
    "250 mg/250 mL": 1000.0,
    "25000 units/250 mL": 100.0,
    "100 units/100 mL": 1.0,
    "30 units in 500 mL": 0.06,
    "1 mmol/mL": 1.0,
    "40 mEq/100 mL": 0.4,
    "1 mg/100 mL": 10.0,
    "200 mcg/50 mL": 4.0,
    # the bags of run.py's warning orders (pump rates that round to 0 or far off, or > 999)
    "40 mg/mL": 40000.0,
    "100 units/mL": 100.0,
    "1 mg/mL": 1000.0,
    "200 mcg/mL": 200.0,
}


def main(argv: list[str]) -> int:
    source, target = argv[1], argv[2]
    with (
        open(source, newline="", encoding="utf-8") as infile,
        open(target, "w", newline="", encoding="utf-8") as outfile,
    ):
        reader = csv.reader(infile)
        writer = csv.writer(outfile, lineterminator="\n")
        header = next(reader)
        writer.writerow([*header, "per_minute", "per_hour", "per_day", "pump_rate", "error"])
        for row in reader:
            try:
                number, unit = row[1].split(" ", 1)
                factor, per_kg = DOSE[unit]
                rate = float(number) * factor
                if per_kg:
                    value, _, weight_unit = row[2].partition(" ")
                    rate *= float(value) * WEIGHT[weight_unit]
                per_hour = rate * 60
                pump = per_hour / CONCENTRATION[row[3]] if row[3] else 0.0
                writer.writerow([*row, rate, per_hour, per_hour * 24, pump, ""])
            except (ValueError, KeyError) as error:
                writer.writerow([*row, "", "", "", "", str(error)])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
