"""Doses given over a time and boluses in schedule, chart, check and batch (issue 14).

Figures are worked by hand next to each assertion.
"""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from infuse_calc.formats.schedule_files import ScheduleFileError, parse
from infuse_calc.quantities import parse_concentration, parse_weight
from infuse_calc.schedule import ScheduleError, build_schedule
from tests.conftest import check_golden

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
F = Fraction


def course(text: str, weight: str | None = None, conc: str | None = None) -> Any:
    parsed = parse(text.encode(), "course.toml", "toml")
    return build_schedule(
        parsed.specs,
        parse_weight(weight) if weight else parsed.weight,
        parse_concentration(conc) if conc else parsed.concentration,
    )


def segments(*items: str) -> str:
    return "".join(f"[[segment]]\n{item}\n" for item in items)


# --- schedule: the shipped examples --------------------------------------------------------


def test_amiodarone_is_1050_mg_in_all() -> None:
    c = course((EXAMPLES / "amiodarone.toml").read_text(encoding="utf-8"))
    # 150 mg over 10 min; 1 mg/min x 360 min = 360 mg; 0.5 mg/min x 1,080 min = 540 mg
    assert [s.amount for s in c.segments] == [150, 360, 540]
    assert [s.minutes for s in c.segments] == [10, 360, 1080]
    assert c.total_amount == 1050  # 150 + 360 + 540
    assert c.amount_unit == "mg"
    # the loading rate: 150 mg / 10 min = 15 mg/min
    assert c.segments[0].rate == 15
    # day 1 (08:00 to 24:00): 150 + 360 + 0.5 x (24:00 - 14:10 = 590 min) = 805 mg
    # day 2 (00:00 to 08:10): 0.5 x 490 min = 245 mg
    assert [(d.day, d.amount) for d in c.days] == [(1, 805), (2, 245)]
    assert c.minutes == 24 * 60 + 10


def test_heparin_bolus_then_infusion() -> None:
    c = course((EXAMPLES / "heparin.toml").read_text(encoding="utf-8"))
    bolus, infusion = c.segments
    # 80 units/kg x 80 kg = 6,400 units at once, from 100 units/mL: 64 mL
    assert (bolus.amount, bolus.volume, bolus.minutes) == (6400, 64, 0)
    assert bolus.is_bolus
    # 18 units/kg/h x 80 kg = 1,440 units/h for 24 h = 34,560 units, 345.6 mL
    assert infusion.amount == 34560
    assert infusion.volume == F("345.6")
    assert c.total_amount == 40960  # 6,400 + 34,560
    assert c.total_volume == F("409.6")  # 64 + 345.6
    # day 1: 6,400 + 1,440 x 16 h = 29,440 units; day 2: 1,440 x 8 h = 11,520 units
    assert [(d.day, d.amount) for d in c.days] == [(1, 29440), (2, 11520)]
    assert sum(d.amount for d in c.days) == c.total_amount


@pytest.mark.parametrize("name", ["amiodarone", "heparin"])
@pytest.mark.parametrize("fmt", ["plain", "csv", "json"])
def test_example_goldens(run: Any, name: str, fmt: str) -> None:
    result = run("schedule", str(EXAMPLES / f"{name}.toml"), "--format", fmt)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    check_golden(f"schedule-{name}.{fmt}", result.stdout)


def test_the_bolus_has_no_rate_in_machine_output(run: Any) -> None:
    data = json.loads(run("schedule", str(EXAMPLES / "heparin.toml"), "--format", "json").stdout)
    bolus = data["segments"][0]
    assert "rate" not in bolus  # null fields are left out of a segment
    assert bolus["dose"] == {"value": 80.0, "unit": "units/kg"}
    assert bolus["amount"] == {"value": 6400.0, "unit": "units"}
    timed = json.loads(
        run("schedule", str(EXAMPLES / "amiodarone.toml"), "--format", "json").stdout
    )["segments"][0]
    assert timed["dose"] == {"value": 150.0, "unit": "mg"}
    assert timed["duration"] == {"value": 10 / 60, "unit": "h"}
    assert timed["rate"] == {"value": 900.0, "unit": "mg/h"}  # 150 mg / 10 min x 60


# --- schedule: the rules of segments that end by themselves -------------------------------


