"""Warnings where they matter, each once (issue 16 item 8).

The pump's top rate and the daily volume of one infusion are rules of the engine
(:mod:`infuse_calc.pump`), evaluated for every order of every command, in both directions;
a lesson repeated for several inputs, or a library source cited by several warnings, is said
once per run (:func:`infuse_calc.run_warnings.once`).
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from infuse_calc.batch import BatchOptions, process
from infuse_calc.pump import PumpLimits
from infuse_calc.run_warnings import cite, once

ABOVE = "is above 999 mL/h, the top of most pumps' range"
EXAMPLE_LIBRARY = str(Path(__file__).parent.parent / "examples" / "drug-library.toml")


def warnings_of(stderr: str) -> list[str]:
    return [line.removeprefix("Warning: ") for line in stderr.splitlines() if "Warning" in line]


# --- the pump's top rate, both ways ------------------------------------------------------


def test_a_typed_rate_above_the_pump_range_is_warned(run: Any) -> None:
    # reverse: the rate typed is itself above 999 mL/h (was silent)
    result = run("convert", "1200 mL/h", "-c", "1 g/500 mL")
    assert result.exit_code == 0
    assert (
        "pump rate 1,200 mL/h is above 999 mL/h, the top of most pumps' range: check the rate"
        in (warnings_of(result.stderr))
    )


def test_a_plain_fluid_rate_above_the_range_is_warned_but_not_its_volume(run: Any) -> None:
    # 1,200 mL/h x 24 = 28,800 mL/day: a plain fluid order is its volume, not warned again
    result = run("convert", "1200 mL/h")
    assert warnings_of(result.stderr) == [
        "pump rate 1,200 mL/h is above 999 mL/h, the top of most pumps' range: check the rate"
    ]


def test_check_warns_about_a_programmed_rate_above_the_range(run: Any) -> None:
    # 4 mg/h of 4 mg/250 mL = 250 mL/h ordered; the pump is set to 2,500 mL/h
    result = run("check", "4 mg/h", "--pump", "2500 mL/h", "-c", "4 mg/250 mL")
    assert result.exit_code == 1
    warned = warnings_of(result.stderr)
    assert (
        "pump rate 2,500 mL/h is above 999 mL/h, the top of most pumps' range: check the rate"
        in (warned)
    )
    # 2,500 x 24 = 60,000 mL/day from the programmed rate
    assert any(w.startswith("60,000 mL/day from this one infusion") for w in warned)


def test_the_pump_maximum_is_a_setting(
    run: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 7 x 72 x 60 / 1000 = 30.24 mg/h; / 0.05 mg/mL = 604.8 mL/h: under 999, over 500
    args = ["convert", "7 mcg/kg/min", "-w", "72", "-c", "50 mg/1000 mL", "--daily-volume-max"]
    args += ["off"]
    assert warnings_of(run(*args).stderr) == []
    lowered = run(*args, "--pump-max", "500")
    assert warnings_of(lowered.stderr) == [
        "pump rate 604.8 mL/h is above 500 mL/h, the pump's maximum: check the dose, the "
        "weight and the concentration"
    ]
    config = tmp_path / "config.toml"
    config.write_text("[defaults]\npump_max = 500\n", encoding="utf-8")
    monkeypatch.setenv("INFUSE_CALC_CONFIG", str(config))
    from_file = run(*args)
    assert warnings_of(from_file.stderr) == warnings_of(lowered.stderr)


def test_the_pump_maximum_must_be_above_zero(run: Any) -> None:
    result = run("convert", "7 mcg/kg/min", "-w", "72", "-c", "1 mg/mL", "--pump-max", "0")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: Invalid value for '--pump-max': '0':")


# --- the daily volume ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dose", "warned"),
    [
        # 83.4 mL/h x 24 h/day = 2,001.6 mL/day: over 2,000
        ("83.4 mL/h", "2,001.6 mL/day from this one infusion is over 2,000 mL/day"),
        # 83.3 mL/h x 24 = 1,999.2 mL/day: not
        ("83.3 mL/h", None),
        # forward: 834 mg/h / 10 mg/mL = 83.4 mL/h, the same volume
        ("834 mg/h", "2,001.6 mL/day from this one infusion is over 2,000 mL/day"),
    ],
)
def test_daily_volume_in_both_directions(run: Any, dose: str, warned: str | None) -> None:
    result = run("convert", dose, "-c", "10 mg/mL")
    messages = warnings_of(result.stderr)
    if warned is None:
        assert messages == []
    else:
        assert [m for m in messages if "mL/day" in m] == [
            f"{warned}: count it in the fluid balance, or use a more concentrated solution"
        ]


def test_the_daily_volume_limit_is_settable(run: Any) -> None:
    # 30.24 mg/h / 1 mg/mL = 30.24 mL/h = 725.76 mL/day: over 500, not over the default
    args = ["convert", "7 mcg/kg/min", "-w", "72", "-c", "1 mg/mL", "--daily-volume-max"]
    assert warnings_of(run(*args, "500").stderr) == [
        "725.76 mL/day from this one infusion is over 500 mL/day: count it in the fluid "
        "balance, or use a more concentrated solution"
    ]
    assert warnings_of(run(*args, "1000 mL/day").stderr) == []


def test_every_command_evaluates_the_limits(run: Any) -> None:
    # the same rule in titrate (each step), chart (each cell) and batch (each row)
    ladder = run("titrate", "--by-rate", "--doses", "100,1000", "--unit", "mL/h", "-c", "1 mg/mL")
    assert any(
        w.startswith("step 2 (1,000 mL/h): pump rate 1,000 mL/h is above 999")
        for w in warnings_of(ladder.stderr)
    )
    # 300 mcg/kg/min x 70 kg x 60 = 1,260 mg/h: 1,260 mL/h of 1 mg/mL
    chart = run(
        "chart", "--doses", "300", "--unit", "mcg/kg/min", "--weights", "70", "-c", "1 mg/mL"
    )
    assert any(ABOVE in w for w in warnings_of(chart.stderr))
    (record,) = process([{"dose": "1000 mL/h", "concentration": "1 mg/mL"}])
    assert any(ABOVE in w for w in record["warnings"])
    (lowered,) = process(
        [{"dose": "600 mL/h", "concentration": "1 mg/mL"}],
        BatchOptions(limits=PumpLimits(Fraction(500), None)),
    )
    assert lowered["warnings"] == [
        "pump rate 600 mL/h is above 500 mL/h, the pump's maximum: check the rate"
    ]


# --- each once ------------------------------------------------------------------------------


def test_a_spelling_lesson_is_given_once_naming_every_input(run: Any) -> None:
    result = run(
        "titrate", "--by-rate", "--from", "2ml/h", "--to", "4ml/h", "--step", "1ml/h",
        "-w", "72kg", "-c", "10mg/ml",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert warnings_of(result.stderr) == [
        "weight '72kg': write a space between number and unit (72 kg, not 72kg); also in "
        "concentration '10mg/ml', --from '2ml/h', --to '4ml/h', --step '1ml/h'",
        "concentration '10mg/ml': 'ml' read as mL; write mL; also in --from '2ml/h', "
        "--to '4ml/h', --step '1ml/h'",
    ]


def test_a_batch_row_says_what_convert_says(run: Any) -> None:
    row = {"dose": "3ml/h", "weight": "72kg", "concentration": "10mg/ml"}
    (record,) = process([row])
    convert = run("convert", "3ml/h", "-w", "72kg", "-c", "10mg/ml")
    assert record["warnings"] == warnings_of(convert.stderr)
    assert len(record["warnings"]) == 2


def test_a_library_source_is_cited_once(run: Any) -> None:
    result = run(
        "titrate", "--from", "1.2", "--to", "1.6", "--step", "0.2", "--unit", "mg/kg/h",
        "-w", "70", "--drug", "ketamine", "--library", EXAMPLE_LIBRARY,
    )  # fmt: skip
    limits = [w for w in warnings_of(result.stderr) if w.startswith("ketamine")]
    assert len(limits) == 3
    assert limits[0].count("source: EXAMPLE ONLY") == 1
    for later in limits[1:]:
        assert "source: " not in later
        assert later.endswith(f"(library {EXAMPLE_LIBRARY}; source as above)")


def test_once_keeps_everything_else() -> None:
    cited = "ketamine: dose 2 mg/kg/h is above the soft maximum 1 mg/kg/h" + cite("lib", "S")
    messages = [
        "pump rate 1,200 mL/h is above 999 mL/h",
        "pump rate 1,200 mL/h is above 999 mL/h",  # an exact repeat
        "dose '5.0 mg/h': '5.0' has a trailing zero; write 5",
        "weight '72.0': '72.0' has a trailing zero; write 72",  # another lesson: text differs
        cited,
        cited.replace("2 mg/kg/h", "3 mg/kg/h"),
        "dopamine: dose 30 mcg/kg/min is above the soft maximum" + cite("other", "S"),
    ]
    assert once(messages) == [
        "pump rate 1,200 mL/h is above 999 mL/h",
        "dose '5.0 mg/h': '5.0' has a trailing zero; write 5",
        "weight '72.0': '72.0' has a trailing zero; write 72",
        cited,
        "ketamine: dose 3 mg/kg/h is above the soft maximum 1 mg/kg/h (library lib; source "
        "as above)",
        "dopamine: dose 30 mcg/kg/min is above the soft maximum (library other; source: S)",
    ]
