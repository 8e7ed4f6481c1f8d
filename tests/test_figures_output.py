"""How figures are shown: the clearest unit for people, one unit per field for machines
(issue 16 items 4 and 5), and orders shown back as they were read (issue 13: vehicles,
ratio strengths, textbook pounds).

Every expected figure is worked by hand in the comments.
"""

from __future__ import annotations

import csv
import io
import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from infuse_calc.batch import BatchOptions, process
from infuse_calc.dosing import Measure, calculate
from infuse_calc.quantities import parse_concentration, parse_dose, parse_weight


def rows_of(output: str) -> dict[str, str]:
    """Plain convert output as {label: value}."""
    found = {}
    for line in output.splitlines():
        label, _, value = line.partition("  ")
        if value:
            found[label.strip()] = value.strip()
    return found


def shown(dose: str, weight: str | None = None, conc: str | None = None) -> Any:
    return calculate(
        parse_dose(dose),
        None if weight is None else parse_weight(weight),
        None if conc is None else parse_concentration(conc),
    )


# --- item 5: human output reads as a plain number -------------------------------------------


def test_a_gram_rate_per_minute_in_mg() -> None:
    # 2 g/h / 60 = 0.033333 g/min = 33.333 mg/min (was 0.033333 g/min: never below the unit
    # typed)
    calc = shown("2 g/h")
    assert calc.per_minute == Measure(Fraction(2000, 60), "mg/min")
    assert calc.per_hour == Measure(Fraction(2), "g/h")
    # machine output: mg, whatever was typed
    assert calc.record()["per_minute"] == Measure(Fraction(2000, 60), "mg/min")
    assert calc.record()["per_hour"] == Measure(Fraction(2000), "mg/h")


def test_a_units_rate_in_milliunits() -> None:
    # 6 mL/h x 30 units/500 mL = 0.36 units/h; / 60 = 0.006 units/min = 6 milliunits/min
    calc = shown("6 mL/h", conc="30 units/500 mL")
    assert calc.per_minute == Measure(Fraction(6), "milliunits/min")
    assert calc.record()["per_minute"] == Measure(Fraction(6, 1000), "units/min")


@pytest.mark.parametrize(
    ("conc", "expected"),
    [
        # 4 mg / 250 mL = 0.016 mg/mL: not a plain number in mg, 16 in mcg
        ("4 mg/250 mL", Measure(Fraction(16), "mcg/mL")),
        # 50 units / 250 mL = 0.2 units/mL: plain in the unit typed, stays (not 200 milliunits)
        ("50 units/250 mL", Measure(Fraction(1, 5), "units/mL")),
        # 1 mg / 2 mL = 0.5 mg/mL, as labels say it (not 500 mcg/mL)
        ("1 mg/2 mL", Measure(Fraction(1, 2), "mg/mL")),
        # 30 units / 500 mL = 0.06 units/mL: below 0.1, 60 milliunits/mL
        ("30 units/500 mL", Measure(Fraction(60), "milliunits/mL")),
        # 1 g / 10 mL... 2,000 mcg in 1 mL = 2 mg/mL: the largest unit in which it is >= 1
        ("2000 mcg/mL", Measure(Fraction(2), "mg/mL")),
        # 1:10,000 = 1 g / 10,000 mL = 0.1 mg/mL, ISMP's mg/mL form
        ("1:10,000", Measure(Fraction(1, 10), "mg/mL")),
        # 1% = 1 g / 100 mL = 10 mg/mL
        ("1%", Measure(Fraction(10), "mg/mL")),
    ],
)
def test_a_concentration_reads_as_a_plain_number(conc: str, expected: Measure) -> None:
    assert shown("1 mL/h", conc=conc).concentration_per_ml == expected


