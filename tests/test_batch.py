"""``infuse-calc batch``: row logic, file edges, identity with convert, atomic output."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from infuse_calc import batch as batch_module
from infuse_calc.batch import (
    FIELDS,
    BatchOptions,
    InputRow,
    RowError,
    cell_text,
    error_of,
    output_names,
    process,
)
from infuse_calc.cli import cli
from infuse_calc.dosing import calculate
from infuse_calc.errors import InfuseCalcError, InputError, MissingInputError
from infuse_calc.formats.output import CsvWriter, jsonable
from infuse_calc.quantities import parse_concentration, parse_dose, parse_rate_unit, parse_weight
from infuse_calc.run_warnings import once
from tests.conftest import check_golden

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "orders.csv"
HEADER = "id,dose,weight,concentration,dose_unit\n"


def invoke(*args: str, input: bytes | str | None = None) -> Any:
    return CliRunner().invoke(cli, list(args), input=input, env={"COLUMNS": "100"})


def write(tmp_path: Path, name: str, content: bytes | str) -> str:
    path = tmp_path / name
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return str(path)


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def computed(record: dict[str, Any]) -> dict[str, Any]:
    """The computed fields of an output record, under convert's names, as JSON values."""
    inputs = list(record)[: len(record) - len(FIELDS) - 1]
    names = output_names(inputs)
    return {name: jsonable(record[names[name]]) for name in FIELDS}


# --- the worked example -----------------------------------------------------------------


def test_example_file_csv_golden() -> None:
    result = invoke("batch", str(EXAMPLE))
    check_golden("batch-orders.csv", result.stdout)
    assert result.exit_code == 1
    assert result.stderr == "Error: 2 of 11 rows had errors (see the error column)\n"


def test_example_file_jsonl_and_json_golden() -> None:
    jsonl = invoke("batch", str(EXAMPLE), "--format", "jsonl")
    check_golden("batch-orders.jsonl", jsonl.stdout)
    array = invoke("batch", str(EXAMPLE), "--format", "json")
    assert json.loads(array.stdout) == [json.loads(line) for line in jsonl.stdout.splitlines()]


def test_example_rows_against_hand_arithmetic() -> None:
    rows = csv_rows(invoke("batch", str(EXAMPLE)).stdout)
    assert [row["id"] for row in rows] == [str(n) for n in range(1, 12)]
    seed = rows[0]
    # 7 mcg/kg/min x 72 kg = 504 mcg/min = 0.504 mg/min; x 60 = 30.24 mg/h; / 10 mg/mL =
    # 3.024 mL/h (machine output: every mass rate in mg)
    assert (seed["per_minute_value"], seed["per_minute_unit"]) == ("0.504", "mg/min")
    assert (seed["per_hour_value"], seed["per_hour_unit"]) == ("30.24", "mg/h")
    assert (seed["pump_rate_value"], seed["pump_rate_unit"]) == ("3.024", "mL/h")
    assert seed["error"] == ""
    # 3 mL/h x 500 mg/50 mL = 30 mg/h; / 72 kg = 0.41666... mg/kg/h
    reverse = rows[4]
    assert reverse["direction"] == "reverse"
    assert float(reverse["dose_rate_value"]) == 30 / 72
    assert reverse["dose_rate_unit"] == "mg/kg/h"
    assert "commas are not accepted" in rows[7]["error"]
    assert rows[7]["per_hour_value"] == ""
    assert "is per kg" in rows[9]["error"]
    # the input columns pass through, the computed dose is renamed beside them
    assert rows[1]["weight"] == "154 lb"
    assert (rows[1]["result_weight_value"], rows[1]["result_weight_unit"]) == (
        "69.85322498",
        "kg",
    )


# --- identical to convert ---------------------------------------------------------------

DOSE_UNITS = [
    "mcg/kg/min",
    "mcg/kg/h",
    "mg/kg/h",
    "mg/h",
    "mcg/min",
    "units/kg/h",
    "units/h",
    "milliunits/min",
    "mmol/h",
    "mEq/h",
    "mL/h",
    "ng/kg/min",
    "g/day",
    "mcg per kg per minute",
    "ug/kg/min",  # error-prone: a warning, the slow path
]
WEIGHTS = ["{}", "{} kg", "{} lb", "{} g"]
CONCENTRATIONS = [
    "10 mg/mL",
    "500 mg/250 mL",
    "4 mg in 250 mL",
    "25000 units/250 mL",
    "30 units in 500 mL",
    "1%",
    "2 mmol/mL",
    "40 mEq/100 mL",
    "1 g/L",
    "5 mcg/mL",
    "",
]
TARGETS = ["", "", "", "mg/kg/h", "mcg/min", "mL/h", "units/kg/h", "mcg/kg/min"]


