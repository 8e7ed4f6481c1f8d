"""Drug library: parsing, validation with line numbers, lookup, concentrations, limits, CLI."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from infuse_calc.errors import IncompatibleError, LimitError
from infuse_calc.library import (
    LibraryError,
    apply,
    check_limits,
    choose_concentration,
    tall_man,
)
from infuse_calc.library_parse import parse_library
from infuse_calc.quantities import parse_concentration, parse_dose

EXAMPLE = Path(__file__).parent.parent / "examples" / "drug-library.toml"

SMALL = """\
[library]
name = "test"

[drug.dopamine]
aliases = ["Intropin"]
dose_unit = "mcg/kg/min"
concentrations = ["400 mg/250 mL", "800 mg/250 mL"]
soft_min = "2 mcg/kg/min"
soft_max = "20 mcg/kg/min"
hard_max = "50 mcg/kg/min"
source = "test source A"

[drug.ketamine]
dose_unit = "mcg/kg/min"
concentrations = ["500 mg/50 mL"]
soft_max = "1 mg/kg/h"
hard_max = "2 mg/kg/h"
source = "test source K"

[drug.ketamine.area.PICU]
soft_max = "0.5 mg/kg/h"

[drug.norepinephrine]
aliases = ["noradrenaline"]
dose_unit = "mcg/min"
concentrations = ["4 mg/250 mL"]
soft_max = "30 mcg/min"
hard_max = "100 mcg/min"
"""


@pytest.fixture
def lib() -> Any:
    return parse_library(SMALL, "small.toml")


def test_example_library_parses_and_is_marked_example() -> None:
    library = parse_library(EXAMPLE.read_text("utf-8"), str(EXAMPLE))
    assert library.example is True
    names = [d.name for d in library.drugs]
    assert names == [
        "ketamine",
        "norepinephrine",
        "DOPamine",
        "DOBUTamine",
        "heparin",
        "insulin",
        "vasopressin",
    ]
    text = EXAMPLE.read_text("utf-8")
    assert "NOT A CLINICAL DRUG LIBRARY" in text
    for drug in library.drugs:
        assert drug.limits.source.startswith("EXAMPLE ONLY"), drug.key


def test_tall_man() -> None:
    assert tall_man("dopamine") == "DOPamine"
    assert tall_man("DOBUTAMINE") == "DOBUTamine"
    assert tall_man("ketamine") == "ketamine"


@pytest.mark.parametrize("name", ["dopamine", "DOPAMINE", "DOPamine", "intropin", " Intropin "])
def test_lookup_by_name_or_alias_any_case(lib: Any, name: str) -> None:
    assert lib.find(name).name == "DOPamine"


def test_unknown_drug_lists_close_names(lib: Any) -> None:
    with pytest.raises(IncompatibleError) as info:
        lib.find("dopamin")
    assert str(info.value) == (
        "drug 'dopamin' is not in the drug library (small.toml): did you mean DOPamine? "
        "(drugs: DOPamine, ketamine, norepinephrine)"
    )


def test_unknown_drug_without_close_name_lists_all(lib: Any) -> None:
    with pytest.raises(IncompatibleError, match=r"drug 'zzz' is not in .*: drugs: DOPamine"):
        lib.find("zzz")


# --- malformed libraries: clear error, line number ------------------------------------------


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


@pytest.mark.parametrize(
    ("change", "needle", "message"),
    [
        # TOML syntax error: tomllib gives the line
        (
            ('hard_max = "50 mcg/kg/min"', 'hard_max = "50 mcg/kg/min'),
            'hard_max = "50',
            "not valid TOML",
        ),
        # unknown key: the drug's table header
        (
            ('soft_min = "2 mcg/kg/min"', 'soft_minimum = "2 mcg/kg/min"'),
            "[drug.dopamine]",
            "unknown key 'soft_minimum'",
        ),
        # bad unit
        (
            ('soft_max = "20 mcg/kg/min"', 'soft_max = "20 mcgs/kgg/min"'),
            'soft_max = "20 mcgs',
            "unknown unit",
        ),
        # min > max
        (
            ('soft_min = "2 mcg/kg/min"', 'soft_min = "25 mcg/kg/min"'),
            'soft_min = "25',
            "soft_min '25 mcg/kg/min' is above soft_max '20 mcg/kg/min'",
        ),
        # soft above hard, in different units (0.06 mg/kg/min = 60 mcg/kg/min)
        (
            ('soft_max = "20 mcg/kg/min"', 'soft_max = "0.06 mg/kg/min"'),
            'soft_max = "0.06',
            "soft_max '0.06 mg/kg/min' is above hard_max",
        ),
        # wrong kind
        (
            ('hard_max = "100 mcg/min"', 'hard_max = "100 units/min"'),
            'hard_max = "100 units',
            "is in units but dose_unit mcg/min is in mass",
        ),
        # number without unit
        (
            ('hard_max = "100 mcg/min"', "hard_max = 100"),
            "hard_max = 100",
            "must be a dose with its unit",
        ),
        # concentration of the wrong kind
        (
            ('["4 mg/250 mL"]', '["4 units/250 mL"]'),
            '["4 units/250 mL"]',
            "concentration '4 units/250 mL' is in units",
        ),
        # volume dose unit
        (
            ('dose_unit = "mcg/min"', 'dose_unit = "mL/h"'),
            'dose_unit = "mL/h"',
            "not a volume rate",
        ),
        # unknown key in an area: the area's header
        (
            ('soft_max = "0.5 mg/kg/h"', 'softmax = "0.5 mg/kg/h"'),
            "[drug.ketamine.area.PICU]",
            "area 'PICU': unknown key 'softmax'",
        ),
        # a name used twice
        (
            ('aliases = ["noradrenaline"]', 'aliases = ["intropin"]'),
            "[drug.norepinephrine]",
            "name 'intropin' is used by both dopamine and norepinephrine",
        ),
        # unknown top-level table
        (("[library]", "[libary]"), "[libary]", "unknown key 'libary'"),
    ],
)
def test_malformed_library_names_the_line(
    change: tuple[str, str], needle: str, message: str
) -> None:
    text = SMALL.replace(*change, 1)
    assert text != SMALL
    with pytest.raises(LibraryError) as info:
        parse_library(text, "bad.toml")
    error = info.value
    assert message in str(error)
    assert error.line == line_of(text, needle)
    assert str(error).startswith(f"drug library bad.toml, line {error.line}: ")


def test_empty_library() -> None:
    with pytest.raises(LibraryError, match="no drugs"):
        parse_library("[library]\nname = 'x'\n", "empty.toml")


def test_missing_dose_unit() -> None:
    with pytest.raises(LibraryError, match="dose_unit is missing") as info:
        parse_library("\n[drug.x]\nconcentrations = []\n", "x.toml")
    assert info.value.line == 2


# --- concentrations -------------------------------------------------------------------------


def test_single_standard_concentration_is_used(lib: Any) -> None:
    choice = choose_concentration(lib.find("ketamine"), None, None)
    assert choice.concentration.text == "500 mg/50 mL"
    assert (choice.how, choice.notes, choice.warnings) == ("only", (), ())


def test_several_concentrations_use_the_first_and_say_so(lib: Any) -> None:
    choice = choose_concentration(lib.find("dopamine"), None, None)
    assert choice.concentration.text == "400 mg/250 mL"
    assert choice.how == "first"
    assert choice.notes == (
        "DOPamine has 2 standard concentrations; using the first, 400 mg/250 mL "
        "(others: 800 mg/250 mL (second); pick one with --concentration second)",
    )


@pytest.mark.parametrize("label", ["second", "SECOND", " second "])
def test_a_label_picks_a_standard_concentration(lib: Any, label: str) -> None:
    choice = choose_concentration(lib.find("dopamine"), None, None, label)
    assert (choice.concentration.text, choice.how, choice.label) == (
        "800 mg/250 mL",
        "label",
        "second",
    )


def test_an_unknown_label_lists_the_labels(lib: Any) -> None:
    with pytest.raises(IncompatibleError) as info:
        choose_concentration(lib.find("dopamine"), None, None, "central")
    assert "DOPamine has no standard concentration called 'central' (labels: first, second)" in (
        str(info.value)
    )


def test_given_concentration_picks_a_standard_one(lib: Any) -> None:
    # 3.2 mg/mL is 800 mg/250 mL written differently: no warning
    choice = choose_concentration(lib.find("dopamine"), None, parse_concentration("3.2 mg/mL"))
    assert choice.concentration.text == "3.2 mg/mL"
    assert (choice.how, choice.label, choice.warnings) == ("standard", "second", ())


def test_given_nonstandard_concentration_overrides_with_warning(lib: Any) -> None:
    choice = choose_concentration(lib.find("dopamine"), None, parse_concentration("200 mg/250 mL"))
    assert choice.concentration.text == "200 mg/250 mL"
    assert choice.warnings == (
        "200 mg/250 mL is not a standard concentration of DOPamine in the library "
        "(standard: 400 mg/250 mL, 800 mg/250 mL)",
    )


# --- limits ---------------------------------------------------------------------------------


def test_within_limits_in_another_unit(lib: Any) -> None:
    # 7 mcg/kg/min x 60 / 1000 = 0.42 mg/kg/h < soft max 1 mg/kg/h
    result = check_limits(lib, lib.find("ketamine"), None, parse_dose("7 mcg/kg/min"), None)
    assert result.status == "within"
    assert result.messages == ()


def test_soft_limit_via_pint_conversion(lib: Any) -> None:
    # 20 mcg/kg/min = 1.2 mg/kg/h: above soft 1, below hard 2
    result = check_limits(lib, lib.find("ketamine"), None, parse_dose("20 mcg/kg/min"), None)
    assert result.status == "above_soft_max"
    assert result.soft_breach
    assert result.messages == (
        "ketamine: dose 20 mcg/kg/min (1.2 mg/kg/h) is above the soft maximum 1 mg/kg/h "
        "(library small.toml; source: test source K)",
    )


def test_dose_typed_in_other_unit_than_library(lib: Any) -> None:
    # 1.5 mg/kg/h typed against a mcg/kg/min library: limits are mg/kg/h here, 1 < 1.5 < 2
    result = check_limits(lib, lib.find("ketamine"), None, parse_dose("1.5 mg/kg/h"), None)
    assert result.status == "above_soft_max"


def test_area_limits(lib: Any) -> None:
    # 10 mcg/kg/min = 0.6 mg/kg/h: fine in general, above the PICU soft max 0.5
    drug = lib.find("ketamine")
    assert check_limits(lib, drug, None, parse_dose("10 mcg/kg/min"), None).status == "within"
    picu = check_limits(lib, drug, "picu", parse_dose("10 mcg/kg/min"), None)
    assert picu.status == "above_soft_max"
    assert picu.limits.hard_max is not None  # inherited from the drug
    with pytest.raises(IncompatibleError, match=r"care area 'ER' .* \(areas: PICU\)"):
        check_limits(lib, drug, "ER", parse_dose("10 mcg/kg/min"), None)


def test_hard_limit_is_a_limit_error_with_source(lib: Any) -> None:
    with pytest.raises(LimitError) as info:
        check_limits(lib, lib.find("dopamine"), None, parse_dose("60 mcg/kg/min"), None)
    assert info.value.exit_code == 1
    assert str(info.value) == (
        "DOPamine: dose 60 mcg/kg/min is above the hard maximum 50 mcg/kg/min "
        "(library small.toml; source: test source A)"
    )


def test_below_soft_min(lib: Any) -> None:
    result = check_limits(lib, lib.find("dopamine"), None, parse_dose("1 mcg/kg/min"), None)
    assert result.status == "below_soft_min"


def test_per_kg_dose_against_absolute_limit_needs_weight(lib: Any) -> None:
    drug = lib.find("norepinephrine")
    dose = parse_dose("0.5 mcg/kg/min")
    with pytest.raises(IncompatibleError, match="per kg: give the patient's weight with --weight"):
        check_limits(lib, drug, None, dose, None)
    # 0.5 mcg/kg/min x 80 kg = 40 mcg/min > soft max 30
    assert check_limits(lib, drug, None, dose, Fraction(80)).status == "above_soft_max"
    # x 50 kg = 25 mcg/min: within
    assert check_limits(lib, drug, None, dose, Fraction(50)).status == "within"


def test_absolute_dose_against_per_kg_limit(lib: Any) -> None:
    # 300 mg/h / 100 kg = 3 mg/kg/h > hard max 2 mg/kg/h
    with pytest.raises(LimitError):
        check_limits(lib, lib.find("ketamine"), None, parse_dose("300 mg/h"), Fraction(100))
    # / 250 kg = 1.2 mg/kg/h: soft
    soft = check_limits(lib, lib.find("ketamine"), None, parse_dose("300 mg/h"), Fraction(250))
    assert soft.status == "above_soft_max"


def test_wrong_kind_of_dose(lib: Any) -> None:
    with pytest.raises(IncompatibleError, match="the library doses DOPamine in mcg/kg/min"):
        check_limits(lib, lib.find("dopamine"), None, parse_dose("5 units/h"), None)


def test_apply(lib: Any) -> None:
    applied = apply(lib, "KETAMINE", None, parse_dose("7 mcg/kg/min"), Fraction(72), None)
    assert applied.concentration.text == "500 mg/50 mL"
    assert applied.limits is not None
    assert applied.limits.status == "within"
    assert applied.warnings == ()


# --- CLI ------------------------------------------------------------------------------------


def test_convert_with_drug_uses_library_concentration(run: Any) -> None:
    result = run(
        "convert", "7 mcg/kg/min", "-w", "72", "--drug", "ketamine", "--library", str(EXAMPLE)
    )
    assert result.exit_code == 0, result.output
    # 500 mg/50 mL = 10 mg/mL: the seed case's 3.024 mL/h
    assert "Exact rate      3.024 mL/h" in result.stdout
    assert result.stdout.startswith("Drug            ketamine\n")
    assert (
        "Limits          within the limits (soft max 1 mg/kg/h, hard max 2 mg/kg/h)"
        in result.stdout
    )
    assert "EXAMPLE drug library" in result.stderr


def test_convert_soft_limit_warns_and_flags_json(run: Any) -> None:
    result = run(
        "convert",
        "25 mcg/kg/min",
        "-w",
        "72",
        "--drug",
        "dopamine",
        "-c",
        "800 mg/250 mL",
        "--library",
        str(EXAMPLE),
        "--format",
        "json",
    )
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["limits"]["status"] == "above_soft_max"
    assert data["limits"]["soft_breach"] is True
    assert data["limits"]["soft_max"] == {"value": 20.0, "unit": "mcg/kg/min"}
    assert data["drug"] == "DOPamine"
    assert "Warning: DOPamine: dose 25 mcg/kg/min is above the soft maximum" in result.stderr


def test_convert_hard_limit_exit_1(run: Any) -> None:
    result = run(
        "convert",
        "60 mcg/kg/min",
        "-w",
        "72",
        "--drug",
        "dopamine",
        "-c",
        "800 mg/250 mL",
        "--library",
        str(EXAMPLE),
    )
    assert result.exit_code == 1
    assert result.stdout == ""
    error = result.stderr.strip().splitlines()[-1]
    assert error.startswith("Error: DOPamine: dose 60 mcg/kg/min is above the hard maximum 50")
    assert "Dopamine hydrochloride injection prescribing information" in error


def test_convert_reverse_checks_the_delivered_dose(run: Any) -> None:
    # 30 mL/h x 3.2 mg/mL = 96 mg/h = 96,000 mcg/h / 60 / 72 = 22.2 mcg/kg/min: soft
    result = run(
        "convert",
        "30 mL/h",
        "-w",
        "72",
        "--drug",
        "dopamine",
        "-c",
        "800 mg/250 mL",
        "--library",
        str(EXAMPLE),
        "--format",
        "json",
    )
    assert result.exit_code == 0
    assert json.loads(result.stdout)["limits"]["status"] == "above_soft_max"


def test_library_from_env(run: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INFUSE_CALC_LIBRARY", str(EXAMPLE))
    result = run("convert", "18 units/kg/h", "-w", "80", "--drug", "heparin")
    assert result.exit_code == 0, result.output
    # 18 x 80 = 1,440 units/h / 100 units/mL = 14.4 mL/h
    assert "Set pump to     14.4 mL/h (exact)" in result.stdout


def test_library_from_user_config_dir(
    run: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from infuse_calc import user_dirs

    monkeypatch.delenv("INFUSE_CALC_LIBRARY", raising=False)
    monkeypatch.setattr(user_dirs, "user_config_dir", lambda: str(tmp_path / "infuse-calc"))
    # none there: the built-in library alone (no error: the file is optional)
    result = run("convert", "7 mcg/kg/min", "-w", "72", "--drug", "ketamine")
    assert result.exit_code == 2
    assert "drug 'ketamine' is not in the drug library (built-in)" in result.stderr
    (tmp_path / "infuse-calc").mkdir()
    (tmp_path / "infuse-calc" / "drug-library.toml").write_text(SMALL, "utf-8")
    result = run("convert", "7 mcg/kg/min", "-w", "72", "--drug", "ketamine")
    assert result.exit_code == 0
    assert "EXAMPLE" not in result.stderr  # not an example library: no note
    assert "reference data" not in result.stderr  # ketamine is the file's alone


def test_malformed_library_file_cli(run: Any, tmp_path: Path) -> None:
    path = tmp_path / "lib.toml"
    text = SMALL.replace('soft_max = "30 mcg/min"', 'soft_max = "30 mcg/min')
    path.write_text(text, "utf-8")
    result = run("convert", "7 mcg/kg/min", "-w", "72", "--drug", "x", "--library", str(path))
    assert result.exit_code == 2
    line = line_of(text, 'soft_max = "30 mcg/min')
    assert line == 27
    assert result.stderr.startswith(f"Error: drug library {path}, line {line}: not valid TOML")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--drug", "dopamin"], "did you mean DOPamine? (infuse-calc drugs list shows all 31)"),
        (["--drug", "dopamine", "-c", "third"], "DOPamine has no standard concentration called"),
        (["--drug", "ketamine", "--area", "ICU"], "care area 'ICU'"),
        (["--area", "ICU"], "--area and --library need --drug"),
        (["--drug", "heparin"], "is in mass (mcg, mg, g...) but the library doses heparin in"),
    ],
)
def test_library_cli_errors(run: Any, args: list[str], message: str) -> None:
    result = run("convert", "7 mcg/kg/min", "-w", "72", "--library", str(EXAMPLE), *args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr


def test_check_with_drug_reports_delivered_limits(run: Any) -> None:
    # ordered 5 mcg/kg/min of dopamine 800 mg/250 mL (3.2 mg/mL) for 72 kg: 6.75 mL/h;
    # programmed 67.5 (10x): delivers 50 mcg/kg/min, at the hard max (not above): soft breach
    result = run(
        "check",
        "5 mcg/kg/min",
        "-w",
        "72",
        "--drug",
        "dopamine",
        "-c",
        "800 mg/250 mL",
        "--library",
        str(EXAMPLE),
        "--pump",
        "67.6 mL/h",
        "--format",
        "json",
    )
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["causes"][0]["parts"] == ["10"]
    assert data["limits"]["status"] == "within"
    # 67.6 x 3.2 = 216.32 mg/h = 216,320 mcg/h / 60 / 72 = 50.07 mcg/kg/min: above hard 50
    assert data["delivered_limits"]["status"] == "above_hard_max"
    assert data["delivered_limits"]["hard_breach"] is True


def test_titrate_with_drug_checks_every_rung(run: Any) -> None:
    base = ["titrate", "--from", "2 mcg/kg/min", "--step", "11", "-w", "72", "--drug"]
    lib = ["dopamine", "-c", "800 mg/250 mL", "--library", str(EXAMPLE)]
    # 2, 13, 24 mcg/kg/min: 24 is above the soft maximum 20
    soft = run(*base, *lib, "--to", "24 mcg/kg/min")
    assert soft.exit_code == 0, soft.output
    assert "Limits: ABOVE the soft maximum 20 mcg/kg/min" in soft.stdout
    assert "Warning: DOPamine: dose 24 mcg/kg/min is above the soft maximum" in soft.stderr
    # 2, 31, 60: 60 is above the hard maximum 50
    hard = run(*base[:4], "29", *base[5:], *lib, "--to", "60 mcg/kg/min")
    assert hard.exit_code == 1
    assert hard.stderr.splitlines()[-1].startswith(
        "Error: DOPamine: dose 60 mcg/kg/min is above the hard maximum 50 mcg/kg/min"
    )
    assert hard.stdout == ""


def test_titrate_with_drug_takes_the_library_concentration(run: Any) -> None:
    # ketamine 500 mg/50 mL = 10 mg/mL: 7 mcg/kg/min for 72 kg is the seed case's 3.024 mL/h
    result = run(
        "titrate",
        "--doses",
        "7",
        "--unit",
        "mcg/kg/min",
        "-w",
        "72",
        "--drug",
        "ketamine",
        "--library",
        str(EXAMPLE),
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["drug"] == "ketamine"
    assert data["limits"]["status"] == "within"
    assert "3.024" in result.stdout


def test_chart_with_drug(run: Any) -> None:
    # norepinephrine limits are absolute (soft max 30 mcg/min): 0.5 mcg/kg/min is 20 mcg/min
    # at 40 kg (within), 32.5 at 65 kg and 45 at 90 kg (both above the soft maximum)
    result = run(
        "chart",
        "--doses",
        "0.05,0.1,0.5",
        "--unit",
        "mcg/kg/min",
        "--weights",
        "40..90/25",
        "--drug",
        "noradrenaline",
        "-c",
        "4 mg/250 mL",
        "--library",
        str(EXAMPLE),
    )
    assert result.exit_code == 0, result.output
    assert "Limits: ABOVE the soft maximum 30 mcg/min" in result.stdout
    warnings = [line for line in result.stderr.splitlines() if "soft maximum" in line]
    assert len(warnings) == 2
    assert "(32.5 mcg/min)" in warnings[0]
    assert "(45 mcg/min)" in warnings[1]
    # 2 mcg/kg/min x 90 kg = 180 mcg/min: above the hard maximum 100
    hard = run(
        "chart",
        "--doses",
        "2",
        "--unit",
        "mcg/kg/min",
        "--weights",
        "40,90",
        "--drug",
        "norepinephrine",
        "-c",
        "4 mg/250 mL",
        "--library",
        str(EXAMPLE),
    )
    assert hard.exit_code == 1
    assert "above the hard maximum 100 mcg/min" in hard.stderr.splitlines()[-1]


def test_many_soft_breaches_are_summarised(run: Any) -> None:
    # 10 weights x 1 dose of an absolute-limit drug: at most 5 lines and a count
    result = run(
        "chart",
        "--doses",
        "1",
        "--unit",
        "mcg/kg/min",
        "--weights",
        "40..85/5",
        "--drug",
        "norepinephrine",
        "-c",
        "4 mg/250 mL",
        "--library",
        str(EXAMPLE),
    )
    assert result.exit_code == 0, result.output
    # 1 mcg/kg/min x 40..85 kg = 40..85 mcg/min: all 10 above 30, none above 100
    lines = [line for line in result.stderr.splitlines() if "soft maximum" in line]
    assert len(lines) == 5
    assert result.stderr.splitlines()[-1] == "Warning: ... and 5 more doses outside soft limits"


# --- the built-in format: labelled concentrations, [library] keys ---------------------------


@pytest.mark.parametrize(
    ("concentrations", "message"),
    [
        ('[{ value = "4 mg/250 mL", colour = "red" }]', "concentration key 'colour'"),
        ('[{ label = "first" }]', "a table with value"),
        ('[{ value = "4 mg/250 mL", label = 2 }]', "concentration key 'label'"),
        (
            '["4 mg/250 mL", { value = "8 mg/250 mL", label = "first" }]',
            "the label 'first' names two concentrations",
        ),
        ('"4 mg/250 mL"', "concentrations must be a list"),
        ('[{ value = "4 mg" }]', "concentration: concentration '4 mg'"),
    ],
)
def test_bad_labelled_concentrations_name_their_line(concentrations: str, message: str) -> None:
    text = f'[drug.x]\ndose_unit = "mcg/min"\nconcentrations = {concentrations}\n'
    with pytest.raises(LibraryError) as info:
        parse_library(text, "x.toml")
    assert message in str(info.value)
    assert info.value.line == 3


def test_a_labelled_concentration_keeps_what_the_source_says() -> None:
    text = (
        '[drug.x]\ndose_unit = "mg/min"\nconcentrations = ["1.5 mg/mL", { value = "3.6 mg/mL",'
        ' label = "central", published = "3.6 mg/mL for central", basis = "standard",'
        ' reference = "S" }]\n'
    )
    (drug,) = parse_library(text, "x.toml").drugs
    first, second = drug.concentrations
    assert (first.label, first.labels(0)) == ("", ("first",))
    assert second.labels(1) == ("second", "central")
    assert (second.published, second.basis, second.reference) == (
        "3.6 mg/mL for central",
        "standard",
        "S",
    )


@pytest.mark.parametrize(
    ("meta", "message"),
    [
        ("builtin = 0", "builtin must be true"),
        ('sources = "one"', "sources must be a list of text"),
    ],
)
def test_bad_library_table(meta: str, message: str) -> None:
    text = f'[library]\n{meta}\n\n[drug.x]\ndose_unit = "mcg/min"\n'
    with pytest.raises(LibraryError, match=message) as info:
        parse_library(text, "x.toml")
    assert info.value.line == 2


def test_nonstandard_warning_in_safe_notation() -> None:
    # the warning shows both bags as the rest of the output does: `1 unit/mL` (singular
    # after exactly 1) and `25,000 units/250 mL` (thousands separator), not as typed
    from infuse_calc.library_parse import builtin_library

    heparin = builtin_library().find("heparin")
    choice = choose_concentration(heparin, None, parse_concentration("1 units/mL"))
    assert choice.warnings == (
        "1 unit/mL is not a standard concentration of heparin in the library "
        "(standard: 25,000 units/250 mL)",
    )
