"""The convert command end to end: golden outputs, errors, warnings, files, a real process."""

from __future__ import annotations

import csv
import io
import json
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import check_golden

SEED = ["convert", "7", "mcg/kg/min", "-w", "72", "-c", "10 mg/mL"]


@pytest.mark.parametrize("fmt", ["table", "plain", "csv", "json"])
def test_seed_case_golden(run: Any, fmt: str) -> None:
    result = run(*SEED, "--format", fmt)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    check_golden(f"convert-seed.{fmt}", result.stdout)


def test_seed_case_explain_golden(run: Any) -> None:
    result = run(*SEED, "--explain")
    assert result.exit_code == 0
    check_golden("convert-seed-explain.txt", result.stdout)


def test_reverse_golden(run: Any) -> None:
    result = run("convert", "3.024 mL/h", "-w", "72", "-c", "10 mg/mL", "--explain")
    assert result.exit_code == 0
    check_golden("convert-reverse-explain.txt", result.stdout)


@pytest.mark.parametrize("fmt", ["table", "plain"])
def test_acceptance_figures_appear_as_written(run: Any, fmt: str) -> None:
    out = run(*SEED, "--format", fmt).stdout
    for figure in ("504 mcg/min", "30.24 mg/h", "725.76 mg/day", "3.024 mL/h", "72.576 mL/day"):
        assert figure in out
    assert "7 mcg/kg/min" in out
    assert "72 kg" in out


def test_dose_as_one_argument_or_several_words(run: Any) -> None:
    one = run("convert", "7 mcg/kg/min", "-w", "72", "--format", "json").stdout
    words = run("convert", "7", "mcg/kg/min", "-w", "72", "--format", "json").stdout
    assert one == words


def test_json_contract_matches_to_1e9(run: Any) -> None:
    from infuse_calc.units import registry

    data = json.loads(run(*SEED, "--format", "json").stdout)
    ureg = registry()
    # independently worked: 7 x 72 = 504 mcg/min; 504 x 60 / 1000 = 30.24 mg/h; x 24 = 725.76
    expected = {
        "per_minute": (504, "mcg/min"),
        "per_hour": (30.24, "mg/h"),
        "per_day": (725.76, "mg/day"),
        "pump_rate": (3.024, "mL/h"),
        "volume_per_day": (72.576, "mL/day"),
        "dose": (7, "mcg/kg/min"),
        "weight": (72, "kg"),
        "concentration": (10, "mg/mL"),
    }
    for key, (value, unit) in expected.items():
        field = data[key]
        assert isinstance(field["value"], float)
        converted = float(ureg.Quantity(1, field["unit"]).to(unit).magnitude) * field["value"]
        assert math.isclose(converted, value, rel_tol=1e-9), key


def test_json_units_parse_in_plain_pint_too(run: Any) -> None:
    import pint

    plain: Any = pint.UnitRegistry()
    data = json.loads(run(*SEED, "--format", "json").stdout)
    for key in ("per_minute", "per_hour", "per_day", "pump_rate", "volume_per_day"):
        quantity = plain.Quantity(data[key]["value"], data[key]["unit"])
        assert quantity.magnitude == data[key]["value"]
    assert plain.Quantity(data["per_hour"]["value"], data["per_hour"]["unit"]).to(
        "mcg/min"
    ).magnitude == pytest.approx(504)


def test_reverse_json_gives_seven(run: Any) -> None:
    data = json.loads(
        run("convert", "3.024", "mL/h", "-w", "72", "-c", "10 mg/mL", "--format", "json").stdout
    )
    assert data["direction"] == "reverse"
    assert data["dose_rate"] == {"value": 7.0, "unit": "mcg/kg/min"}


def test_csv_has_one_header_and_the_json_fields(run: Any) -> None:
    rows = list(csv.DictReader(io.StringIO(run(*SEED, "--format", "csv").stdout)))
    assert len(rows) == 1
    data = json.loads(run(*SEED, "--format", "json").stdout)
    for key in ("per_minute", "per_hour", "per_day", "pump_rate", "volume_per_day"):
        assert float(rows[0][f"{key}_value"]) == data[key]["value"]
        assert rows[0][f"{key}_unit"] == data[key]["unit"]