def test_machine_concentration_is_per_kind() -> None:
    # every mass concentration in mg/mL, every units one in units/mL
    assert shown("1 mL/h", conc="4 mg/250 mL").record()["concentration"] == Measure(
        Fraction(4, 250), "mg/mL"
    )
    assert shown("1 mL/h", conc="30 units/500 mL").record()["concentration"] == Measure(
        Fraction(30, 500), "units/mL"
    )


@pytest.mark.parametrize(
    ("rate", "weight", "conc", "delivers", "machine"),
    [
        # oxytocin: 6 mL/h x 30 units/500 mL = 0.36 units/h < 1 unit/h: 6 milliunits/min;
        # machine: 0.36 / 70 units/kg/h
        (
            "6 mL/h",
            "70",
            "30 units/500 mL",
            Measure(Fraction(6), "milliunits/min"),
            Measure(Fraction(36, 7000), "units/kg/h"),
        ),
        # heparin: 10 mL/h x 100 units/mL = 1,000 units/h; / 70 kg = 14.286 units/kg/h
        (
            "10 mL/h",
            "70",
            "25000 units/250 mL",
            Measure(Fraction(1000, 70), "units/kg/h"),
            Measure(Fraction(1000, 70), "units/kg/h"),
        ),
        # magnesium: 50 mL/h x 40 g/1,000 mL = 2 g/h >= 1 g/h: g/h; machine: 2,000,000 mcg/h
        # / 60 / 70 kg = 476.19 mcg/kg/min
        (
            "50 mL/h",
            "70",
            "40 g/1000 mL",
            Measure(Fraction(2), "g/h"),
            Measure(Fraction(2_000_000, 60 * 70), "mcg/kg/min"),
        ),
        # dexmedetomidine: 5 mL/h x 4 mcg/mL = 20 mcg/h; / 70 kg = 0.28571 mcg/kg/h
        # (0.0047619 mcg/kg/min, below 0.01): mcg/kg/h
        (
            "5 mL/h",
            "70",
            "400 mcg/100 mL",
            Measure(Fraction(20, 70), "mcg/kg/h"),
            Measure(Fraction(20, 60 * 70), "mcg/kg/min"),
        ),
        # norepinephrine: 30 mL/h x 16 mcg/mL = 480 mcg/h = 8 mcg/min; / 80 kg = 0.1
        (
            "30 mL/h",
            "80",
            "4 mg/250 mL",
            Measure(Fraction(1, 10), "mcg/kg/min"),
            Measure(Fraction(1, 10), "mcg/kg/min"),
        ),
        # without a weight: 8 mcg/min
        (
            "30 mL/h",
            None,
            "4 mg/250 mL",
            Measure(Fraction(8), "mcg/min"),
            Measure(Fraction(8), "mcg/min"),
        ),
    ],
)
def test_the_reverse_default_is_the_clinical_unit(
    rate: str, weight: str | None, conc: str, delivers: Measure, machine: Measure
) -> None:
    calc = shown(rate, weight, conc)
    assert calc.dose_rate == delivers
    # machine output keeps the fixed default of the kind, whatever the rate
    assert calc.record()["dose_rate"] == machine


LIBRARY = """
[library]
name = "test"

[drug.oxytocin]
dose_unit = "milliunits/min"
concentrations = ["30 units/500 mL"]

[drug.magnesium]
dose_unit = "g/h"
concentrations = ["40 g/1000 mL"]
"""


@pytest.mark.parametrize(
    ("drug", "rate", "row"),
    [
        # 12 mL/h x 0.06 units/mL = 0.72 units/h = 12 milliunits/min
        ("oxytocin", "12 mL/h", "Delivers        12 milliunits/min"),
        # 25 mL/h x 40 mg/mL = 1,000 mg/h = 1 g/h
        ("magnesium", "25 mL/h", "Delivers        1 g/h"),
    ],
)
def test_drug_gives_its_dosing_unit(
    run: Any, tmp_path: Path, drug: str, rate: str, row: str
) -> None:
    library = tmp_path / "library.toml"
    library.write_text(LIBRARY, encoding="utf-8")
    result = run("convert", rate, "-w", "70", "--drug", drug, "--library", str(library))
    assert result.exit_code == 0, result.stderr
    assert row in result.stdout.splitlines()