def number_text(mantissa: int, places: int) -> str:
    if places == 0:
        return str(mantissa)
    digits = str(mantissa).rjust(places + 1, "0")
    return f"{digits[:-places]}.{digits[-places:]}"


# Round values put figures exactly on unit boundaries (1,000 mcg/h is 1 mg/h) and pump rates
# exactly on half steps (30.5 mg/h at 10 mg/mL is 3.05 mL/h), where off-by-one slips hide.
numbers = st.one_of(
    st.builds(number_text, st.integers(1, 99999), st.integers(0, 4)),
    st.sampled_from(["1", "10", "100", "1000", "0.5", "30.5", "0.25", "16.667", "60", "24"]),
)
order_rows = st.fixed_dictionaries(
    {
        "dose": st.builds(lambda n, u: f"{n} {u}", numbers, st.sampled_from(DOSE_UNITS)),
        "weight": st.one_of(
            st.just(""),
            st.builds(lambda n, w: w.format(n), numbers, st.sampled_from(WEIGHTS)),
        ),
        "concentration": st.sampled_from(CONCENTRATIONS),
        "dose_unit": st.sampled_from(TARGETS),
    }
)


def reference(row: dict[str, str]) -> dict[str, Any] | str:
    """What convert computes for a row: its JSON fields, or the error message."""
    try:
        dose = parse_dose(row["dose"])
        weight = parse_weight(row["weight"]) if row["weight"] else None
        conc = parse_concentration(row["concentration"]) if row["concentration"] else None
        target, unit_warnings = (
            parse_rate_unit(row["dose_unit"]) if row["dose_unit"] else (None, ())
        )
        calc = calculate(dose, weight, conc, target, Fraction(1, 10))
    except MissingInputError as error:
        # convert names its option; batch the column, which these rows all have (blank)
        what = {"weight": "the patient's weight", "concentration": "the concentration"}
        return f"{error.problem}: give {what[error.needed]} in the {error.needed} column"
    except InfuseCalcError as error:
        return str(error)
    document: dict[str, Any] = jsonable(calc.record())
    warnings: list[str] = []
    for source in (
        dose.warnings,
        weight.warnings if weight else (),
        conc.warnings if conc else (),
        unit_warnings,
        calc.warnings,
    ):
        warnings.extend(source)
    # convert says each lesson once (`'11.0' ...; also in weight '11.0'`): so does a row
    document["warnings"] = once(warnings)
    return document


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(order_rows, min_size=1, max_size=5))
def test_identical_to_calculate(rows: list[dict[str, str]]) -> None:
    for row, record in zip(rows, process(rows), strict=True):
        expected = reference(row)
        if isinstance(expected, str):
            assert error_of(record) == expected
        else:
            assert error_of(record) is None
            assert computed(record) == expected  # ==: the floats are bit-identical


def test_identity_at_unit_boundaries_half_steps_and_pump_warnings() -> None:
    # Fixed rows where off-by-one slips hide, each compared with convert's core.
    rows = [
        {"dose": "7 mcg/kg/min", "weight": "72", "concentration": "10 mg/mL", "dose_unit": ""},
        {"dose": "0.3 mL/h", "weight": "3.45", "concentration": "1%", "dose_unit": ""},
        {"dose": "18 units/kg/h", "weight": "154 lb", "concentration": "", "dose_unit": ""},
        {"dose": "2.5 mg/h", "weight": "", "concentration": "500 mg/250 mL", "dose_unit": "mL/h"},
        # 1,000 mcg/h is exactly 1 mg/h, the machine unit of every mass rate per hour
        {"dose": "1000 mcg/h", "weight": "", "concentration": "", "dose_unit": ""},
        # 30.5 mg/h / 10 mg/mL = 3.05 mL/h, a true half step: rounds up to 3.1 mL/h
        {"dose": "30.5 mg/h", "weight": "", "concentration": "10 mg/mL", "dose_unit": ""},
        # the three pump warnings: rounds to 0, rounding changes the dose > 5%, over 999 mL/h
        {"dose": "0.01 mcg/kg/min", "weight": "3", "concentration": "1 mg/mL", "dose_unit": ""},
        {"dose": "10.8 mcg/kg/h", "weight": "73", "concentration": "10 mg/mL", "dose_unit": ""},
        {"dose": "50 mcg/kg/min", "weight": "118", "concentration": "4 mg/250 mL", "dose_unit": ""},
    ]
    records = list(process(rows))
    for row, record in zip(rows, records, strict=True):
        assert computed(record) == reference(row), row
    assert records[4]["per_hour"] == (1.0, "mg/h")
    assert records[5]["pump_rate_rounded"] == (3.1, "mL/h")
    # 50 x 118 = 5,900 mcg/min = 354 mg/h; / 0.016 mg/mL = 22,125 mL/h: above 999 mL/h, and
    # x 24 = 531,000 mL/day, over the daily volume limit too
    assert [len(record["warnings"]) for record in records[6:]] == [1, 1, 2]


