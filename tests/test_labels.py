"""Labels a nurse cannot misread (issue 16, item 9): the exact pump rate is labelled as
exact and not settable, the rate to set as what to set; ``units`` is singular for exactly 1
in human output and stays ``units`` in JSON; ``check --pump`` shows a mL/h metavar."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from infuse_calc.notation import format_quantity, unit_text


def rows(output: str) -> dict[str, str]:
    """A key-value view's plain output as ``{label: value}`` (labels are the first column,
    then two or more spaces)."""
    found: dict[str, str] = {}
    for line in output.splitlines():
        label, _, value = line.partition("  ")
        found.setdefault(label.strip(), value.strip())
    return found


def test_convert_labels_the_exact_rate_and_the_setting(run: Any) -> None:
    # 7 mcg/kg/min x 72 kg = 504 mcg/min = 30.24 mg/h; / 10 mg/mL = 3.024 mL/h exactly;
    # at 0.1 mL/h steps the pump is set to 3 mL/h: 3/3.024 x 7 = 6.9444 mcg/kg/min (-0.79%)
    out = run("convert", "7 mcg/kg/min", "-w", "72", "-c", "10 mg/mL", "--format", "plain")
    shown = rows(out.stdout)
    assert "Pump rate" not in shown
    assert "Pump setting" not in shown
    assert shown["Exact rate"] == "3.024 mL/h (calculated: not a pump setting)"
    assert shown["Set pump to"] == (
        "3 mL/h (nearest 0.1 mL/h step): delivers 6.9444 mcg/kg/min (-0.79%)"
    )
    assert out.stdout.index("Exact rate") < out.stdout.index("Set pump to")


def test_convert_one_row_when_the_exact_rate_can_be_set(run: Any) -> None:
    # 0.1 units/kg/h x 80 kg = 8 units/h; / 1 unit/mL = 8 mL/h, a whole number of 0.1 steps
    out = run("convert", "0.1 units/kg/h", "-w", "80", "-c", "100 units/100 mL")
    shown = rows(out.stdout)
    assert "Exact rate" not in shown
    assert shown["Set pump to"] == "8 mL/h (exact)"


def test_check_drops_the_exact_rate_when_it_is_the_setting(run: Any) -> None:
    out = run("check", "0.1 units/kg/h", "-w", "80", "-c", "100 units/100 mL", "--pump", "80 mL/h")
    assert out.exit_code == 1
    assert rows(out.stdout)["Pump should read"] == "8 mL/h"
    assert "exact" not in out.stdout


def test_check_says_which_figure_is_exact(run: Any) -> None:
    out = run("check", "7 mcg/kg/min", "-w", "72", "-c", "10 mg/mL", "--pump", "30.2 mL/h")
    assert rows(out.stdout)["Pump should read"] == (
        "3 mL/h (nearest 0.1 mL/h step to the exact 3.024 mL/h)"
    )


def test_check_pump_metavar_is_a_rate(run: Any) -> None:
    out = run("check", "--help")
    assert "--pump ML/H" in out.stdout
    assert "--pump DOSE" not in out.stdout


def test_titrate_headings_name_the_exact_rate_and_the_setting(run: Any) -> None:
    out = run("titrate", "--doses", "7,8", "--unit", "mcg/kg/min", "-w", "72", "-c", "10 mg/mL")
    header = out.stdout.splitlines()[1]
    assert "Exact rate" in header
    assert "Set pump" in header
    assert "Pump rate" not in header


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (1, "units/mL", "1 unit/mL"),
        (1, "units/kg/h", "1 unit/kg/h"),
        (1, "milliunits/min", "1 milliunit/min"),
        (1, "units", "1 unit"),
        (2, "units/mL", "2 units/mL"),
        (0.5, "units/kg/h", "0.5 units/kg/h"),
        (1, "mg/mL", "1 mg/mL"),
        # rounded for display to "1": the figure reads "1", so the unit does too
        (1.000001, "units/h", "1 unit/h"),
    ],
)
def test_singular_unit_for_exactly_one(value: float, unit: str, text: str) -> None:
    assert format_quantity(value, unit) == text


def test_unit_text_leaves_other_words_alone() -> None:
    assert unit_text("1", "mEq/h") == "mEq/h"
    assert unit_text("10", "units") == "units"


def test_singular_in_human_output_plural_in_json(run: Any) -> None:
    # 1 unit/kg/h x 72 kg = 72 units/h; at 1 unit/mL that is 72 mL/h
    args = ["convert", "1 units/kg/h", "-w", "72", "-c", "1 units/mL"]
    shown = rows(run(*args, "--format", "plain").stdout)
    assert shown["Dose"] == "1 unit/kg/h"
    assert shown["Concentration"] == "1 unit/mL"
    assert shown["Set pump to"] == "72 mL/h (exact)"
    document = json.loads(run(*args, "--format", "json").stdout)
    assert document["dose"] == {"value": 1.0, "unit": "units/kg/h"}
    assert document["concentration"] == {"value": 1.0, "unit": "units/mL"}


def test_singular_in_every_human_view(run: Any) -> None:
    shown = rows(run("concentration", "1 units", "1 mL").stdout)
    assert (shown["Amount"], shown["Concentration"]) == ("1 unit", "1 unit/mL")
    chart = run("chart", "--doses", "1 units/kg/h,2", "--weights", "50", "-c", "1 units/mL")
    assert chart.stdout.splitlines()[1].split("  ")[1:] == ["1 unit/kg/h", "2 units/kg/h"]
    order = run("check", "1 units/kg/h", "-w", "50", "-c", "1 units/mL", "--pump", "50 mL/h")
    assert rows(order.stdout)["Order"] == "1 unit/kg/h"


def test_singular_reads_back(run: Any) -> None:
    """What the tool prints it reads: ``1 unit/kg/h`` is a dose."""
    again = run("convert", "1 unit/kg/h", "-w", "72", "-c", "1 unit/mL", "--format", "json")
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["pump_rate"] == {"value": 72.0, "unit": "mL/h"}


# --- item 6: below the pump's resolution ---------------------------------------------------


def test_check_below_the_resolution_says_it_cannot_be_given(run: Any) -> None:
    # 0.01 mcg/kg/min x 3 kg = 0.03 mcg/min = 1.8 mcg/h; / 1,000 mcg/mL = 0.0018 mL/h,
    # under half of a 0.1 mL/h step: the pump cannot be set to it
    out = run("check", "0.01 mcg/kg/min", "-w", "3", "-c", "1 mg/mL", "--pump", "0.002 mL/h")
    assert out.exit_code == 1
    assert "0 mL/h (" not in out.stdout
    shown = rows(out.stdout)
    assert shown["Result"] == "CANNOT BE GIVEN at 0.1 mL/h steps"
    assert shown["Pump should read"] == (
        "no setting: 0.0018 mL/h cannot be given at 0.1 mL/h steps (it rounds to 0 mL/h): "
        "use a more dilute concentration or a pump with a finer resolution"
    )
    assert out.stderr.splitlines()[-1] == (
        "Error: the order needs 0.0018 mL/h, which cannot be given at 0.1 mL/h steps "
        "(it rounds to 0 mL/h): use a more dilute concentration or a pump with a finer "
        "resolution"
    )


def test_check_at_a_finer_resolution_is_settable(run: Any) -> None:
    # at 0.001 mL/h steps, 0.0018 mL/h rounds to 0.002 mL/h: a setting, and it matches
    out = run(
        "check", "0.01 mcg/kg/min", "-w", "3", "-c", "1 mg/mL", "--pump", "0.002 mL/h",
        "--pump-resolution", "0.001",
    )  # fmt: skip
    assert out.exit_code == 0, out.output
    assert rows(out.stdout)["Result"] == "MATCH"


def test_convert_below_the_resolution_has_no_setting(run: Any) -> None:
    out = run("convert", "0.01 mcg/kg/min", "-w", "3", "-c", "1 mg/mL")
    assert rows(out.stdout)["Set pump to"].startswith("no setting: 0.0018 mL/h cannot be given")


def test_titrate_flags_steps_that_set_the_pump_alike(run: Any) -> None:
    # 0.01, 0.012 and 0.02 mcg/kg/min x 70 kg / 16 mcg/mL x 60 min/h = 2.625, 3.15, 5.25
    # mL/h: at 1 mL/h steps 2.625 and 3.15 both set the pump to 3 mL/h (5.25 to 5);
    # 3 mL/h x 16 mcg/mL = 48 mcg/h = 0.8 mcg/min / 70 kg = 0.011429 mcg/kg/min
    out = run(
        "titrate", "--doses", "0.01,0.012,0.02", "--unit", "mcg/kg/min", "-w", "70",
        "-c", "4 mg/250 mL", "--pump-resolution", "1", "--format", "plain",
    )  # fmt: skip
    assert out.exit_code == 0, out.output
    message = (
        "steps 1 and 2 (0.01 and 0.012 mcg/kg/min) both set the pump to 3 mL/h: at 1 mL/h "
        "steps the pump cannot tell them apart"
    )
    assert f"Warning: {message}" in out.stderr
    body = out.stdout.splitlines()
    assert body[3].split()[-3:] == ["2.625", "3*", "0.011429"]
    assert body[4].split()[-3:] == ["3.15", "3*", "0.011429"]
    assert body[5].split()[-3:] == ["5.25", "5", "0.019048"]
    assert any(line.startswith("* ") and "Same pump setting" in line for line in body)


# --- item 10: messages that lead somewhere ------------------------------------------------


def test_chart_dash_range_suggests_the_range_syntax(run: Any) -> None:
    out = run("chart", "--doses", "2", "--unit", "mcg/kg/min", "--weights", "40-90",
              "-c", "10 mg/mL")  # fmt: skip
    assert out.exit_code == 2
    assert out.stderr == (
        "Error: Invalid value for '--weights': '40-90': a range is written start..stop/step: "
        "40..90/5 for every 5 kg from 40 to 90\n"
    )


def test_a_bare_pump_rate_suggests_its_unit(run: Any) -> None:
    out = run("check", "7 mcg/kg/min", "-w", "72", "-c", "10 mg/mL", "--pump", "30")
    assert out.exit_code == 2
    assert out.stderr == "Error: Invalid value for '--pump': '30': give the unit: '30 mL/h'\n"


@pytest.mark.parametrize(
    ("body", "value", "expected"),
    [
        ('pump_resolution = "abc"', "'abc'", "expected a number such as 0.1"),
        ("pump_resolution = 0", "'0'", "must be greater than zero"),
        ('format = "xml"', "'xml'", "is not one of 'table', 'plain', 'csv', 'json'."),
        ("drop_factor = 7", "'7'", "is not one of '10', '15', '20', '60'."),
    ],
)
def test_a_config_error_names_the_value_once(
    run: Any, tmp_path: Any, monkeypatch: pytest.MonkeyPatch, body: str, value: str, expected: str
) -> None:
    config = tmp_path / "c.toml"
    config.write_text(f"[defaults]\n{body}\n", encoding="utf-8")
    monkeypatch.setenv("INFUSE_CALC_CONFIG", str(config))
    out = run("convert", "7 mcg/kg/min", "-w", "72", "-c", "10 mg/mL")
    assert out.exit_code == 2
    key = body.split(" = ")[0]
    assert out.stderr == f"Error: config file {config}: [defaults] {key} = {value}: {expected}\n"
    assert out.stderr.count(value) == 1


def test_drug_suggestions_are_close_names_only(run: Any, tmp_path: Any) -> None:
    library = tmp_path / "lib.toml"
    library.write_text(
        '[library]\nbuiltin = false\n\n[drug.heparin]\ndose_unit = "units/kg/h"\n'
        'concentrations = ["25000 units/250 mL"]\n',
        encoding="utf-8",
    )
    out = run("convert", "0.5 mcg/kg/min", "-w", "70", "--drug", "phenylephrine",
              "--library", str(library))  # fmt: skip
    assert out.exit_code == 2
    assert "phenylephrine" in out.stderr
    assert "did you mean" not in out.stderr
    near = run("convert", "18 units/kg/h", "-w", "70", "--drug", "heprin", "--library",
               str(library))  # fmt: skip
    assert "did you mean heparin?" in near.stderr


def test_concentration_reads_one_argument_like_every_command(run: Any) -> None:
    # 4 mg / 250 mL = 0.016 mg/mL = 16 mcg/mL
    one = run("concentration", "4 mg/250 mL", "--format", "json")
    assert one.exit_code == 0, one.output
    two = run("concentration", "4 mg", "250 mL", "--format", "json")
    assert json.loads(one.stdout) == json.loads(two.stdout)
    # machine output: every mass concentration in mg/mL (docs/json.md)
    assert json.loads(one.stdout)["concentration"] == {"value": 0.016, "unit": "mg/mL"}
    for text in ("4 mg in 250 mL", "400 mg in 250 mL of D5W"):
        assert run("concentration", text).exit_code == 0


def test_height_in_feet_and_inches(run: Any) -> None:
    # 5 ft 7 in = 67 in exactly (12 in/ft from pint): the same ideal weight as "67 in"
    args = ["convert", "7 mcg/kg/min", "-w", "100", "--sex", "female", "--dosing-weight",
            "ideal", "-c", "10 mg/mL", "--format", "json"]  # fmt: skip
    feet = run(*args, "--height", "5 ft 7 in")
    assert feet.exit_code == 0, feet.output
    inches = run(*args, "--height", "67 in")
    assert json.loads(feet.stdout)["weight_used"] == json.loads(inches.stdout)["weight_used"]
    # Devine, female: 45.5 kg + 2.3 kg per inch over 60: 45.5 + 2.3 x 7 = 61.6 kg
    assert json.loads(feet.stdout)["weight_used"]["weight"]["value"] == pytest.approx(61.6)


@pytest.mark.parametrize(
    ("text", "inches"),
    [("5 ft 7 in", 67), ("5 ft", 60), ("6 feet 0.5 inches", Fraction("72.5")), ("5 ft 11 in", 71)],
)
def test_parse_height_feet_and_inches(text: str, inches: Any) -> None:
    from infuse_calc.body_weight import parse_height

    height = parse_height(text)
    assert height.inches == inches  # 12 in/ft from the units registry, exact
    assert height.text == text


# --- item 11: smaller --------------------------------------------------------------------

KETAMINE = str(Path(__file__).parents[1] / "examples" / "ketamine-case.toml")


def test_schedule_table_has_the_ml_per_hour_column(run: Any) -> None:
    # 7 mcg/kg/min x 72 kg = 30.24 mg/h; / 10 mg/mL = 3.024 mL/h; 8 -> 3.456 mL/h
    out = run("schedule", KETAMINE, "--no-chart", "--format", "plain")
    lines = out.stdout.splitlines()
    header = lines[1].split()
    assert header[header.index("Rate") + 1 : header.index("Rate") + 3] == ["Exact", "rate"]
    assert "30.24 mg/h  3.024 mL/h" in lines[2]
    assert "34.56 mg/h  3.456 mL/h" in lines[3]


def test_schedule_header_keeps_the_weight_as_typed(run: Any) -> None:
    # 158.73 lb x 0.45359237 kg/lb = 71.9987... kg: shown as typed and in kg
    out = run("schedule", KETAMINE, "-w", "158.73 lb", "--no-chart", "--format", "plain")
    assert out.stdout.splitlines()[0] == (
        "Schedule (weight 158.73 lb = 71.999 kg, concentration 10 mg/mL):"
    )


def test_schedule_help_names_the_csv_columns(run: Any) -> None:
    from infuse_calc.cli.commands.schedule import CSV_FIELDS, MEASURE_FIELDS

    text = " ".join(run("schedule", "--help").stdout.split())
    for name in CSV_FIELDS:
        assert name in text, name
    assert "<name>_value" in text
    assert all(name in text for name in MEASURE_FIELDS)


@pytest.mark.parametrize(
    ("options", "title"),
    [
        ([], "Titration ladder, 72 kg actual body weight, 10 mg/mL"),
        (
            ["--height", "67 in", "--sex", "female", "--dosing-weight", "ideal"],
            "Titration ladder, 61.6 kg ideal body weight (Devine), 10 mg/mL",
        ),
    ],
)
def test_titrate_title_says_which_weight(run: Any, options: list[str], title: str) -> None:
    # Devine, female, 67 in: 45.5 + 2.3 x 7 = 61.6 kg
    out = run("titrate", "--doses", "1,2", "--unit", "mcg/kg/min", "-w", "72",
              "-c", "10 mg/mL", *options, "--format", "plain")  # fmt: skip
    assert out.exit_code == 0, out.output
    assert out.stdout.splitlines()[0] == title


SMALL_DOSES = b"""weight = "70 kg"
concentration = "4 mg/250 mL"