def test_dexmedetomidine_in_its_dosing_unit(run: Any) -> None:
    # built-in dexmedetomidine (400 mcg/100 mL = 4 mcg/mL): 10 mL/h = 40 mcg/h; / 70 kg
    result = run("convert", "10 mL/h", "-w", "70", "--drug", "dexmedetomidine")
    assert rows_of(result.stdout)["Delivers"] == "0.57143 mcg/kg/h"


# --- item 4: one unit per field, for the whole run ----------------------------------------


def test_titrate_per_hour_has_one_unit(run: Any) -> None:
    # 12, 16, 20 mcg/min x 60 = 720, 960, 1,200 mcg/h: was 720 mcg/h, 960 mcg/h, 1.2 mg/h
    result = run(
        "titrate", "--doses", "12,16,20", "--unit", "mcg/min", "-c", "4 mg/250 mL",
        "--format", "csv",
    )  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["per_hour_unit"] for r in rows] == ["mg/h"] * 3
    assert [r["per_hour_value"] for r in rows] == ["0.72", "0.96", "1.2"]
    assert {r["per_day_unit"] for r in rows} == {"mg/day"}
    document = json.loads(
        run(
            "titrate",
            "--doses",
            "12,16,20",
            "--unit",
            "mcg/min",
            "-c",
            "4 mg/250 mL",
            "--format",
            "json",
        ).stdout
    )
    assert [r["per_hour"] for r in document["rows"]] == [
        {"value": 0.72, "unit": "mg/h"},
        {"value": 0.96, "unit": "mg/h"},
        {"value": 1.2, "unit": "mg/h"},
    ]
    assert document["concentration"] == {"value": 0.016, "unit": "mg/mL"}


def test_batch_fields_have_one_unit_per_kind_whatever_was_typed() -> None:
    rows = [
        {"dose": "7 mcg/kg/min", "weight": "72", "concentration": "10 mg/mL"},
        {"dose": "2 g/h", "concentration": "40 g/1000 mL"},
        {"dose": "0.5 mg/kg/h", "weight": "80", "concentration": "500 mcg/mL"},
        {"dose": "18 units/kg/h", "weight": "80", "concentration": "25000 units/250 mL"},
        {"dose": "6 milliunits/min", "concentration": "30 units/500 mL"},
    ]
    records = list(process(rows))
    units = {name: [r[name] and r[name].unit for r in records] for name in ("per_minute",)}
    assert units["per_minute"] == ["mg/min", "mg/min", "mg/min", "units/min", "units/min"]
    assert [r["per_hour"].unit for r in records] == ["mg/h"] * 3 + ["units/h"] * 2
    assert [r["per_day"].unit for r in records] == ["mg/day"] * 3 + ["units/day"] * 2
    assert [r["result_concentration"].unit for r in records] == ["mg/mL"] * 3 + ["units/mL"] * 2
    # 2 g/h = 2,000 mg/h; 6 milliunits/min = 0.006 units/min; 500 mcg/mL = 0.5 mg/mL
    assert records[1]["per_hour"].value == 2000.0
    assert records[4]["per_minute"].value == 0.006
    assert records[2]["result_concentration"].value == 0.5


