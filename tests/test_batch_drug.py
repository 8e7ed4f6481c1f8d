"""``infuse-calc batch`` rows with a ``drug`` cell: the library as ``convert --drug`` uses it."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
LIBRARY = str(ROOT / "examples" / "drug-library.toml")
EXAMPLE = str(ROOT / "examples" / "orders-with-drugs.csv")

HEADER = "id,drug,dose,weight,concentration\n"


def _write(tmp_path: Path, text: str, name: str = "orders.csv") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def _jsonl(stdout: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stdout.splitlines()]


def _csv(stdout: str) -> list[dict[str, Any]]:
    return list(csv.DictReader(io.StringIO(stdout)))


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])  # CSV->CSV is the flat path, jsonl the dict one
def test_example_file_rows_in_equal_rows_out(run: Any, fmt: str) -> None:
    result = run("batch", EXAMPLE, "--library", LIBRARY, "--format", fmt)
    assert result.exit_code == 1  # the hard breach and the unknown drug are error rows
    rows = _csv(result.stdout) if fmt == "csv" else _jsonl(result.stdout)
    assert [r["id"] for r in rows] == ["1", "2", "3", "4", "5", "6"]
    errors = [r["error"] or None for r in rows]
    assert errors[0] is None
    assert errors[1] is None
    assert errors[2] is None
    assert errors[5] is None
    assert errors[3] is not None
    assert "above the hard maximum 50 mcg/kg/min" in errors[3]
    assert errors[4] is not None
    assert "did you mean norepinephrine?" in errors[4]
    assert "2 of 6 rows had errors" in result.stderr
    assert "EXAMPLE drug library" in result.stderr  # the library was read, once
    assert result.stderr.count("EXAMPLE drug library") == 1


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_concentration_from_the_library(run: Any, tmp_path: Path, fmt: str) -> None:
    path = _write(tmp_path, HEADER + "a,ketamine,0.5 mg/kg/h,80,\n")
    result = run("batch", path, "--library", LIBRARY, "--format", fmt)
    assert result.exit_code == 0, result.stderr
    # 0.5 mg/kg/h x 80 kg = 40 mg/h; the library's only ketamine bag is 500 mg/50 mL
    # = 10 mg/mL; 40 mg/h / 10 mg/mL = 4 mL/h. Within limits (soft max 1 mg/kg/h): no warning.
    if fmt == "csv":
        (row,) = _csv(result.stdout)
        assert (row["result_concentration_value"], row["result_concentration_unit"]) == (
            "10.0",
            "mg/mL",
        )
        assert (row["pump_rate_value"], row["pump_rate_unit"]) == ("4.0", "mL/h")
        assert row["warnings"] == ""
        assert row["error"] == ""
        assert row["concentration"] == ""  # the input cell passes through as it was
    else:
        (row,) = _jsonl(result.stdout)
        assert row["result_concentration"] == {"value": 10.0, "unit": "mg/mL"}
        assert row["pump_rate"] == {"value": 4.0, "unit": "mL/h"}
        assert row["warnings"] == []
        assert row["error"] is None


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_soft_breach_is_a_warning(run: Any, tmp_path: Path, fmt: str) -> None:
    path = _write(tmp_path, HEADER + "a,ketamine,1.5 mg/kg/h,80,\n")
    result = run("batch", path, "--library", LIBRARY, "--format", fmt)
    assert result.exit_code == 0, result.stderr
    # 1.5 mg/kg/h > soft max 1 mg/kg/h, < hard max 2 mg/kg/h; 1.5 x 80 / 10 = 12 mL/h
    (row,) = _csv(result.stdout) if fmt == "csv" else _jsonl(result.stdout)
    warnings = row["warnings"] if fmt == "csv" else " | ".join(row["warnings"])
    assert "ketamine: dose 1.5 mg/kg/h is above the soft maximum 1 mg/kg/h" in warnings
    pump = row["pump_rate_value"] if fmt == "csv" else row["pump_rate"]["value"]
    assert float(pump) == 12.0


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_hard_breach_is_an_error_row(run: Any, tmp_path: Path, fmt: str) -> None:
    text = HEADER + "a,dopamine,60 mcg/kg/min,70,400 mg/250 mL\nb,,5 mcg/kg/min,70,400 mg/250 mL\n"
    path = _write(tmp_path, text)
    result = run("batch", path, "--library", LIBRARY, "--format", fmt)
    assert result.exit_code == 1
    rows = _csv(result.stdout) if fmt == "csv" else _jsonl(result.stdout)
    assert len(rows) == 2
    # 60 > hard max 50 mcg/kg/min: the row's error is convert's message
    convert = run(
        "convert", "60", "mcg/kg/min", "--weight", "70", "--concentration", "400 mg/250 mL",
        "--drug", "dopamine", "--library", LIBRARY,
    )  # fmt: skip
    assert convert.exit_code == 1
    assert f"Error: {rows[0]['error']}" in convert.stderr.splitlines()
    assert rows[0]["direction"] in ("", None)
    # the other row is still computed: 5 x 70 = 350 mcg/min x 60 = 21,000 mcg/h;
    # 400 mg/250 mL = 1,600 mcg/mL; 21,000 / 1,600 = 13.125 mL/h
    second = rows[1]["pump_rate_value"] if fmt == "csv" else rows[1]["pump_rate"]["value"]
    assert float(second) == 13.125


def test_hard_breach_with_strict_stops(run: Any, tmp_path: Path) -> None:
    path = _write(tmp_path, HEADER + "a,dopamine,60 mcg/kg/min,70,400 mg/250 mL\n")
    result = run("batch", path, "--library", LIBRARY, "--strict")
    assert result.exit_code == 1
    assert "line 2: DOPamine: dose 60 mcg/kg/min is above the hard maximum" in result.stderr


def test_unknown_drug_names_close_ones(run: Any, tmp_path: Path) -> None:
    path = _write(tmp_path, HEADER + "a,noradrenalin,8 mcg/min,,4 mg/250 mL\n")
    result = run("batch", path, "--library", LIBRARY, "--format", "jsonl")
    assert result.exit_code == 1
    (row,) = _jsonl(result.stdout)
    assert "drug 'noradrenalin' is not in the drug library" in row["error"]
    assert "did you mean norepinephrine?" in row["error"]
    assert row["pump_rate"] is None


def test_explicit_concentration_and_a_non_standard_one(run: Any, tmp_path: Path) -> None:
    text = (
        HEADER
        + "a,norepinephrine,8 mcg/min,,4 mg/250 mL\nb,norepinephrine,8 mcg/min,,5 mg/250 mL\n"
    )
    result = run("batch", _write(tmp_path, text), "--library", LIBRARY, "--format", "jsonl")
    assert result.exit_code == 0, result.stderr
    first, second = _jsonl(result.stdout)
    # 4 mg/250 mL = 16 mcg/mL; 8 mcg/min x 60 = 480 mcg/h; 480 / 16 = 30 mL/h; standard bag
    assert first["pump_rate"] == {"value": 30.0, "unit": "mL/h"}
    assert first["warnings"] == []
    # 5 mg/250 mL = 20 mcg/mL; 480 / 20 = 24 mL/h; not one of the library's bags
    assert second["pump_rate"] == {"value": 24.0, "unit": "mL/h"}
    assert any("not a standard concentration" in w for w in second["warnings"])


def test_several_standard_concentrations_and_none_given_uses_the_first(
    run: Any, tmp_path: Path
) -> None:
    path = _write(tmp_path, HEADER + "a,norepinephrine,8 mcg/min,,\n")
    result = run("batch", path, "--library", LIBRARY, "--format", "jsonl")
    assert result.exit_code == 0, result.stderr
    (row,) = _jsonl(result.stdout)
    # the library's first bag, 4 mg/250 mL = 16 mcg/mL: 8 mcg/min x 60 / 16 = 30 mL/h
    # (machine output: 4 / 250 = 0.016 mg/mL, every mass concentration in mg/mL)
    assert row["result_concentration"] == {"value": 0.016, "unit": "mg/mL"}
    assert row["pump_rate"] == {"value": 30.0, "unit": "mL/h"}


CASES = [
    # (drug, dose words, weight, concentration)
    ("ketamine", "0.5 mg/kg/h", "80", None),
    ("ketamine", "1.5 mg/kg/h", "80", None),
    ("Levophed", "8 mcg/min", None, "8 mg/250 mL"),
    ("dopamine", "7.5 mcg/kg/min", "72", "400 mg/250 mL"),
    ("ketamine", "12 mL/h", "80", None),  # reverse: the delivered dose is checked
    ("heparin", "18 units/kg/h", "154 lb", "25000 units/250 mL"),
]


@pytest.mark.parametrize(("drug", "dose", "weight", "conc"), CASES)
def test_same_figures_and_warnings_as_convert(
    run: Any, tmp_path: Path, drug: str, dose: str, weight: str | None, conc: str | None
) -> None:
    args = ["convert", *dose.split(), "--drug", drug, "--library", LIBRARY, "--format", "json"]
    if weight is not None:
        args += ["--weight", weight]
    if conc is not None:
        args += ["--concentration", conc]
    convert = run(*args)
    assert convert.exit_code == 0, convert.stderr
    expected = json.loads(convert.stdout)
    text = HEADER + f"x,{drug},{dose},{weight or ''},{conc or ''}\n"
    path = _write(tmp_path, text)
    result = run("batch", path, "--library", LIBRARY, "--format", "jsonl")
    assert result.exit_code == 0, result.stderr
    (row,) = _jsonl(result.stdout)
    renamed = {"dose": "result_dose", "weight": "result_weight"}
    renamed["concentration"] = "result_concentration"
    for name in ("direction", "per_minute", "per_hour", "per_day", "pump_rate"):
        assert row[name] == expected[name], name
    # convert also shows the dose in the drug's dosing unit (dose_unit_for); batch.py does
    # not apply that default yet, so its dose_rate is the one it computes on its own
    if row["dose_rate"] is not None:
        assert row["dose_rate"] == expected["dose_rate"]
    for name in ("dose", "weight", "concentration"):
        assert row[renamed[name]] == expected[name], name
    for name in ("pump_rate_rounded", "rounded_rate_delivers", "rounded_rate_difference_percent"):
        assert row[name] == expected[name], name
    # convert prints its warnings (limits included) on stderr; batch puts them in the row
    printed = [line.removeprefix("Warning: ") for line in convert.stderr.splitlines()]
    assert all(w in printed for w in row["warnings"])
    assert [w for w in printed if "EXAMPLE drug library" not in w] == row["warnings"]


def test_csv_to_csv_same_figures_as_jsonl(run: Any, tmp_path: Path) -> None:
    lines = [f"{i},{d},{x},{w or ''},{c or ''}\n" for i, (d, x, w, c) in enumerate(CASES)]
    text = HEADER + "".join(lines)
    path = _write(tmp_path, text)
    flat = _csv(run("batch", path, "--library", LIBRARY).stdout)
    rows = _jsonl(run("batch", path, "--library", LIBRARY, "--format", "jsonl").stdout)
    assert len(flat) == len(rows) == len(CASES)
    for a, b in zip(flat, rows, strict=True):
        assert b["error"] is None
        assert a["error"] == ""
        assert float(a["pump_rate_value"]) == b["pump_rate"]["value"]
        assert float(a["per_hour_value"]) == b["per_hour"]["value"]
        assert a["warnings"] == "; ".join(b["warnings"])


def test_map_drug_column(run: Any, tmp_path: Path) -> None:
    path = _write(tmp_path, "id,medication,dose,weight\na,ketamine,0.5 mg/kg/h,80\n")
    result = run(
        "batch", path, "--library", LIBRARY, "--map", "drug=medication", "--format", "jsonl"
    )
    assert result.exit_code == 0, result.stderr
    (row,) = _jsonl(result.stdout)
    assert row["pump_rate"] == {"value": 4.0, "unit": "mL/h"}  # as in the library test above
    assert row["medication"] == "ketamine"


def test_area_applies_its_limits(run: Any, tmp_path: Path) -> None:
    path = _write(tmp_path, HEADER + "a,ketamine,0.75 mg/kg/h,80,\n")
    plain = _jsonl(run("batch", path, "--library", LIBRARY, "--format", "jsonl").stdout)
    area = run("batch", path, "--library", LIBRARY, "--area", "pain-service", "--format", "jsonl")
    # 0.75 mg/kg/h: within the general soft max 1 mg/kg/h, above pain-service's 0.5
    assert plain[0]["warnings"] == []
    (row,) = _jsonl(area.stdout)
    assert any("(pain-service)" in w and "soft maximum 0.5 mg/kg/h" in w for w in row["warnings"])


def test_bad_library_option_stops_the_run(run: Any, tmp_path: Path) -> None:
    missing = str(tmp_path / "nowhere.toml")
    path = _write(tmp_path, HEADER + "a,ketamine,0.5 mg/kg/h,80,\n")
    result = run("batch", path, "--library", missing)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"Error: drug library {missing}: file not found (from --library); give one with "
        "--library or $INFUSE_CALC_LIBRARY (examples/drug-library.toml shows the format)"
    ]


def test_bad_library_from_the_environment_stops_the_run(
    run: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INFUSE_CALC_LIBRARY", str(tmp_path / "nowhere.toml"))
    path = _write(tmp_path, HEADER + "a,,0.5 mg/kg/h,80,10 mg/mL\n")
    result = run("batch", path)
    assert result.exit_code == 2
    assert result.stdout == ""
    # the message names where the path came from: the variable, not --library
    assert "nowhere.toml: file not found (from $INFUSE_CALC_LIBRARY)" in result.stderr


@pytest.mark.parametrize("command", [("batch",), ("convert", "1 mcg/min"), ("drugs", "list")])
def test_a_library_from_the_config_file_is_named_as_such(
    run: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: tuple[str, ...]
) -> None:
    missing = tmp_path / "nowhere.toml"
    config = tmp_path / "c.toml"
    config.write_text(f'[defaults]\nlibrary = "{missing}"\n')
    monkeypatch.setenv("INFUSE_CALC_CONFIG", str(config))
    monkeypatch.delenv("INFUSE_CALC_LIBRARY", raising=False)
    path = _write(tmp_path, HEADER + "a,ketamine,0.5 mg/kg/h,80,\n")
    args = (command[0], path) if command == ("batch",) else (*command, "--drug", "ketamine")
    if command[0] == "drugs":
        args = command
    result = run(*args)
    assert result.exit_code == 2
    assert f"{missing}: file not found (from the config file {config})" in result.stderr


def test_without_a_library_rows_use_the_builtin_one(
    run: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # no --library, no $INFUSE_CALC_LIBRARY and none in the user config directory
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    text = (
        HEADER
        + "a,ketamine,0.5 mg/kg/h,80,\nb,,0.5 mg/kg/h,80,10 mg/mL\nc,dopamine,5 mcg/kg/min,70,\n"
    )
    result = run("batch", _write(tmp_path, text), "--format", "jsonl")
    assert result.exit_code == 1
    first, second, third = _jsonl(result.stdout)
    assert first["error"].startswith("drug 'ketamine' is not in the drug library (built-in)")
    assert second["error"] is None
    assert second["pump_rate"] == {"value": 4.0, "unit": "mL/h"}
    # built-in DOPamine, first standard 1600 mcg/mL: 5 x 70 x 60 / 1600 = 13.125 mL/h
    assert third["error"] is None
    assert third["pump_rate"] == {"value": 13.125, "unit": "mL/h"}
    assert "reference data to learn and check with" in result.stderr


def test_default_library_not_read_without_a_drug_cell(
    run: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))  # no library there
    path = _write(tmp_path, HEADER + "a,,0.5 mg/kg/h,80,10 mg/mL\nb, ,1 mg/kg/h,80,10 mg/mL\n")
    result = run("batch", path)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""


def test_output_over_the_library_is_refused(run: Any, tmp_path: Path) -> None:
    library = tmp_path / "lib.toml"
    original = Path(LIBRARY).read_bytes()
    library.write_bytes(original)
    path = _write(tmp_path, HEADER + "a,ketamine,0.5 mg/kg/h,80,\n")
    result = run("batch", path, "--library", str(library), "-o", str(library))
    assert result.exit_code == 2
    assert "is an input file" in result.stderr
    assert library.read_bytes() == original


def test_output_over_the_library_from_the_environment_is_refused(
    run: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    library = tmp_path / "lib.toml"
    library.write_bytes(Path(LIBRARY).read_bytes())
    monkeypatch.setenv("INFUSE_CALC_LIBRARY", str(library))
    path = _write(tmp_path, HEADER + "a,ketamine,0.5 mg/kg/h,80,\n")
    result = run("batch", path, "-o", str(library))
    assert result.exit_code == 2
    assert library.read_bytes() == Path(LIBRARY).read_bytes()


@pytest.mark.parametrize(
    ("pump", "cause"),
    [
        # 18 units/kg/h x 80 kg = 1,440 units/h; the row's bag is 25,000 units/500 mL = 50
        # units/mL: 28.8 mL/h. Worked out for heparin's standard 25,000 units/250 mL bag
        # (100 units/mL): 14.4 mL/h, 0.5x. Without the drug, only "half strength" is seen.
        ("14.4 mL/h", "rate worked out for the 25,000 units/250 mL bag, not this one?"),
        # 1,440 typed as 144: 2.88 mL/h is 1/10x (a decimal slip), whatever the drug
        ("2.88 mL/h", "1/10x"),
    ],
)
def test_batch_pump_causes_are_checks_for_the_same_drug(
    run: Any, tmp_path: Path, pump: str, cause: str
) -> None:
    order = ("18 units/kg/h", "80", "25000 units/500 mL")
    text = f"dose,weight,concentration,drug,pump\n{','.join(order)},heparin,{pump}\n"
    batch = run("batch", _write(tmp_path, text), "--format", "jsonl")
    (row,) = _jsonl(batch.stdout)
    args = ("check", order[0], "-w", order[1], "-c", order[2], "--drug", "heparin")
    checked = run(*args, "--pump", pump, "--format", "json")
    assert checked.exit_code == 1  # a mismatch
    causes = [c["text"] for c in json.loads(checked.stdout)["causes"]]
    assert row["causes"] == causes
    assert any(cause in c for c in causes), causes


def test_batch_row_without_the_drug_misses_its_other_bag(run: Any, tmp_path: Path) -> None:
    text = "dose,weight,concentration,pump\n18 units/kg/h,80,25000 units/500 mL,14.4 mL/h\n"
    (row,) = _jsonl(run("batch", _write(tmp_path, text), "--format", "jsonl").stdout)
    assert row["causes"] == [
        "pump is 0.5x the order: rate worked out for double this concentration: is the bag "
        "half strength?"
    ]