[[segment]]
day = 1
time = "08:00"
dose = "0.05 mcg/kg/min"

[[segment]]
at = "6h"
dose = "0.3 mcg/kg/min"

[[segment]]
at = "12h"
dose = "0.15 mcg/kg/min"

[[segment]]
at = "30h"
stop = true
"""


@pytest.mark.parametrize("source", ["small", "ketamine"])
def test_plot_ticks_have_no_trailing_zeros(source: str) -> None:
    pytest.importorskip("matplotlib")
    from infuse_calc.formats.plot import figure_of
    from infuse_calc.formats.schedule_files import parse
    from infuse_calc.schedule import build_schedule

    if source == "small":
        parsed = parse(SMALL_DOSES, "small.toml", "toml")
    else:
        with open(KETAMINE, "rb") as stream:
            parsed = parse(stream.read(), KETAMINE, "toml")
    figure = figure_of(build_schedule(parsed.specs, parsed.weight, parsed.concentration))
    figure.canvas.draw()
    labels = [
        label.get_text()
        for axes in figure.axes
        for label in (*axes.get_yticklabels(), *axes.get_xticklabels())
    ]
    numbers = [text for text in labels if text and text[0].isdigit()]
    assert numbers, labels
    assert not [text for text in numbers if "." in text and text.endswith("0")], numbers
    assert not [text for text in numbers if text.endswith(".")], numbers
    # ISMP: thousands separators (ketamine's per-day axis reaches 1,000 mg)
    assert not [text for text in numbers if text.replace(".", "").isdigit() and
                float(text) >= 1000], numbers  # fmt: skip


def test_a_fine_ladder_summarises_the_steps_that_set_the_pump_alike(run: Any) -> None:
    # 0.01 to 2 mcg/kg/min by 0.01 for 72 kg at 10 mg/mL: 0.00432 mL/h per 0.01 mcg/kg/min,
    # so about 23 steps share each setting from 0.1 to 0.9 mL/h: 9 groups, 5 listed (steps
    # rounding to 0 mL/h are no setting: they have their own warning)
    out = run("titrate", "--from", "0.01", "--to", "2", "--step", "0.01", "--unit",
              "mcg/kg/min", "-w", "72", "-c", "10 mg/mL", "--format", "csv")  # fmt: skip
    shared = [line for line in out.stderr.splitlines() if "set the pump" in line]
    assert len(shared) == 6
    # 0.12 mcg/kg/min: 0.05184 mL/h -> 0.1; 0.34: 0.14688 -> 0.1; 0.35: 0.1512 -> 0.2
    assert "steps 12 to 34 (0.12 to 0.34 mcg/kg/min) all set the pump to 0.1 mL/h" in shared[0]
    assert shared[-1].startswith("Warning: ... and 4 more groups")
    assert shared[-1].endswith(
        "more groups of steps that set the pump alike (marked * in the table)"
    )


def test_warnings_say_1_unit_and_separate_thousands(run: Any) -> None:
    # a step of 1 unit/kg/h x 0.5 kg = 0.5 units/h / (25,000 units / 250 mL = 100 units/mL)
    # = 0.005 mL/h: under half a 0.1 mL/h step, so it rounds to 0
    args = ("--to", "3 units/kg/h", "--step", "1", "-w", "0.5", "-c", "25000 units/250 mL")
    small = run("titrate", "--from", "1 units/kg/h", *args)
    assert "Warning: step 1 (1 unit/kg/h): pump rate 0.005 mL/h rounds to 0" in small.stderr
    # 35,000 units/h / 100 units/mL = 350 mL/h, above a 300 mL/h pump
    big = run(
        "titrate", "--from", "25000 units/h", "--to", "35000 units/h", "--step", "10000",
        "-c", "25000 units/250 mL", "--pump-max", "300",
    )  # fmt: skip
    assert "Warning: step 2 (35,000 units/h): pump rate 350 mL/h is above 300 mL/h" in (big.stderr)


def test_library_warning_converts_to_1_unit(run: Any) -> None:
    library = str(Path(__file__).resolve().parent.parent / "examples" / "drug-library.toml")
    # 80 units/h / 80 kg = 1 unit/kg/h, above the example insulin soft maximum 0.2
    result = run("convert", "80 units/h", "-w", "80", "--drug", "insulin", "--library", library)
    assert "insulin: dose 80 units/h (1 unit/kg/h) is above the soft maximum 0.2 units/kg/h" in (
        result.stderr
    )


def test_library_warning_separates_thousands(run: Any, tmp_path: Path) -> None:
    library = tmp_path / "lib.toml"
    library.write_text(
        '[drug.heparin]\ndose_unit = "units/h"\nconcentrations = ["25000 units/250 mL"]\n'
        'soft_max = "20000 units/h"\nhard_max = "40000 units/h"\n',
        encoding="utf-8",
    )
    # 300 units/kg/h x 100 kg = 30,000 units/h: above the soft maximum 20,000 units/h
    result = run("convert", "300 units/kg/h", "-w", "100", "--drug", "heparin",
                 "--library", str(library))  # fmt: skip
    assert (
        "heparin: dose 300 units/kg/h (30,000 units/h) is above the soft maximum "
        "20,000 units/h" in result.stderr
    ), result.stderr


def test_written_concentration_and_messages_say_1_unit(run: Any) -> None:
    # 1 unit in 1,000 mL = 0.001 units/mL = 1 milliunit/mL
    out = run("convert", "1 units/h", "-c", "1 units in 1000 mL", "--format", "plain")
    assert rows(out.stdout)["Concentration"] == "1 unit in 1,000 mL = 1 milliunit/mL"
    same = run("titrate", "--from", "1 units/kg/h", "--to", "1 units/kg/h", "--step", "1",
               "-w", "70", "-c", "25000 units/250 mL")  # fmt: skip
    assert "--from and --to are both 1 unit/kg/h" in same.stderr
    twice = run("chart", "--doses", "1 units/kg/h,1 units/kg/h", "--weights", "70",
                "-c", "25000 units/250 mL")  # fmt: skip
    assert "dose 1 unit/kg/h is listed twice" in twice.stderr