@pytest.mark.parametrize(
    "args",
    [
        ("7 mcg/kg/min", "72", "10 mg/mL", ""),
        ("18 units/kg/h", "154 lb", "25000 units/250 mL", ""),
        ("3 mL/h", "72", "500 mg in 50 mL", "mg/kg/h"),
        ("0.05 mcg/kg/min", "3.2", "4 mg/250 mL", ""),
        ("2 milliunits/min", "", "30 units in 500 mL", ""),
        ("12 mL/h", "80", "25000 units/250 mL", ""),
        ("4 mg/h", "", "", "mcg/min"),
    ],
)
def test_identical_to_convert_json(args: tuple[str, str, str, str]) -> None:
    dose, weight, conc, unit = args
    options = ["convert", dose, "--format", "json"]
    for flag, value in (("-w", weight), ("-c", conc), ("--dose-unit", unit)):
        if value:
            options += [flag, value]
    expected = json.loads(invoke(*options).stdout)
    row = {"dose": dose, "weight": weight, "concentration": conc, "dose_unit": unit}
    assert computed(next(process([row]))) == expected


# --- rows in = rows out -----------------------------------------------------------------

bad_cells = st.sampled_from(
    ["", "7,5 mg/h", "-3 mg/h", "nan mg/h", "7 mcg/kg", "05 mg/h", "1e3 mg/h", "9**9**9 mg", "x"]
)
mixed_rows = st.fixed_dictionaries(
    {
        "id": st.text(max_size=5),
        "dose": st.one_of(order_rows.map(lambda r: r["dose"]), bad_cells),
        "weight": st.one_of(st.sampled_from(["", "72", "0", "700", "72 mcg", "154 lb"])),
        "concentration": st.sampled_from([*CONCENTRATIONS, "10 units/mL", "1:1000", "10 mg"]),
    }
)


@settings(max_examples=100, deadline=None)
@given(st.lists(mixed_rows, max_size=20))
def test_rows_in_equal_rows_out(rows: list[dict[str, str]]) -> None:
    out = list(process(rows))
    assert len(out) == len(rows)
    for row, record in zip(rows, out, strict=True):
        assert record["id"] == row["id"]  # the input columns pass through, in order
        error = error_of(record)
        assert (error is None) == (record[output_names(row)["direction"]] is not None)
        if error is not None:
            assert "\n" not in error
            assert error