def test_a_gap_after_an_amount_over_a_time_gives_nothing() -> None:
    c = course(
        segments(
            'day = 1\ntime = "08:00"\ndose = "2 g over 30 min"',
            'day = 1\ntime = "12:00"\ndose = "2 g over 30 min"',
        )
    )
    # two doses of 2 g, each 30 min; nothing runs 08:30-12:00; the course ends at 12:30
    assert c.total_amount == 4  # g, the unit typed
    assert [(s.start, s.end) for s in c.segments] == [(480, 510), (720, 750)]
    assert c.minutes == 270


def test_a_course_may_end_with_a_dose_over_a_time_or_with_a_stop_after_it() -> None:
    alone = course(segments('day = 1\ntime = "08:00"\ndose = "150 mg over 10 min"'))
    assert alone.total_amount == 150
    stopped = course(
        segments('day = 1\ntime = "08:00"\ndose = "150 mg over 10 min"', 'at = "1h"\nstop = true')
    )
    assert stopped.total_amount == 150
    assert stopped.end == 490  # its own end, 08:10: nothing runs after it


def test_a_bolus_crossing_no_midnight_counts_on_its_day() -> None:
    c = course(
        segments(
            'day = 1\ntime = "22:00"\ndose = "4 mg/h"',
            'day = 2\ntime = "00:00"\ndose = "5 mg"',
            'day = 2\ntime = "00:00"\ndose = "4 mg/h"',
            'day = 2\ntime = "02:00"\nstop = true',
        )
    )
    # day 1: 4 mg/h x 2 h = 8 mg; day 2: the 5 mg bolus + 4 x 2 = 13 mg
    assert [(d.day, d.amount) for d in c.days] == [(1, 8), (2, 13)]


@pytest.mark.parametrize(
    ("items", "message"),
    [
        (
            [
                'day = 1\ntime = "08:00"\ndose = "150 mg over 10 min"',
                'at = "5min"\ndose = "1 mg/min"',
            ],
            "before segment 1 (line 1) ('150 mg over 10 min') has ended at day 1 08:10",
        ),
        (
            [
                'day = 1\ntime = "08:00"\ndose = "1 mg/min"',
                'day = 1\ntime = "08:00"\ndose = "5 mg"',
            ],
            "the same time as segment 1",
        ),
        (
            ['day = 1\ntime = "08:00"\ndose = "7 mcg/kg/min over 2 h"'],
            "a schedule, not a bolus",
        ),
        (
            ['day = 1\ntime = "08:00"\ndose = "5 mg"', 'at = "1h"\ndose = "1 mg/h"'],
            "the last segment has no end",
        ),
    ],
)
def test_bad_schedules(items: list[str], message: str) -> None:
    with pytest.raises((ScheduleError, ScheduleFileError)) as caught:
        course(segments(*items), weight="70")
    assert message in str(caught.value)


