"""``concentration``: the bag builder (rule-of-6 style) and stating a concentration."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import check_golden

BUILDER = ["--want", "0.1 mcg/kg/min", "--at", "1 mL/h", "-w", "3.2", "--volume", "50 mL"]


def test_builder_plain_golden(run: Any) -> None:
    # 0.1 mcg/kg/min x 3.2 kg = 0.32 mcg/min = 19.2 mcg/h; at 1 mL/h the bag needs
    # 19.2 mcg/mL; x 50 mL = 960 mcg (0.96 mg: less than 1 mg, so shown in mcg)
    result = run("concentration", *BUILDER)
    assert result.exit_code == 0, result.output
    assert "Add            960 mcg to make 50 mL" in result.stdout
    assert "Concentration  19.2 mcg/mL" in result.stdout
    assert "Each 1 mL/h    gives 0.1 mcg/kg/min" in result.stdout
    check_golden("concentration_builder.plain", result.stdout)


def test_builder_json_golden(run: Any) -> None:
    result = run("concentration", *BUILDER, "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    # machine output: every mass in mg (960 mcg = 0.96 mg; 19.2 mcg/mL = 0.0192 mg/mL)
    assert data["amount"] == {"value": 0.96, "unit": "mg"}
    assert data["concentration"] == {"value": 0.0192, "unit": "mg/mL"}
    assert data["check_dose"] == {"value": 0.1, "unit": "mcg/kg/min"}
    check_golden("concentration_builder.json", result.stdout)


def test_builder_absolute_dose_needs_no_weight(run: Any) -> None:
    # 5 mg/h at 2 mL/h: 2.5 mg/mL x 50 mL = 125 mg; each 1 mL/h gives 2.5 mg/h
    result = run(
        "concentration",
        "--want",
        "5 mg/h",
        "--at",
        "2 mL/h",
        "--volume",
        "50 mL",
        "--format",
        "json",
    )
    data = json.loads(result.stdout)
    assert data["amount"] == {"value": 125.0, "unit": "mg"}
    assert data["per_ml_per_hour"] == {"value": 2.5, "unit": "mg/h"}
    assert data["weight"] is None


def test_builder_classic_rule_of_six(run: Any) -> None:
    # rule of 6: 6 x weight mg in 100 mL makes 1 mL/h = 1 mcg/kg/min.
    # 1 mcg/kg/min x 10 kg x 100 mL / 1 mL/h = 10 mcg/min x 100 h = 60,000 mcg = 60 mg = 6 x 10
    result = run(
        "concentration",
        "--want",
        "1 mcg/kg/min",
        "--at",
        "1 mL/h",
        "-w",
        "10",
        "--volume",
        "100 mL",
        "--format",
        "json",
    )
    assert json.loads(result.stdout)["amount"] == {"value": 60.0, "unit": "mg"}


def test_builder_units_and_litres(run: Any) -> None:
    # 0.05 units/kg/h x 80 kg = 4 units/h; at 4 mL/h: 1 unit/mL; x 0.5 L (500 mL) = 500 units
    result = run(
        "concentration",
        "--want",
        "0.05 units/kg/h",
        "--at",
        "4 mL/h",
        "-w",
        "80",
        "--volume",
        "0.5 L",
        "--format",
        "json",
    )
    data = json.loads(result.stdout)
    assert data["amount"] == {"value": 500.0, "unit": "units"}
    assert data["volume"] == {"value": 500.0, "unit": "mL"}
    assert data["concentration"] == {"value": 1.0, "unit": "units/mL"}


@settings(max_examples=50, deadline=None)
@given(
    dose=st.integers(min_value=1, max_value=200),
    weight=st.integers(min_value=1, max_value=150),
    rate=st.integers(min_value=1, max_value=20),
    volume=st.sampled_from([20, 50, 100, 250]),
)
def test_builder_round_trip(dose: int, weight: int, rate: int, volume: int) -> None:
    # the command checks itself through calculate(); the property is that it never refuses
    # and its amount matches dose x weight x volume / rate (mcg/min x mL / (mL/h) x 60)
    from click.testing import CliRunner

    from infuse_calc.cli import cli

    result = CliRunner().invoke(
        cli,
        [
            "concentration",
            "--want",
            f"{dose} mcg/kg/min",
            "--at",
            f"{rate} mL/h",
            "-w",
            str(weight),
            "--volume",
            f"{volume} mL",
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    mcg = dose * weight * volume * 60 / rate
    scale = {"mcg": 1, "mg": 1000, "g": 1_000_000}[data["amount"]["unit"]]
    assert data["amount"]["value"] * scale == pytest.approx(mcg, rel=1e-12)
    assert data["check_dose"] == {"value": float(dose), "unit": "mcg/kg/min"}


def test_state_golden(run: Any) -> None:
    # 4 mg / 250 mL = 0.016 mg/mL = 16 mcg/mL
    result = run("concentration", "4 mg", "250 mL")
    assert result.exit_code == 0
    assert result.stdout == (
        "Amount         4 mg\n"
        "Volume         250 mL\n"
        "Concentration  16 mcg/mL\n"
        "In mg/mL       0.016 mg/mL\n"
    )
    check_golden("concentration_state.plain", result.stdout)


def test_state_json(run: Any) -> None:
    result = run("concentration", "25000 units", "250 mL", "--format", "json")
    data = json.loads(result.stdout)
    assert data["concentration"] == {"value": 100.0, "unit": "units/mL"}


def test_state_csv(run: Any) -> None:
    result = run("concentration", "4 mg", "250 mL", "--format", "csv")
    assert result.stdout.splitlines() == [
        "amount_value,amount_unit,volume_value,volume_unit,concentration_value,concentration_unit",
        # 4 / 250 = 0.016 mg/mL (shown as 16 mcg/mL; machine output in mg/mL)
        "4.0,mg,250.0,mL,0.016,mg/mL",
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "give AMOUNT and VOLUME"),
        (["4 mg"], 'give the volume too: "4 mg" "250 mL"'),
        (["4 kg", "250 mL"], "is not a drug amount"),
        (["4 mg", "250 mg"], "is not a volume"),
        (["0 mg", "250 mL"], "greater than zero"),
        (["-4 mg", "250 mL"], "negative"),
        (["nan mg", "250 mL"], "not a number"),
        (["inf mg", "250 mL"], "finite"),
        (["4", "250 mL"], "expected a number and a unit"),
        (["4 mg", ""], "empty"),
        (["4 foo", "250 mL"], "unknown unit"),
        (["4 mg", "250 mL", "-w", "70"], "--weight is used only with --want"),
        (["4 mg", "250 mL", "--want", "1 mg/h"], "not both"),
        (["--want", "1 mg/h", "--at", "1 mL/h"], "needs --volume"),
        (["--want", "1 mcg/kg/min", "--at", "1 mL/h", "--volume", "50 mL"], "per kg"),
        (["--want", "1 mL/h", "--at", "1 mL/h", "--volume", "50 mL"], "not a volume rate"),
        (["--want", "1 mg/h", "--at", "1 mg/h", "--volume", "50 mL"], "as a volume rate"),
        (["--want", "1 mg/h", "--at", "1 mL/h", "--volume", "50 mg"], "is not a volume"),
        (["--want", "1 mg/h", "--at", "0 mL/h", "--volume", "50 mL"], "greater than zero"),
    ],
)
def test_bad_input_exit_2(run: Any, args: list[str], message: str) -> None:
    result = run("concentration", *args)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("Error: ")
    assert message in result.stderr
    assert result.stdout == ""


def test_the_amount_to_add_reads_as_a_plain_number(run: Any) -> None:
    # 0.01 g/h at 1 mL/h is 0.01 g per mL; x 40 mL = 0.4 g = 400 mg: shown in mg, as every
    # figure is shown in the largest unit in which it is at least 1 (not 0.4 g)
    result = run("concentration", "--want", "0.01 g/h", "--at", "1 mL/h", "--volume", "40 mL")
    assert result.exit_code == 0
    assert "Add            400 mg to make 40 mL\n" in result.stdout
    assert "Concentration  10 mg/mL\n" in result.stdout