@settings(max_examples=50, deadline=None)
@given(st.lists(mixed_rows, max_size=12))
def test_rows_in_equal_rows_out_through_csv(rows: list[dict[str, str]]) -> None:
    text = io.StringIO()
    writer = csv.DictWriter(text, ["id", "dose", "weight", "concentration"], lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    result = invoke("batch", "-", "--input-format", "csv", input=text.getvalue())
    # ids made only of blanks/newlines could make blank lines; every other row comes back
    assert result.exit_code in (0, 1)
    assert len(csv_rows(result.stdout)) == len(rows)


# --- cells --------------------------------------------------------------------------------


def test_cell_text_json_numbers() -> None:
    assert cell_text("weight", 72) == "72"
    assert cell_text("weight", 72.0) == "72"  # JSON's .0 is not a trailing-zero slip
    assert cell_text("weight", 72.5) == "72.5"
    assert cell_text("weight", 0.1) == "0.1"  # repr, not the binary expansion
    assert cell_text("weight", 1e-05) == "0.00001"  # written out, no exponent
    assert cell_text("weight", None) is None
    assert cell_text("weight", "  ") is None
    with pytest.raises(InputError, match="not true/false"):
        cell_text("weight", True)
    with pytest.raises(InputError, match="finite"):
        cell_text("weight", float("inf"))
    with pytest.raises(InputError, match="expected text or a number"):
        cell_text("weight", [72])


def test_json_number_weight_gives_no_warning() -> None:
    record = next(process([{"dose": "7 mcg/kg/min", "weight": 72.0}]))
    assert record["warnings"] == []
    assert record["result_weight"].value == 72.0


# --- malformed input ----------------------------------------------------------------------


def test_wrong_column_count_is_a_row_error(tmp_path: Path) -> None:
    path = write(tmp_path, "o.csv", HEADER + "1,7 mcg/kg/min,72\n2,4 mg/h,,,,extra\n3,4 mg/h\n")
    result = invoke("batch", path)
    rows = csv_rows(result.stdout)
    assert [r["error"] for r in rows] == [
        "line 2: expected 5 columns, found 3",
        "line 3: expected 5 columns, found 6",
        "line 4: expected 5 columns, found 2",
    ]
    assert [r["id"] for r in rows] == ["1", "2", "3"]
    assert result.exit_code == 1
    assert result.stderr == "Error: 3 of 3 rows had errors (see the error column)\n"


def test_blank_lines_are_skipped(tmp_path: Path) -> None:
    path = write(tmp_path, "o.csv", "\n" + HEADER + "\n1,4 mg/h,,,\n\n\n2,5 mg/h,,,\n")
    result = invoke("batch", path)
    assert [r["id"] for r in csv_rows(result.stdout)] == ["1", "2"]
    assert result.exit_code == 0


def test_bom_crlf_and_quoted_commas(tmp_path: Path) -> None:
    content = "\ufeff" + HEADER.replace("\n", "\r\n") + '"a, b",4 mg/h,,"4 mg in 250 mL",\r\n'
    result = invoke("batch", write(tmp_path, "o.csv", content))
    (row,) = csv_rows(result.stdout)
    assert row["id"] == "a, b"
    # 4 mg/h / (4 mg / 250 mL) = 250 mL/h
    assert (row["pump_rate_value"], row["error"]) == ("250.0", "")
    assert result.exit_code == 0


def test_non_utf8_row_is_reported(tmp_path: Path) -> None:
    content = HEADER.encode() + b"1,4 mg/h,,,\n2,4 mg/h,,,caf\xe9\n3,4 mg/h,,,\n"
    result = invoke("batch", write(tmp_path, "o.csv", content))
    rows = csv_rows(result.stdout)
    assert [r["error"] for r in rows] == [
        "",
        "line 3: not UTF-8 text (byte 0xe9 at column 15); save the file as UTF-8",
        "",
    ]
    assert result.exit_code == 1


def test_decimal_comma_says_so(tmp_path: Path) -> None:
    result = invoke("batch", write(tmp_path, "o.csv", HEADER + '1,"7,5 mg/h",,,\n'))
    (row,) = csv_rows(result.stdout)
    assert "'7,5': commas are not accepted in numbers; use a decimal point" in row["error"]


def test_header_only_is_zero_rows(tmp_path: Path) -> None:
    result = invoke("batch", write(tmp_path, "o.csv", HEADER))
    assert result.exit_code == 0
    assert result.stdout.startswith("id,dose,weight,concentration,dose_unit,direction,")
    assert result.stdout.count("\n") == 1


@pytest.mark.parametrize("name", ["empty.csv", "empty.jsonl"])
def test_empty_file_is_zero_rows(tmp_path: Path, name: str) -> None:
    result = invoke("batch", write(tmp_path, name, b""), "--format", "json")
    assert (result.exit_code, result.stdout) == (0, "[]\n")


def test_missing_dose_column_cannot_start(tmp_path: Path) -> None:
    result = invoke("batch", write(tmp_path, "o.csv", "id,rate\n1,4 mg/h\n"))
    assert result.exit_code == 2
    assert (
        result.stderr
        == "Error: " + str(tmp_path / "o.csv") + ": no 'dose' column in the header (id, rate)\n"
    )
    assert result.stdout == ""


def test_map_reads_another_column(tmp_path: Path) -> None:
    path = write(tmp_path, "o.csv", "id,rate_ordered,kg\n1,7 mcg/kg/min,72\n")
    result = invoke("batch", path, "--map", "dose=rate_ordered", "--map", "weight=kg")
    (row,) = csv_rows(result.stdout)
    # no clash with the input columns, so the computed ones keep convert's names
    # 7 x 72 = 504 mcg/min = 0.504 mg/min
    assert (row["per_minute_value"], row["dose_value"], row["weight_value"]) == (
        "0.504",
        "7.0",
        "72.0",
    )
    bad = invoke("batch", path, "--map", "volume=x")
    assert bad.exit_code == 2
    assert "expected NAME=COLUMN" in bad.stderr


def test_not_csv_cannot_start(tmp_path: Path) -> None:
    result = invoke("batch", write(tmp_path, "o.csv", b"\xff\xd8\xff\xe0 binary\x00\n"))
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: ")
    assert "\n" not in result.stderr.rstrip("\n")


def test_unreadable_file_cannot_start(tmp_path: Path) -> None:
    result = invoke("batch", str(tmp_path / "missing.csv"))
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: cannot read ")


def test_jsonl_malformed_lines(tmp_path: Path) -> None:
    content = (
        '{"id": 1, "dose": "7 mcg/kg/min", "weight": 72, "concentration": "10 mg/mL"}\n'
        '{"id": 2, "dose": \n'
        "\n"
        '["not", "an", "object"]\n'
        '{"id": 5, "dose": "4 mg/h", "weight": true}\n'
        '{"id": 6, "dose": 4}\n'
    )
    result = invoke("batch", write(tmp_path, "o.jsonl", content))
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(records) == 5  # the blank line is not a row
    assert records[0]["id"] == 1
    assert records[0]["pump_rate"]["value"] == 3.024
    assert records[1]["error"].startswith("line 2: not valid JSON (")
    assert records[2]["error"] == "line 4: expected a JSON object, found array"
    assert records[3]["error"] == "weight 'true': expected text or a number, not true/false"
    assert records[4]["error"].startswith("dose '4': expected a unit")
    assert result.exit_code == 1


def test_stdin_json_lines_are_sniffed() -> None:
    result = invoke("batch", "-", input='{"dose": "4 mg/h"}\n')
    (record,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert record["per_day"] == {"value": 96.0, "unit": "mg/day"}


# --- strict, output file, interruption ---------------------------------------------------


def test_strict_stops_at_the_first_bad_row(tmp_path: Path) -> None:
    path = write(tmp_path, "o.csv", HEADER + "1,4 mg/h,,,\n2,4 mg over 8 days,,,\n3,4 mg/h,,,\n")
    out = tmp_path / "out.csv"
    result = invoke("batch", path, "--strict", "-o", str(out))
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {path} line 3: dose '4 mg over 8 days': 8 days is longer than 7 days: a dose "
        "given over more than a week is a rate (mg/h...) or a schedule, not an amount over a "
        "time\n"
    )
    assert not out.exists()
    assert os.listdir(tmp_path) == ["o.csv"]


def test_output_file_is_written(tmp_path: Path) -> None:
    out = tmp_path / "results.csv"
    result = invoke("batch", str(EXAMPLE), "--format", "csv", "-o", str(out))
    assert result.stdout == ""
    assert out.read_text(encoding="utf-8") == invoke("batch", str(EXAMPLE)).stdout


def test_output_cannot_be_the_input(tmp_path: Path) -> None:
    path = write(tmp_path, "o.csv", HEADER + "1,4 mg/h,,,\n")
    result = invoke("batch", path, "-o", path)
    assert result.exit_code == 2
    assert "is the input file" in result.stderr
    assert Path(path).read_text(encoding="utf-8") == HEADER + "1,4 mg/h,,,\n"


@pytest.mark.parametrize(
    ("exception", "code"), [(RuntimeError("disk on fire"), 1), (KeyboardInterrupt(), 130)]
)
def test_failure_mid_run_leaves_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exception: BaseException, code: int
) -> None:
    path = write(tmp_path, "o.csv", HEADER + "".join(f"{n},4 mg/h,,,\n" for n in range(10)))
    out = tmp_path / "out.csv"
    out_before = "previous results\n"
    out.write_text(out_before, encoding="utf-8")
    original = CsvWriter.write_table  # CSV in, CSV out: the flat-row path
    calls = []

    def failing(self: CsvWriter, row: list[Any]) -> None:
        calls.append(1)
        if len(calls) == 5:
            raise exception
        original(self, row)

    monkeypatch.setattr(CsvWriter, "write_table", failing)
    result = invoke("batch", path, "-o", str(out))
    assert result.exit_code == code
    assert out.read_text(encoding="utf-8") == out_before  # the old file is untouched
    assert sorted(os.listdir(tmp_path)) == ["o.csv", "out.csv"]  # no temporary file left