def test_absolute_dose_has_null_weight(run: Any) -> None:
    data = json.loads(run("convert", "4 mg/h", "--format", "json").stdout)
    assert data["weight"] is None
    assert data["pump_rate"] is None
    assert data["per_day"] == {"value": 96.0, "unit": "mg/day"}


@pytest.mark.parametrize(
    ("args", "warning"),
    [
        (["convert", ".5 mcg/kg/min", "-w", "72"], "'.5' read as 0.5"),
        (["convert", "5.0 mcg/kg/min", "-w", "72"], "'5.0' read as 5"),
        (["convert", "5 U/kg/h", "-w", "72"], "'U' is error-prone; read as units"),
        (["convert", "5 IU/kg/h", "-w", "72"], "'IU' is error-prone"),
        (["convert", "5 µg/kg/min", "-w", "72"], "'µg' is error-prone; read as mcg"),
        (["convert", "5 ug/kg/min", "-w", "72"], "'ug' is error-prone"),
        (["convert", "3 cc/h", "-w", "72", "-c", "10 mg/mL"], "'cc' is error-prone"),
        (["convert", "5 mg/h", "-c", "10 mg/1.0 mL"], "'1.0' read as 1"),
        (["convert", "5 mg/h", "-w", "72.50"], "'72.50' read as 72.5"),
        (["convert", "5 mg/h", "--dose-unit", "mcg/MIN"], "'MIN' read as min"),
    ],
)
def test_warnings_go_to_stderr_and_the_result_still_comes(
    run: Any, args: list[str], warning: str
) -> None:
    result = run(*args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert warning in result.stderr
    assert result.stderr.startswith("Warning: ")
    json.loads(result.stdout)  # stdout stays clean, parseable JSON
    assert "Warning" not in result.stdout


def test_warned_spelling_gives_the_same_numbers(run: Any) -> None:
    safe = json.loads(run("convert", "5 units/kg/h", "-w", "72", "--format", "json").stdout)
    risky = json.loads(run("convert", "5 U/kg/h", "-w", "72", "--format", "json").stdout)
    assert safe == risky


BAD_INPUTS = [
    (["convert", "", "-w", "72"], "Invalid value for 'DOSE': '': is empty"),
    (["convert", "0 mcg/kg/min", "-w", "72"], "must be greater than zero"),
    (["convert", "-7 mcg/kg/min", "-w", "72"], "negative values are not accepted"),
    (["convert", "−7 mcg/kg/min", "-w", "72"], "negative values are not accepted"),
    (["convert", "nan mcg/kg/min", "-w", "72"], "'nan' is not a number"),
    (["convert", "inf mcg/kg/min", "-w", "72"], "'inf' is not a finite number"),
    (["convert", "1e999 mcg/kg/min", "-w", "72"], "without exponents"),
    (["convert", "9**9**9 mg/h"], "'*' is not accepted"),
    (["convert", "2**2**2**2**2 mg/h"], "'*' is not accepted"),
    (["convert", "7,5 mg/h"], "commas are not accepted"),
    (["convert", "05 mg/h"], "leading zero must be followed by a decimal point"),
    (["convert", "7 bananas/kg/min", "-w", "72"], "unknown unit 'bananas'"),
    (["convert", "7 mcg/kg/min over 2 h", "-w", "72"], "a schedule, not a bolus"),
    (["convert", "7 mcg/kg/min"], "is per kg: give the patient's weight with --weight"),
    (["convert", "7 mcg/kg/min", "-w", "0"], "Invalid value for '-w' / '--weight': '0'"),
    (["convert", "7 mcg/kg/min", "-w", "-72"], "Invalid value for '-w' / '--weight'"),
    (["convert", "7 mcg/kg/min", "-w", "5000 kg"], "is over 650 kg"),
    (["convert", "7 mcg/kg/min", "-w", "nan"], "'nan' is not a number"),
    (["convert", "7 mcg/kg/min", "-w", "72 mL"], "is not a weight unit"),
    (["convert", "7 mcg/kg/min", "-w", ""], "is empty"),
    (["convert", "7 mcg/kg/min", "-w", "72", "-c", "10 mg"], "expected amount per volume"),
    (["convert", "7 mcg/kg/min", "-w", "72", "-c", "abc"], "expected a number"),
    (["convert", "7 mcg/kg/min", "-w", "72", "-c", "100 units/mL"], "same kind of amount"),
    (["convert", "18 units/kg/h", "-w", "72", "-c", "10 mg/mL"], "same kind of amount"),
    (["convert", "7 mg/kg/min", "-w", "72 mg"], "is not a weight unit"),
    (["convert", "3 mL/h", "-w", "72", "--dose-unit", "mcg/kg/min"], "with a concentration"),
    (["convert", "7 mcg/kg/min", "-w", "72", "--pump-resolution", "0"], "greater than zero"),
    (["convert", "7 mcg/kg/min", "-w", "72", "--format", "xml"], "'xml' is not one of"),
    (["convert", "7 mcg/kg/min", "-w", "72", "--bogus"], "No such option '--bogus'"),
    (["convert"], "Missing argument 'DOSE'"),
    (["frobnicate"], "No such command 'frobnicate'"),
    (["convert", "7 mcg/kg/min", "-w", "1" * 300], "is too long"),
    (["convert", "x" * 1_000_000], "is too long"),
    (["convert", "7 mcg/kg/min", "-w", "72", "-c", "1:50"], "ratio strengths are read only as 1:N"),
]


@pytest.mark.parametrize(("args", "message"), BAD_INPUTS)
def test_bad_input_is_one_line_and_exit_2(run: Any, args: list[str], message: str) -> None:
    result = run(*args)
    assert result.exit_code == 2, (result.exit_code, result.output)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("Error: ")
    assert message in lines[0]
    assert "Traceback" not in result.stderr


def test_bad_input_table_is_long_enough() -> None:
    assert len(BAD_INPUTS) >= 25


def test_output_file_is_written_atomically(run: Any, tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    result = run(*SEED, "--format", "json", "-o", str(target))
    assert result.exit_code == 0
    assert result.stdout == ""
    assert json.loads(target.read_text())["pump_rate"]["value"] == 3.024
    assert os.listdir(tmp_path) == ["out.json"]


def test_failed_run_leaves_existing_output_untouched(run: Any, tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    target.write_text("previous")
    result = run("convert", "7 mcg/kg/min", "-o", str(target))  # no weight: error
    assert result.exit_code == 2
    assert target.read_text() == "previous"
    assert os.listdir(tmp_path) == ["out.json"]


def test_output_file_defaults_to_plain_text(run: Any, tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    run(*SEED, "-o", str(target))
    text = target.read_text()
    assert "30.24 mg/h" in text
    assert "\x1b[" not in text


def test_help_states_the_rounding_policy(run: Any) -> None:
    for args in (["--help"], ["convert", "--help"]):
        out = " ".join(run(*args).stdout.split())
        assert "5 significant figures" in out
        assert "full precision" in out


def test_version(run: Any) -> None:
    from infuse_calc import __version__

    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"infuse-calc, version {__version__}"


def _script() -> str:
    found = shutil.which("infuse-calc", path=os.path.dirname(sys.executable))
    if found is None:
        pytest.skip("infuse-calc script is not installed next to this Python")
    return found


def test_installed_script_runs_the_seed_case() -> None:
    completed = subprocess.run(
        [_script(), *SEED, "--format", "json"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout)["per_day"] == {"value": 725.76, "unit": "mg/day"}


def test_installed_script_one_line_error_and_exit_2() -> None:
    completed = subprocess.run(
        [_script(), "convert", "7 mcg/kg/min", "-w", "5000"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 2
    assert completed.stdout == ""
    assert completed.stderr.count("\n") == 1
    assert completed.stderr.startswith("Error: Invalid value for '-w' / '--weight': '5000'")


def test_piped_table_has_no_colour() -> None:
    completed = subprocess.run(
        [_script(), *SEED, "--format", "table"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert "\x1b[" not in completed.stdout
    assert "725.76 mg/day" in completed.stdout