def test_a_per_kg_bolus_needs_the_weight(run: Any, tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text(segments('day = 1\ntime = "08:00"\ndose = "80 units/kg"'), encoding="utf-8")
    result = run("schedule", str(path))
    assert result.exit_code == 2
    assert "is per kg: give the weight" in result.stderr


# --- chart: bolus volumes by weight ----------------------------------------------------------


def test_a_bolus_chart(run: Any) -> None:
    args = ["chart", "--doses", "80 units/kg", "--weights", "50..130/40", "-c", "1000 units/mL"]
    data = json.loads(run(*args, "--max", "10000 units", "--format", "json").stdout)
    cells = [row["cells"][0] for row in data["rows"]]
    # 80 x 50 = 4,000 units = 4 mL; 80 x 90 = 7,200 = 7.2 mL; 80 x 130 = 10,400 > 10,000
    assert [c["bolus_amount"]["value"] for c in cells] == [4000, 7200, 10000]
    assert [c["bolus_volume"]["value"] for c in cells] == [4, 7.2, 10]
    assert [c["capped"] for c in cells] == [False, False, True]
    assert data["cells_show"] == "bolus_volume"
    assert data["max_amount"] == {"value": 10000.0, "unit": "units"}


@pytest.mark.parametrize("fmt", ["plain", "csv"])
def test_bolus_chart_golden(run: Any, fmt: str) -> None:
    args = ["chart", "--doses", "40,80", "--unit", "units/kg", "--weights", "50..130/10"]
    result = run(*args, "-c", "1000 units/mL", "--max", "10000 units", "--format", fmt)
    assert result.exit_code == 0
    check_golden(f"chart-heparin-bolus.{fmt}", result.stdout)
    # 80 units/kg x 130 kg = 10,400 units: one capped cell, one warning
    assert result.stderr.count("Warning: ") == 1


# --- check: orders given over a time ----------------------------------------------------------


def test_1000_ml_over_8_h_programmed_at_152_is_a_mismatch(run: Any) -> None:
    result = run("check", "1000 mL over 8 h", "--pump", "152 mL/h", "--format", "plain")
    # 1,000 / 8 = 125 mL/h expected; 152 / 125 = 1.216
    assert result.exit_code == 1
    assert "Order             1,000 mL over 8 h" in result.stdout
    assert "Ratio             1.216x the order (+21.6%)" in result.stdout
    assert result.stderr.endswith(
        "Error: MISMATCH: the pump (152 mL/h) is 1.216x the order; it should read 125 mL/h\n"
    )


@pytest.mark.parametrize(
    ("order", "pump", "cause"),
    [
        # the whole volume set as the hourly rate: 1,000 mL/h is 8x 125 mL/h
        ("1000 mL over 8 h", "1000 mL/h", "the volume to give set as the rate per hour"),
        # 100 mL / 1.3 h = 76.9 mL/h instead of / 1.5 h = 66.7 mL/h
        ("100 mL over 1 h 30 min", "76.9 mL/h", "1 h 30 min worked out as 1.3 h"),
        # 6 g / 40 mg/mL = 150 mL set as 150 mL/h: 1/3 of 450 mL/h
        ("6 g over 20 min", "150 mL/h", "the volume to give set as the rate per hour"),
        # 500 mcg/kg x 70 / 10 mg/mL = 3.5 mL/min = 210 mL/h; 21 mL/h is a decimal slip
        ("500 mcg/kg over 1 min", "21 mL/h", "decimal slip"),
    ],
)
def test_likely_causes_of_a_timed_order(run: Any, order: str, pump: str, cause: str) -> None:
    result = run("check", order, "-w", "70", "-c", "40 mg/mL" if "g over" in order else "10 mg/mL",
                 "--pump", pump, "--format", "json")  # fmt: skip
    if "mL over" in order:
        result = run("check", order, "--pump", pump, "--format", "json")
    data = json.loads(result.stdout)
    assert data["match"] is False
    assert any(cause in text["text"] for text in data["causes"]), data["causes"]


def test_a_timed_order_that_matches(run: Any) -> None:
    result = run("check", "6 g over 20 min", "-c", "40 g in 1000 mL", "--pump", "450 mL/h")
    assert result.exit_code == 0
    assert "Delivers          6 g over 20 min" in result.stdout


def test_a_bolus_has_no_pump_rate_to_check(run: Any) -> None:
    result = run("check", "80 units/kg", "-w", "70", "-c", "1000 units/mL", "--pump", "5.6 mL/h")
    assert result.exit_code == 2
    assert "is a bolus (an amount given at once): it has no pump rate to check" in result.stderr


# --- batch ----------------------------------------------------------------------------------


def test_batch_rows_read_the_new_forms(run: Any, tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    path.write_text(
        "dose,weight,concentration\n"
        "6 g over 20 min,,40 g in 1000 mL\n"
        "80 units/kg,70,1000 units/mL\n"
        "7 mcg/kg/min over 2 h,72,10 mg/mL\n",
        encoding="utf-8",
    )
    rows = [
        json.loads(line)
        for line in run("batch", str(path), "--format", "jsonl").stdout.splitlines()
    ]
    # 6 g over 20 min at 40 mg/mL: 450 mL/h, 150 mL, 6,000 mg
    assert rows[0]["pump_rate"] == {"value": 450.0, "unit": "mL/h"}
    assert rows[0]["volume"] == {"value": 150.0, "unit": "mL"}
    assert rows[0]["amount"] == {"value": 6000.0, "unit": "mg"}
    # 80 x 70 = 5,600 units, 5.6 mL
    assert rows[1]["bolus_amount"] == {"value": 5600.0, "unit": "units"}
    assert rows[1]["bolus_volume"] == {"value": 5.6, "unit": "mL"}
    assert "a schedule, not a bolus" in rows[2]["error"]