def test_process_strict_raises_row_error() -> None:
    rows = [InputRow(2, {"dose": "4 mg/h"}), InputRow(7, {"dose": "4 mg/h over 2 h"})]
    out = process(rows, BatchOptions(), strict=True)
    assert error_of(next(out)) is None
    with pytest.raises(RowError) as caught:
        next(out)
    assert caught.value.line == 7
    assert caught.value.exit_code == 1


def test_pump_resolution_option() -> None:
    # 3.024 mL/h at 1 mL/h steps rounds to 3 mL/h; at 0.01 to 3.02 mL/h
    row = {"dose": "7 mcg/kg/min", "weight": "72", "concentration": "10 mg/mL"}
    coarse = next(process([row], BatchOptions(pump_resolution=Fraction(1))))
    fine = next(process([row], BatchOptions(pump_resolution=Fraction(1, 100))))
    assert coarse["pump_rate_rounded"].value == 3.0
    assert fine["pump_rate_rounded"].value == 3.02


def test_calculation_warnings_go_in_the_row() -> None:
    # 0.01 mcg/kg/min x 3 kg = 0.03 mcg/min = 1.8 mcg/h; / 1 mg/mL = 0.0018 mL/h -> rounds to 0
    record = next(process([{"dose": "0.01 mcg/kg/min", "weight": "3", "concentration": "1 mg/mL"}]))
    assert record["pump_rate_rounded"].value == 0.0
    assert record["warnings"][0].startswith("pump rate 0.0018 mL/h rounds to 0 mL/h")