def test_schedule_machine_amounts_in_mg_and_header_in_the_clearest_unit(
    run: Any, tmp_path: Path
) -> None:
    course = tmp_path / "course.toml"
    course.write_text(
        'concentration = "4 mg/250 mL"\n'
        '[[segment]]\nday = 1\ntime = "08:00"\ndose = "8 mcg/min"\n'
        '[[segment]]\nat = "2h"\nstop = true\n',
        encoding="utf-8",
    )
    human = run("schedule", str(course), "--format", "plain", "--no-chart")
    assert human.exit_code == 0, human.stderr
    # 4 mg/250 mL = 16 mcg/mL (the header said 0.016 mg/mL)
    assert human.stdout.splitlines()[0].endswith("concentration 16 mcg/mL):")
    document = json.loads(run("schedule", str(course), "--format", "json").stdout)
    assert document["concentration"] == {"value": 0.016, "unit": "mg/mL"}
    (segment,) = document["segments"]
    # 8 mcg/min x 60 = 480 mcg/h = 0.48 mg/h; x 2 h = 960 mcg = 0.96 mg
    assert segment["rate"] == {"value": 0.48, "unit": "mg/h"}
    assert segment["amount"] == {"value": 0.96, "unit": "mg"}


# --- issue 13: shown back as read --------------------------------------------------------


def test_the_vehicle_is_echoed(run: Any) -> None:
    result = run("convert", "3 mcg/kg/min", "-w", "80", "-c", "400 mg in 250 mL of D5W")
    # 400 / 250 = 1.6 mg/mL
    assert rows_of(result.stdout)["Concentration"] == "400 mg in 250 mL D5W = 1.6 mg/mL"
    per_ml = run("convert", "3 mcg/kg/min", "-w", "80", "-c", "10 mg/mL in NS")
    assert rows_of(per_ml.stdout)["Concentration"] == "10 mg/mL NS"
    ns = ["convert", "3 mcg/kg/min", "-w", "80", "-c", "2.5 g in 250 mL 0.9% NS"]
    document = json.loads(run(*ns, "--format", "json").stdout)
    assert document["vehicle"] == "NS"
    table = run(
        "convert", "3 mcg/kg/min", "-w", "80", "-c", "250 mL D5W with 400 mg", "--format", "csv"
    )
    (row,) = csv.DictReader(io.StringIO(table.stdout))
    assert row["vehicle"] == "D5W"
    none = json.loads(run("convert", "3 mcg/kg/min", "-w", "80", "--format", "json").stdout)
    assert none["vehicle"] is None


def test_batch_gives_the_vehicle() -> None:
    (record,) = process([{"dose": "4 mg/h", "concentration": "800 mg/500 mL normal saline"}])
    assert record["vehicle"] == "NS"


def test_a_ratio_strength_is_shown_as_written(run: Any) -> None:
    result = run("convert", "1 mcg/min", "-c", "1:10,000")
    assert rows_of(result.stdout)["Concentration"] == "1:10,000 = 0.1 mg/mL"
    # (it was "1 g in 10,000 mL = 100 mcg/mL")


def test_textbook_pounds(run: Any) -> None:
    args = ["convert", "3 mcg/kg/min", "-w", "220 lb", "-c", "400 mg/250 mL"]
    exact = rows_of(run(*args).stdout)
    # 220 x 0.45359237 = 99.7903214 kg
    assert exact["Weight"] == "220 lb = 99.79 kg"
    course = run(*args, "--lb-per-kg", "2.2", "--explain")
    # 220 / 2.2 = 100 kg exactly; x 3 x 60 = 18 mg/h; / 1.6 = 11.25 mL/h
    assert rows_of(course.stdout)["Weight"] == "220 lb at 2.2 lb/kg = 100 kg"
    assert rows_of(course.stdout)["Exact rate"] == "11.25 mL/h (calculated: not a pump setting)"
    assert "  220 lb ÷ 2.2 lb/kg = 100 kg" in course.stdout.splitlines()
    document = json.loads(run(*args, "--lb-per-kg", "2.2", "--format", "json").stdout)
    assert document["weight_entered"] == {"value": 220.0, "unit": "lb"}
    assert document["weight"] == {"value": 100.0, "unit": "kg"}
    assert document["lb_per_kg"] == 2.2
    exact_document = json.loads(run(*args, "--format", "json").stdout)
    # the exact pound: 1 / 0.45359237 lb/kg
    assert exact_document["lb_per_kg"] == float(1 / Fraction("0.45359237"))


