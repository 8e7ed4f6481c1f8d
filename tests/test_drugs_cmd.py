"""The built-in library on the command line: ``drugs``, ``--drug`` on every command, user
libraries over the built-in one, and the errors. Figures are worked by hand in comments."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import check_golden

NOTICE = "reference data to learn and check with: verify against your institution's library"
FORMATS = ["table", "plain", "csv", "json"]


def lines_of(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


# --- drugs list / search / show ------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_drugs_list_golden(run: Any, fmt: str) -> None:
    result = run("drugs", "list", "--format", fmt)
    assert result.exit_code == 0, result.stderr
    check_golden(f"drugs-list.{fmt}", result.stdout)


@pytest.mark.parametrize("fmt", FORMATS)
def test_drugs_search_golden(run: Any, fmt: str) -> None:
    result = run("drugs", "search", "PINE", "--format", fmt)
    assert result.exit_code == 0, result.stderr
    check_golden(f"drugs-search.{fmt}", result.stdout)


@pytest.mark.parametrize("fmt", FORMATS)
def test_drugs_show_golden(run: Any, fmt: str) -> None:
    result = run("drugs", "show", "amiodarone", "--format", fmt)
    assert result.exit_code == 0, result.stderr
    check_golden(f"drugs-show.{fmt}", result.stdout)


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_drugs_output_says_it_is_reference_data(run: Any, fmt: str) -> None:
    for args in (["list"], ["search", "vaso"], ["show", "heparin"]):
        result = run("drugs", *args, "--format", fmt)
        shown = result.stderr if fmt == "csv" else result.stdout
        assert NOTICE in " ".join(shown.split()), (args, fmt)  # a table may wrap it


def test_drugs_show_json_traces_every_concentration(run: Any) -> None:
    result = run("drugs", "show", "Levophed", "--format", "json")
    document = json.loads(result.stdout)
    drug = document["drug"]
    assert drug["name"] == "norepinephrine"
    assert drug["dose_unit"] == "mcg/min"
    (conc,) = drug["concentrations"]
    # 4 mg/250 mL = 0.016 mg/mL (machine output: every mass concentration in mg/mL)
    assert conc["per_ml"] == {"value": 0.016, "unit": "mg/mL"}
    assert conc["basis"] == "premix label"
    assert "0338-0112" in conc["published"]
    assert drug["limits"] == {}
    assert document["libraries"] == ["built-in"]
    assert document["reference_notice"].endswith(NOTICE)


def test_drugs_search_without_a_match(run: Any) -> None:
    result = run("drugs", "search", "zzz", "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["drugs"] == []
    plain = run("drugs", "search", "zzz", "--format", "plain")
    assert "No drug name or alias contains 'zzz'." in plain.stdout


def test_drugs_show_unknown_name(run: Any) -> None:
    result = run("drugs", "show", "noradrenalin")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "Error: drug 'noradrenalin' is not in the drug library (built-in): did you mean "
        "norepinephrine? (infuse-calc drugs list shows all 30)"
    ]


def test_drugs_output_file(run: Any, tmp_path: Path) -> None:
    out = tmp_path / "drugs.csv"
    result = run("drugs", "list", "--format", "csv", "-o", str(out))
    assert result.exit_code == 0
    assert result.stdout == ""
    rows = out.read_text("utf-8").splitlines()
    assert rows[0] == "name,key,aliases,dose_unit,concentrations,population,basis,library,source"
    assert len(rows) == 31


# --- --drug on each command, with the built-in library -------------------------------------


def test_convert_with_a_builtin_drug(run: Any) -> None:
    result = run("convert", "0.1", "mcg/kg/min", "-w", "80", "--drug", "norepinephrine")
    assert result.exit_code == 0, result.stderr
    # 0.1 x 80 = 8 mcg/min = 480 mcg/h; / 16 mcg/mL = 30 mL/h
    assert "Set pump to      30 mL/h (exact)" in result.stdout
    assert "Concentration    4 mg in 250 mL = 16 mcg/mL" in result.stdout
    assert "built-in reference data" in result.stdout
    assert f"Note: built-in standard concentrations are {NOTICE}" in result.stderr


def test_a_dose_in_another_unit_is_also_shown_in_the_dosing_unit(run: Any) -> None:
    args = ["convert", "8 mcg/min", "-w", "80", "--drug", "DOBUTamine", "--format", "json"]
    document = json.loads(run(*args).stdout)
    # 8 mcg/min / 80 kg = 0.1 mcg/kg/min (DOBUTamine is dosed in mcg/kg/min)
    assert document["dose_rate"] == {"value": 0.1, "unit": "mcg/kg/min"}
    plain = run("convert", "8 mcg/min", "-w", "80", "--drug", "DOBUTamine")
    assert "Dose as mcg/kg/min  0.1 mcg/kg/min" in plain.stdout
    # without the weight it cannot be: a note says why, the rest is calculated
    unweighed = run("convert", "8 mcg/min", "--drug", "DOBUTamine")
    assert unweighed.exit_code == 0
    assert "Note: give --weight to show the dose in mcg/kg/min" in unweighed.stderr


def test_a_pump_rate_delivers_a_dose_shown_in_the_dosing_unit(run: Any) -> None:
    args = ["convert", "6 mL/h", "-w", "80", "--drug", "DOBUTamine", "--format", "json"]
    document = json.loads(run(*args).stdout)
    # 6 mL/h x 4,000 mcg/mL = 24,000 mcg/h = 400 mcg/min; / 80 kg = 5 mcg/kg/min
    assert document["dose_rate"] == {"value": 5.0, "unit": "mcg/kg/min"}


def test_check_with_a_builtin_drug(run: Any) -> None:
    result = run(
        "check", "0.1 units/kg/h", "-w", "80", "--drug", "insulin", "--pump", "8 mL/h",
        "--format", "json",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    # 0.1 x 80 = 8 units/h; 1 unit/mL: 8 mL/h
    assert document["match"] is True
    assert document["drug_library"]["concentration"]["text"] == "100 units/100 mL"
    assert document["drug_library"]["reference_notice"].endswith(NOTICE)


def test_titrate_with_a_builtin_drug_reads_unitless_doses_in_its_unit(run: Any) -> None:
    result = run(
        "titrate", "--drug", "dopamine", "--from", "2", "--to", "6", "--step", "4", "-w", "80",
        "--format", "json",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    rungs = json.loads(result.stdout)["rows"]
    # first standard 1,600 mcg/mL: 2 x 80 x 60 / 1,600 = 6 mL/h; 6 x 80 x 60 / 1,600 = 18
    assert [r["pump_rate"]["value"] for r in rungs] == [6.0, 18.0]
    assert "Note: doses without a unit are read as mcg/kg/min" in result.stderr
    assert "DOPamine has 2 standard concentrations; using the first" in result.stderr


def test_chart_with_a_builtin_drug(run: Any) -> None:
    result = run(
        "chart", "--drug", "DOBUTamine", "--weights", "50..120/10", "--doses", "2.5,5,10",
        "--format", "json",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)["rows"]
    # 80 kg, 5 mcg/kg/min: 5 x 80 x 60 = 24,000 mcg/h / 4,000 mcg/mL = 6 mL/h
    eighty = next(r for r in rows if r["weight"]["value"] == 80.0)
    assert eighty["cells"][1]["pump_rate"] == {"value": 6.0, "unit": "mL/h"}


def test_unitless_doses_need_a_confirmed_dosing_unit(run: Any) -> None:
    result = run("chart", "--drug", "heparin", "--weights", "80", "--doses", "18")
    assert result.exit_code == 2
    assert "does not confirm its dosing unit" in result.stderr.splitlines()[-1]


def test_batch_drug_column_with_the_builtin_library(run: Any, tmp_path: Path) -> None:
    orders = tmp_path / "orders.csv"
    orders.write_text("id,drug,dose,weight\n1,heparin,18 units/kg/h,80\n", "utf-8")
    result = run("batch", str(orders), "--format", "jsonl")
    assert result.exit_code == 0, result.stderr
    row = json.loads(result.stdout)
    # 18 x 80 = 1,440 units/h; 25,000 units/250 mL = 100 units/mL: 14.4 mL/h
    assert row["pump_rate"] == {"value": 14.4, "unit": "mL/h"}
    assert NOTICE in result.stderr


# --- two standard concentrations -----------------------------------------------------------


def test_the_first_of_two_is_used_and_said(run: Any) -> None:
    result = run("convert", "1 mg/min", "--drug", "amiodarone", "--format", "json")
    assert result.exit_code == 0
    note = (
        "amiodarone has 2 standard concentrations; using the first, 1.5 mg/mL (peripheral) "
        "(others: 3.6 mg/mL (central); pick one with --concentration central)"
    )
    assert f"Note: {note}" in result.stderr
    document = json.loads(result.stdout)
    assert note in document["drug_library"]["notes"]
    assert document["drug_library"]["concentration"]["chosen"] == "first"
    # 1 mg/min = 60 mg/h / 1.5 mg/mL = 40 mL/h
    assert document["pump_rate"] == {"value": 40.0, "unit": "mL/h"}


@pytest.mark.parametrize("pick", ["central", "CENTRAL", "second", "3.6 mg/mL", "360 mg/100 mL"])
def test_concentration_picks_another(run: Any, pick: str) -> None:
    args = ["convert", "1 mg/min", "--drug", "amiodarone", "-c", pick, "--format", "json"]
    result = run(*args)
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    # 60 mg/h / 3.6 mg/mL = 16.666... mL/h
    assert document["pump_rate"]["value"] == pytest.approx(60 / 3.6, rel=1e-12)
    assert document["drug_library"]["concentration"]["label"] == "central"
    assert "standard concentrations; using the first" not in result.stderr


def test_an_unknown_label_is_refused(run: Any) -> None:
    result = run("convert", "1 mg/min", "--drug", "amiodarone", "-c", "third")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        "Error: --concentration 'third': amiodarone has no standard concentration called "
        "'third' (labels: first, peripheral, second, central); or give the concentration "
        "itself, e.g. 4 mg/250 mL"
    )


def test_a_label_without_a_drug_is_a_bad_concentration(run: Any) -> None:
    result = run("convert", "1 mg/min", "-c", "second")
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith("Error: Invalid value for '-c' / '--concentration': 'second'")


# --- refused ---------------------------------------------------------------------------------


def test_a_dose_in_the_wrong_dimension_is_refused(run: Any) -> None:
    result = run("convert", "5 units/h", "-w", "80", "--drug", "dopamine")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        "Error: dose 5 units/h is in units but the library doses DOPamine in mcg/kg/min"
    )


def test_an_unknown_drug_is_one_line_with_close_names(run: Any) -> None:
    result = run("convert", "8 mcg/min", "--drug", "phenylephrin")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "Error: drug 'phenylephrin' is not in the drug library (built-in): did you mean "
        "phenylephrine? (infuse-calc drugs list shows all 30)"
    ]


# --- a user's library over the built-in one ------------------------------------------------

OVERRIDE = """\
[library]
name = "ward"