# --- a real process, through pipes -------------------------------------------------------


def script() -> list[str]:
    found = shutil.which("infuse-calc", path=os.path.dirname(sys.executable))
    return [found] if found else [sys.executable, "-m", "infuse_calc"]


def test_pipe_through_the_installed_script() -> None:
    lines = "".join(
        json.dumps({"id": n, "dose": f"{n} mcg/kg/min", "weight": 72, "concentration": "10 mg/mL"})
        + "\n"
        for n in range(1, 51)
    )
    done = subprocess.run(
        [*script(), "batch", "-", "--format", "jsonl"],
        input=lines.encode(),
        capture_output=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in done.stdout.decode().splitlines()]
    assert [r["id"] for r in records] == list(range(1, 51))
    # n mcg/kg/min x 72 kg x 60 / 1000 = 4.32 n mg/h; / 10 mg/mL = 0.432 n mL/h
    assert records[9]["pump_rate"] == {"value": 4.32, "unit": "mL/h"}
    assert done.stderr == b""


# --- the pump column: each row checked as by `infuse-calc check` -------------------------

PUMP_HEADER = "id,dose,weight,concentration,pump\n"


@pytest.mark.parametrize(
    ("order", "weight", "conc", "pump"),
    [
        ("7 mcg/kg/min", "72", "10 mg/mL", "3 mL/h"),  # matches (3.024 mL/h rounds to 3)
        ("7 mcg/kg/min", "72", "10 mg/mL", "30.2 mL/h"),  # 10x: a decimal slip
        ("18 units/kg/h", "154 lb", "25000 units/250 mL", "12.6 mL/h"),
        ("4 mg/h", "", "4 mg/250 mL", "4.2 mL/h"),  # 4 mg/h needs 250 mL/h: 1/60x
    ],
)
def test_pump_column_agrees_with_check(order: str, weight: str, conc: str, pump: str) -> None:
    options = ["check", order, "--pump", pump, "-c", conc, "--format", "json"]
    if weight:
        options += ["-w", weight]
    expected = json.loads(invoke(*options).stdout)
    row = {"dose": order, "weight": weight, "concentration": conc, "pump": pump}
    (record,) = process([row])
    assert error_of(record) is None
    for name in batch_module.CHECK_FIELDS:
        if name == "causes":
            assert record["causes"] == [cause["text"] for cause in expected["causes"]]
        else:
            assert jsonable(record[name]) == expected[name], name
    assert batch_module.mismatched(record) is (not expected["match"])


def test_pump_mismatch_exits_1_and_says_so(tmp_path: Path) -> None:
    content = (
        PUMP_HEADER + "1,7 mcg/kg/min,72,10 mg/mL,3 mL/h\n2,7 mcg/kg/min,72,10 mg/mL,30.2 mL/h\n"
    )
    result = invoke("batch", write(tmp_path, "o.csv", content))
    rows = csv_rows(result.stdout)
    # 7 x 72 x 60 / 1000 / 10 = 3.024 mL/h needed; 30.2 / 3.024 = 9.9868x
    assert [(r["match"], r["causes"]) for r in rows] == [
        ("true", ""),
        ("false", "pump is 10x the order: decimal slip?"),
    ]
    assert rows[1]["expected_pump_rate_value"] == "3.024"
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: 1 of 2 pump rates did not match the order (see the match column)\n"
    )


def test_pump_cells_empty_or_bad(tmp_path: Path) -> None:
    content = PUMP_HEADER + "1,4 mg/h,,4 mg/250 mL,\n2,4 mg/h,,4 mg/250 mL,250\n"
    result = invoke("batch", write(tmp_path, "o.csv", content))
    rows = csv_rows(result.stdout)
    assert rows[0]["match"] == ""  # no pump rate: nothing to check
    assert rows[0]["error"] == ""
    assert rows[1]["error"].startswith("pump '250': expected a unit")
    assert result.stderr == "Error: 1 of 2 rows had errors (see the error column)\n"