def test_textbook_pounds_refused_outside_the_range(run: Any) -> None:
    result = run("convert", "3 mcg/kg/min", "-w", "220 lb", "--lb-per-kg", "0.4536")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: Invalid value for '--lb-per-kg': '0.4536': must be")


def test_textbook_pounds_everywhere_a_weight_is_read(
    run: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 220 lb / 2.2 = 100 kg; 3 mcg/kg/min x 100 x 60 / 1,600 mcg/mL = 11.25 mL/h
    chart = run(
        "chart", "--doses", "3", "--unit", "mcg/kg/min", "--weights", "220 lb",
        "-c", "400 mg/250 mL", "--lb-per-kg", "2.2", "--format", "csv",
    )  # fmt: skip
    (row,) = csv.DictReader(io.StringIO(chart.stdout))
    assert row["weight_value"] == "100.0"
    assert row["dose_3_mcg/kg/min_pump_rate_mL/h"] == "11.25"
    orders = tmp_path / "orders.csv"
    orders.write_text("dose,weight,concentration\n3 mcg/kg/min,220 lb,400 mg/250 mL\n")
    batch = run("batch", str(orders), "--lb-per-kg", "2.2", "--format", "jsonl")
    record = json.loads(batch.stdout)
    assert (record["result_weight"], record["lb_per_kg"]) == ({"value": 100.0, "unit": "kg"}, 2.2)
    assert record["pump_rate"] == {"value": 11.25, "unit": "mL/h"}
    course = tmp_path / "course.toml"
    course.write_text(
        'weight = "220 lb"\n[[segment]]\nday = 1\ntime = "08:00"\ndose = "3 mcg/kg/min"\n'
        '[[segment]]\nat = "1h"\nstop = true\n',
        encoding="utf-8",
    )
    schedule = json.loads(
        run("schedule", str(course), "--lb-per-kg", "2.2", "--format", "json").stdout
    )
    assert schedule["weight"] == {"value": 100.0, "unit": "kg"}
    # a config setting, like any option
    config = tmp_path / "config.toml"
    config.write_text("[defaults]\nlb_per_kg = 2.2\n", encoding="utf-8")
    monkeypatch.setenv("INFUSE_CALC_CONFIG", str(config))
    titrate = run("titrate", "--doses", "3", "--unit", "mcg/kg/min", "-w", "220 lb")
    assert "220 lb at 2.2 lb/kg = 100 kg" in titrate.stdout.splitlines()[0]
    check = run("check", "3 mcg/kg/min", "--pump", "11.3 mL/h", "-w", "220 lb",
                "-c", "400 mg/250 mL", "--format", "json")  # fmt: skip
    assert json.loads(check.stdout)["match"] is True


def test_batch_and_convert_read_pounds_with_the_same_factor() -> None:
    options = BatchOptions(lb_per_kg=Fraction("2.2"))
    (record,) = process([{"dose": "1 mg/kg/h", "weight": "154 lb"}], options)
    # 154 / 2.2 = 70 kg exactly
    assert record["result_weight"] == (70.0, "kg")
    calc = calculate(parse_dose("1 mg/kg/h"), parse_weight("154 lb", Fraction("2.2")))
    assert calc.weight is not None
    assert calc.weight.kg == 70


def test_the_concentration_command_follows_the_same_rules(run: Any) -> None:
    # 50 units / 250 mL = 0.2 units/mL: shown in the unit typed (was 200 milliunits/mL)
    human = rows_of(run("concentration", "50 units", "250 mL").stdout)
    assert human["Concentration"] == "0.2 units/mL"
    document = json.loads(run("concentration", "4 mg", "250 mL", "--format", "json").stdout)
    # 4 / 250 = 0.016 mg/mL: machine output in mg/mL
    assert document["concentration"] == {"value": 0.016, "unit": "mg/mL"}