[drug.heparin]
soft_max = "25 units/kg/h"
hard_max = "40 units/kg/h"
source = "ward anticoagulation policy (test)"

[drug.Levophed]
concentrations = [{ value = "8 mg/250 mL", label = "double" }]

[drug.ketamine]
dose_unit = "mcg/kg/min"
concentrations = ["500 mg/50 mL"]

[drug."insulin lispro"]
aliases = ["insulin"]
dose_unit = "units/h"
concentrations = ["100 units/100 mL"]
"""


@pytest.fixture
def ward(tmp_path: Path) -> str:
    path = tmp_path / "ward.toml"
    path.write_text(OVERRIDE, "utf-8")
    return str(path)


def test_a_user_entry_overrides_a_builtin_one_field_by_field(run: Any, ward: str) -> None:
    result = run("drugs", "show", "heparin", "--library", ward, "--format", "json")
    drug = json.loads(result.stdout)["drug"]
    assert drug["limits"] == {
        "soft_max": {"value": 25.0, "unit": "units/kg/h"},
        "hard_max": {"value": 40.0, "unit": "units/kg/h"},
    }
    assert drug["origins"]["limits"] == ward
    assert drug["origins"]["concentrations"] == "built-in"
    assert drug["origins"]["dose_unit"] == "built-in"
    assert drug["concentrations"][0]["text"] == "25000 units/250 mL"
    table = run("drugs", "show", "heparin", "--library", ward, "--format", "plain").stdout
    assert any(line.startswith("Limits") and line.endswith(ward) for line in table.splitlines())


def test_user_limits_apply_to_a_builtin_drug(run: Any, ward: str) -> None:
    # 30 units/kg/h: above the soft 25, below the hard 40
    soft = run("convert", "30 units/kg/h", "-w", "80", "--drug", "heparin", "--library", ward)
    assert soft.exit_code == 0
    assert "above the soft maximum 25 units/kg/h" in soft.stderr
    hard = run("convert", "50 units/kg/h", "-w", "80", "--drug", "heparin", "--library", ward)
    assert hard.exit_code == 1
    assert f"(library {ward}; source: ward anticoagulation policy (test))" in hard.stderr


def test_an_override_by_alias_keeps_the_builtin_name(run: Any, ward: str) -> None:
    args = ["convert", "8 mcg/min", "--drug", "noradrenaline", "--library", ward]
    result = run(*args, "--format", "json")
    document = json.loads(result.stdout)
    assert document["drug"] == "norepinephrine"
    # 8 mg/250 mL = 32 mcg/mL: 480 mcg/h / 32 = 15 mL/h
    assert document["pump_rate"] == {"value": 15.0, "unit": "mL/h"}
    # the ward's bag, but the built-in entry's dosing unit: still reference data
    assert document["drug_library"]["concentration"]["label"] == "double"
    assert document["drug_library"]["reference_notice"].endswith(NOTICE)
    labelled = run(*args, "-c", "double", "--format", "json")
    assert json.loads(labelled.stdout)["pump_rate"] == {"value": 15.0, "unit": "mL/h"}


def test_a_user_library_extends_the_builtin_one(run: Any, ward: str) -> None:
    names = [
        d["name"]
        for d in json.loads(run("drugs", "list", "--library", ward, "--format", "json").stdout)[
            "drugs"
        ]
    ]
    assert "ketamine" in names
    assert "DOPamine" in names
    assert len(names) == 32


def test_a_name_two_drugs_answer_to_lists_both(run: Any, ward: str) -> None:
    result = run("convert", "5 units/h", "--drug", "insulin", "--library", ward)
    assert result.exit_code == 2
    message = result.stderr.splitlines()[-1]
    assert message.startswith("Error: drug 'insulin' is ambiguous: it names 2 drugs:")
    assert "insulin (built-in:" in message
    assert f"insulin lispro ({ward}:" in message
    assert run("convert", "5 units/h", "--drug", "Myxredlin", "--library", ward).exit_code == 0


def test_builtin_false_turns_the_builtin_library_off(run: Any, tmp_path: Path) -> None:
    path = tmp_path / "alone.toml"
    path.write_text(
        '[library]\nbuiltin = false\n\n[drug.ketamine]\ndose_unit = "mcg/kg/min"\n'
        'concentrations = ["500 mg/50 mL"]\n',
        "utf-8",
    )
    listed = json.loads(run("drugs", "list", "--library", str(path), "--format", "json").stdout)
    assert [d["name"] for d in listed["drugs"]] == ["ketamine"]
    assert listed["libraries"] == [str(path)]
    assert "reference_notice" not in listed
    result = run("convert", "8 mcg/min", "--drug", "norepinephrine", "--library", str(path))
    assert result.exit_code == 2
    assert "is not in the drug library" in result.stderr


@pytest.mark.parametrize(
    ("entry", "needle", "message"),
    [
        (
            '[drug.heparin]\nconcentrations = ["25 mg/250 mL"]\n',
            "concentrations",
            "drug 'heparin': concentration '25 mg/250 mL' is in mass (mcg, mg, g...) but "
            "dose_unit units/h is in units",
        ),
        (
            '[drug.norepinephrine]\ndose_unit = "units/min"\n',
            "dose_unit",
            "drug 'norepinephrine': dose_unit units/min is in units but norepinephrine in the "
            "built-in library is dosed in mcg/min (mass (mcg, mg, g...)): an entry may change "
            "the unit, not what the dose measures",
        ),
        (
            '[drug.dopamine]\nsoft_max = "5 units/h"\n',
            "soft_max",
            "drug 'dopamine': soft_max '5 units/h' is in units but dose_unit mcg/kg/min is in "
            "mass (mcg, mg, g...)",
        ),
    ],
)
def test_a_builtin_drug_redefined_in_the_wrong_dimension_is_refused(
    run: Any, tmp_path: Path, entry: str, needle: str, message: str
) -> None:
    path = tmp_path / "bad.toml"
    text = '[library]\nname = "bad"\n\n' + entry
    path.write_text(text, "utf-8")
    line = next(i for i, t in enumerate(text.splitlines(), 1) if t.startswith(needle))
    result = run("drugs", "list", "--library", str(path))
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [f"Error: drug library {path}, line {line}: {message}"]


def test_config_show_lists_the_libraries_in_effect(
    run: Any, ward: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = run("config", "show", "--format", "plain").stdout
    assert "drug_libraries       built-in (30 drugs)  default" in plain
    monkeypatch.setenv("INFUSE_CALC_LIBRARY", ward)
    document = json.loads(run("config", "show", "--format", "json").stdout)
    assert document["drug_libraries"] == [
        {"name": "built-in", "version": "2026.11", "drugs": 30, "origin": "package data"},
        {"name": ward, "origin": "env: INFUSE_CALC_LIBRARY", "drugs": 4},
    ]
    setting = next(s for s in document["settings"] if s["setting"] == "drug_libraries")
    assert setting["value"] == f"built-in (30 drugs) + {ward} (4 drugs)"
    monkeypatch.setenv("INFUSE_CALC_LIBRARY", ward + ".missing")
    broken = run("config", "show", "--format", "json")
    assert broken.exit_code == 0
    assert "file not found" in json.loads(broken.stdout)["drug_libraries"][1]["error"]


def test_a_library_chosen_once_is_no_error_without_drug(
    run: Any, ward: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = ["convert", "7 mcg/kg/min", "-w", "72", "-c", "10 mg/mL", "--format", "json"]
    monkeypatch.setenv("INFUSE_CALC_LIBRARY", ward)
    assert run(*plain).exit_code == 0
    monkeypatch.delenv("INFUSE_CALC_LIBRARY")
    config = tmp_path / "config.toml"
    config.write_text(f'[defaults]\nlibrary = "{ward}"\n', "utf-8")
    monkeypatch.setenv("INFUSE_CALC_CONFIG", str(config))
    assert run(*plain).exit_code == 0
    # and is the library --drug uses
    result = run("convert", "30 units/kg/h", "-w", "80", "--drug", "heparin")
    assert "above the soft maximum 25 units/kg/h" in result.stderr
    # typed on the command line without --drug, it is a slip
    typed = run(*plain, "--library", ward)
    assert typed.exit_code == 2
    assert typed.stderr.splitlines()[-1] == "Error: --area and --library need --drug"


def test_check_shows_the_order_in_the_dosing_unit(run: Any) -> None:
    args = ["check", "8 mcg/min", "-w", "80", "--drug", "DOBUTamine", "--pump", "0.12 mL/h"]
    result = run(*args, "--pump-resolution", "0.01", "--format", "json")
    document = json.loads(result.stdout)
    # 8 mcg/min / 80 kg = 0.1 mcg/kg/min; x 80 x 60 / 4,000 mcg/mL = 0.12 mL/h: a match
    assert document["match"] is True
    assert document["drug_library"]["order_in_dose_unit"] == {"value": 0.1, "unit": "mcg/kg/min"}
    plain = run(*args, "--pump-resolution", "0.01", "--format", "plain").stdout
    assert "Order as mcg/kg/min  0.1 mcg/kg/min" in plain
    assert plain.startswith("Drug                 DOBUTamine (built-in reference data")