def test_pump_columns_are_in_every_json_lines_record() -> None:
    # any JSON line may hold a pump, so every record has the check fields (issue 16 item 3)
    lines = (
        '{"dose": "4 mg/h", "concentration": "4 mg/250 mL", "pump": "250 mL/h"}\n'
        '{"dose": "4 mg/h", "concentration": "4 mg/250 mL"}\n'
    )
    result = invoke("batch", "-", "--format", "jsonl", input=lines)
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert first["match"] is True
    assert second["match"] is None
    assert list(first)[-12:] == list(second)[-12:]
    assert result.exit_code == 0


def test_check_columns_do_not_depend_on_the_first_json_line() -> None:
    # issue 16 item 3: the first line has no pump, the second is programmed 10x too fast:
    # 4 mg/h / (4 mg/250 mL) = 250 mL/h ordered, 2,500 mL/h programmed
    lines = (
        '{"id": "a", "dose": "4 mg/h", "concentration": "4 mg/250 mL"}\n'
        '{"id": "b", "dose": "4 mg/h", "concentration": "4 mg/250 mL", "pump": "2500 mL/h"}\n'
    )
    result = invoke("batch", "-", "--format", "csv", input=lines)
    first, second = csv_rows(result.stdout)
    for column in ("pump", "match", "ratio", "causes"):
        assert column in first, column
    assert (first["pump"], first["match"]) == ("", "")
    assert (second["pump"], second["match"], second["ratio"]) == ("2500 mL/h", "false", "10.0")
    assert "10x" in second["causes"]
    # stderr points at a column that exists
    assert "(see the match column)" in result.stderr
    assert result.exit_code == 1


def test_the_match_column_named_on_stderr_is_the_one_written(tmp_path: Path) -> None:
    # an input column called "match" moves the verdict to result_match; stderr says so
    content = "match,dose,concentration,pump\nx,4 mg/h,4 mg/250 mL,2500 mL/h\n"
    result = invoke("batch", write(tmp_path, "o.csv", content), "--format", "csv")
    (row,) = csv_rows(result.stdout)
    assert (row["match"], row["result_match"]) == ("x", "false")
    assert "(see the result_match column)" in result.stderr


def test_map_pump_column(tmp_path: Path) -> None:
    content = "dose,concentration,programmed\n4 mg/h,4 mg/250 mL,250 mL/h\n"
    result = invoke("batch", write(tmp_path, "o.csv", content), "--map", "pump=programmed")
    (row,) = csv_rows(result.stdout)
    assert (row["match"], row["programmed_rate_value"]) == ("true", "250.0")


def test_json_lines_to_csv_keeps_the_first_lines_columns() -> None:
    lines = (
        '{"id": 1, "dose": "4 mg/h"}\n'
        '{"dose": "5 mg/h", "ward": "ICU"}\n'
        '{"id": 3, "dose": "6 mg/h", "weight": 70}\n'
    )
    result = invoke("batch", "-", "--format", "csv", input=lines)
    rows = csv_rows(result.stdout)
    # the first line's columns, then every column batch reads (a later line may hold it)
    columns = ["id", "dose", "weight", "concentration", "dose_unit", "pump", "drug"]
    assert list(rows[0])[:7] == columns
    assert [r["id"] for r in rows] == ["1", "", "3"]
    assert [r["weight"] for r in rows] == ["", "", "70"]
    # 4, 5, 6 mg/h x 24 h = 96, 120, 144 mg/day, each under its own row's names
    assert [r["per_day_value"] for r in rows] == ["96.0", "120.0", "144.0"]
    assert result.stderr == (
        "Warning: CSV output keeps the first row's columns; not written: ward\n"
    )
    assert result.exit_code == 0


def test_first_line_unreadable_json() -> None:
    # a first row with no fields at all still gets its computed fields and error
    result = invoke("batch", "-", "--input-format", "jsonl", input="{\n")
    (record,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert record["error"].startswith("line 1: not valid JSON (")
    assert record["per_hour"] is None
    assert result.exit_code == 1


# --- the flat-row path (CSV to CSV) -------------------------------------------------------


def flat_record(record: dict[str, Any], checked: bool) -> list[Any]:
    """What process_table gives for a row, worked out from process's record."""
    values = list(record.values())
    width = len(record) - len(batch_module.computed_fields(checked)) - 1
    flat: list[Any] = values[:width]
    for name, value in zip(batch_module.computed_fields(checked), values[width:], strict=False):
        if batch_module.is_measure(name):
            flat += (None, None) if value is None else (value[0], value[1])
        else:
            flat.append(value)
    flat.append(values[-1])
    return flat


def as_floats(row: list[Any], width: int) -> list[Any]:
    # process_table may give a figure as its repr; float(repr(x)) == x exactly
    return [
        float(v) if i >= width and isinstance(v, str) and v[:1].isdigit() else v
        for i, v in enumerate(row)
    ]


table_rows = st.lists(
    st.one_of(
        order_rows.map(lambda r: list(r.values())),
        mixed_rows.map(lambda r: [r["dose"], r["weight"], r["concentration"], ""]),
        st.just(["  ", " 7 mg/h", "72", "10 mg/mL"]),
    ),
    min_size=1,
    max_size=8,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(table_rows, st.sampled_from([Fraction(1, 10), Fraction(1, 100), Fraction(1)]))
def test_process_table_matches_process(rows: list[list[str]], resolution: Fraction) -> None:
    # the flat rows carry exactly process's figures, errors and warnings (ints, lb weights,
    # percent concentrations, units, mmol, mEq, reverse mL/h, pump warnings, bad cells)
    header = ["dose", "weight", "concentration", "dose_unit"]
    options = BatchOptions(pump_resolution=resolution)
    records = [(n, list(row), None) for n, row in enumerate(rows, start=2)]
    flat = list(batch_module.process_table(header, records, options))
    dicts = [InputRow(n, dict(zip(header, row, strict=True))) for n, row in enumerate(rows, 2)]
    for got, record in zip(flat, process(dicts, options), strict=True):
        assert as_floats(got, 4) == flat_record(record, False)


def test_process_table_pads_short_rows_and_checks_pumps() -> None:
    header = ["id", "dose", "weight", "concentration", "pump"]
    records = [
        (2, ["a", "7 mcg/kg/min", "72", "10 mg/mL", "3 mL/h"], None),
        (3, ["b", "7 mcg/kg/min"], "line 3: expected 5 columns, found 2"),
        (4, ["c", "4 mg/h", "", "1 mg/mL", ""], None),
    ]
    out = list(batch_module.process_table(header, [(n, list(r), p) for n, r, p in records]))
    assert [len(row) for row in out] == [
        5 + batch_module.FLAT_WIDTH + batch_module.CHECK_FLAT_WIDTH + 1
    ] * 3
    assert out[1][:5] == ["b", "7 mcg/kg/min", "", "", ""]  # padded, as the dict path writes
    assert out[1][-1] == "line 3: expected 5 columns, found 2"
    # 7 mcg/kg/min * 72 kg = 504 mcg/min = 30.24 mg/h; / 10 mg/mL = 3.024 mL/h -> 3 mL/h
    assert out[0][5 + batch_module.FLAT_WIDTH] is True
    assert out[2][5 + batch_module.FLAT_WIDTH] is None  # no pump rate: no verdict
    # the short row has no figures, only the error; the others match process exactly
    assert out[1][5:-1] == [None] * (batch_module.FLAT_WIDTH + batch_module.CHECK_FLAT_WIDTH)
    dicts = [InputRow(n, dict(zip(header, r, strict=False)), p) for n, r, p in records]
    for got, record in zip(out[::2], list(process(dicts))[::2], strict=True):
        assert as_floats(got, 5) == flat_record(record, True)


def test_rows_of_one_batch_keep_their_own_unit_combinations() -> None:
    # the same dose unit with and without a dose unit asked for, and asked for as itself:
    # three combinations, three plans (4 mg/h is 4 mg/h, 0.066667 mg/min, 4,000 mcg/h)
    rows = [
        {"dose": "4 mg/h", "dose_unit": ""},
        {"dose": "4 mg/h", "dose_unit": "mg/h"},
        {"dose": "4 mg/h", "dose_unit": "mcg/h"},
        {"dose": "4 mg/h", "dose_unit": ""},
    ]
    records = list(process(rows))
    assert [r["dose_rate"] for r in records] == [None, (4.0, "mg/h"), (4000.0, "mcg/h"), None]
    for row, record in zip(rows, records, strict=True):
        assert computed(record) == reference({"weight": "", "concentration": "", **row})


def test_a_lesson_shared_by_two_cells_is_said_once() -> None:
    # found by hypothesis: `11.0` in the dose and in the weight is one trailing-zero lesson,
    # said for the dose and naming the weight after it, as convert says it on stderr
    row = {"dose": "11.0 mcg/kg/min", "weight": "11.0", "concentration": "10 mg/mL"}
    (record,) = process([row | {"dose_unit": ""}])
    assert len(record["warnings"]) == 1
    assert record["warnings"][0].endswith("; also in weight '11.0'")
    assert computed(record) == reference(row | {"dose_unit": ""})
