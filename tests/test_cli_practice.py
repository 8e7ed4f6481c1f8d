"""``infuse-calc practice``: sessions (through the non-interactive mode), worksheets, marking."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import check_golden

SHEET = ("practice", "--count", "6", "--seed", "7")


# --- worksheets -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "suffix"), [("plain", "txt"), ("markdown", "md"), ("csv", "csv"), ("json", "json")]
)
@pytest.mark.parametrize("answers", [False, True])
def test_worksheet_golden(run: Any, fmt: str, suffix: str, answers: bool) -> None:
    args = [*SHEET, "--format", fmt, *(["--answers"] if answers else [])]
    result = run(*args)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    name = "practice-key" if answers else "practice-sheet"
    check_golden(f"{name}-seed7.{suffix}", result.stdout)


def test_worksheet_defaults_to_ten_problems_in_plain_text(run: Any) -> None:
    result = run("practice", "--seed", "3", "-o", "-")
    assert result.exit_code == 0
    assert "10 problems, all types, level 2 (intermediate), seed 3." in result.stdout
    assert "\n10. " in result.stdout
    assert "\n11. " not in result.stdout


def test_worksheet_without_a_seed_names_the_one_it_used(run: Any) -> None:
    result = run("practice", "--format", "csv", "--count", "2")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    seed = rows[0]["seed"]
    again = run("practice", "--format", "csv", "--count", "2", "--seed", seed)
    assert again.stdout == result.stdout


def test_worksheet_to_a_file(run: Any, tmp_path: Path) -> None:
    target = tmp_path / "sheet.md"
    result = run(*SHEET, "--format", "markdown", "-o", str(target))
    assert result.exit_code == 0
    assert result.stdout == ""
    assert target.read_text(encoding="utf-8") == run(*SHEET, "--format", "markdown").stdout


def test_key_json_answers_are_full_precision(run: Any) -> None:
    document = json.loads(run(*SHEET, "--format", "json", "--answers").stdout)
    assert (document["seed"], document["count"], document["type"], document["level"]) == (
        7,
        6,
        "all",
        2,
    )
    first, second, third = document["problems"][:3]
    assert first["parts"][0]["id"] == "1"
    # 1 g over 30 min = 2 g/h; 20 g in 500 mL = 40 mg/mL; 2,000 mg/h / 40 mg/mL = 50 mL/h
    assert first["parts"][0]["exact"] == {"value": 50.0, "unit": "mL/h"}
    assert first["check"] == 'infuse-calc convert "1 g over 30 min" -c "20 g/500 mL" --explain'
    # 80 units/kg x 98 kg = 7,840 units; / 1,000 units/mL = 7.84 mL
    assert [p["exact"] for p in second["parts"]] == [
        {"value": 7840.0, "unit": "units"},
        {"value": 7.84, "unit": "mL"},
    ]
    # 156 lb x 0.45359237 kg/lb = 70.76041 kg (70.76040972), 70.8 kg to the nearest tenth
    assert third["parts"][0]["exact"] == {"value": 70.76040972, "unit": "kg"}
    assert third["parts"][0]["answer"] == {"value": 70.8, "unit": "kg"}


def test_no_thousands_separator_reaches_the_wording(run: Any) -> None:
    result = run("--no-thousands-separator", *SHEET, "--format", "plain")
    assert "25000 units in 250 mL" in result.stdout
    assert "25,000" not in result.stdout


# --- sessions, through the non-interactive mode ------------------------------------------


def test_session_marks_answers_and_shows_the_chain(run: Any) -> None:
    result = run(
        "practice", "--seed", "7", "--type", "pump-rate", "--count", "2", input="25.6\n2437\n"
    )
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("Practice: 2 problems, pump-rate, level 2 (intermediate), seed 7.\n")
    assert "   Answer (mL/h): 25.6\n   Right: 25.6 mL/h.\n" in out
    assert "     102.4 mcg/h ÷ 4 mcg/mL = 25.6 mL/h\n" in out
    assert "   Answer (mL/h): 2437\n   Wrong: 2437. The answer is 40.6 mL/h" in out
    assert "Your answer is 60x the answer" in " ".join(out.split())
    assert "How it is worked out:" in out
    assert "Check: infuse-calc convert " in out
    assert out.endswith(
        "Score: 1 of 2 right (50%).\n"
        "The wrong answer missed the minutes-to-hours step (× 60 min/h).\n"
    )


def test_session_first_problem_hand_worked(run: Any) -> None:
    result = run("practice", "--seed", "7", "--count", "2", input="50\n7840\n7.84\n")
    out = result.stdout
    assert "A patient is ordered magnesium sulfate 1 g over 30 min. The bag is 20 g in" in out
    assert "   Right: 50 mL/h.\n" in out
    # 80 units/kg x 98 kg = 7,840 units; / 1,000 units/mL = 7.84 mL
    assert "2. A 98 kg patient is ordered a heparin bolus of 80 units/kg." in out
    assert "   a) How many units is the bolus? Round to the nearest whole number.\n" in out
    assert "      Right: 7,840 units.\n" in out
    assert "      Right: 7.84 mL.\n" in out
    assert out.endswith("Score: 3 of 3 right (100%).\n")


def test_q_ends_with_the_score(run: Any) -> None:
    result = run("practice", "--seed", "7", "--type", "pump-rate", input="25.6\nq\n40.6\n")
    assert result.exit_code == 0
    assert result.stdout.endswith("Score: 1 of 1 right (100%).\n")
    assert result.stdout.count("Answer (mL/h):") == 2


def test_end_of_input_ends_with_the_score_so_far(run: Any) -> None:
    result = run("practice", "--seed", "7", "--type", "pump-rate", input="25.6")
    assert result.exit_code == 0
    assert result.stdout.endswith("Score: 1 of 1 right (100%).\n")
    empty = run("practice", "--seed", "7", input="")
    assert empty.exit_code == 0
    assert empty.stdout.endswith("\nScore: no answers.\n")


def test_unreadable_and_empty_answers_are_marked_wrong_and_the_session_goes_on(run: Any) -> None:
    result = run(
        "practice", "--seed", "7", "--type", "pump-rate", "--count", "3", input="four\n\n18\n"
    )
    assert result.exit_code == 0
    out = " ".join(result.stdout.split())
    assert "Wrong: four. The answer is " in out
    assert "Cannot read it: expected a number first, found 'four'." in out
    assert "Wrong: no answer. The answer is " in out
    assert "Score: 1 of 3 right (33%)." in out


def test_the_most_missed_step_ends_a_session(run: Any) -> None:
    # pump-rate seed 7: 25.6, 40.6 and 18 mL/h; answers 60x each: a minutes/hours slip
    from infuse_calc.practice_sets import problem_set

    answers = [p.parts[0].answer.value * 60 for p in problem_set(7, 3, "pump-rate", 2)]
    typed = "".join(f"{float(a):g}\n" for a in answers)
    result = run("practice", "--seed", "7", "--type", "pump-rate", "--count", "3", input=typed)
    assert result.stdout.endswith(
        "Score: 0 of 3 right (0%).\n"
        "Most wrong answers (3 of 3) missed the minutes-to-hours step (× 60 min/h).\n"
    )


def test_ctrl_c_prints_the_score_and_exits_0(run: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from infuse_calc.cli.commands import practice

    typed = iter(["25.6"])

    def read(prompt: str, interactive: bool) -> str:
        try:
            return next(typed)
        except StopIteration:
            raise KeyboardInterrupt from None

    monkeypatch.setattr(practice, "_read", read)
    result = run("practice", "--seed", "7", "--type", "pump-rate")
    assert result.exit_code == 0
    assert result.stdout.endswith("Score: 1 of 1 right (100%).\n")


def test_terminal_session_asks_again_after_an_empty_line(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    from click.testing import CliRunner

    from infuse_calc.cli import cli
    from infuse_calc.cli.commands import practice

    typed = iter(["", "  ", "25.6"])
    prompts: list[str] = []

    def fake_input(prompt: str = "") -> str:
        prompts.append(prompt)
        try:
            return next(typed)
        except StopIteration:
            raise EOFError from None

    monkeypatch.setattr(builtins, "input", fake_input)
    monkeypatch.setattr(practice, "_stdin_is_terminal", lambda: True)
    result = CliRunner().invoke(cli, ["practice", "--seed", "7", "--type", "pump-rate"])
    assert result.exit_code == 0, result.output
    assert prompts[:3] == ["   Answer (mL/h): "] * 3
    assert result.stdout.endswith("Score: 1 of 1 right (100%).\n")


# --- marking ---------------------------------------------------------------------------------


def filled_sheet(run: Any, path: Path, answers: dict[str, str]) -> Path:
    rows = list(csv.DictReader(io.StringIO(run(*SHEET, "--format", "csv").stdout)))
    for row in rows:
        row["answer"] = answers.get(row["problem"], "")
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


# seed 7 (worked in test_practice.py): 1a 112.9 kg, 1b 1,468 mcg/min, 2 6.3 mL/h,
# 3 21 gtt/min, 4 19 mcg/kg/min, 5a 876 units/h, 5b 8.8 mL/h; 6: 178 lb x 0.45359237 =
# 80.739 kg -> 80.7 kg, x 20 mcg/kg/min = 1,614.8 -> 1,615 mcg/min
RIGHT = {
    "1": "50",
    "2a": "7840 units",
    "2b": "7.84",
    "3a": "70.8 kg",
    "3b": "212",
    "4": "40.4 mL/h",
    "5": "25",
    "6": "1,350",
}


def test_grade_a_filled_in_sheet(run: Any, tmp_path: Path) -> None:
    answers = {**RIGHT, "4": "2425", "2b": "78.4", "5": "nineteen", "6": ""}
    sheet = filled_sheet(run, tmp_path / "sheet.csv", answers)
    result = run("practice", "--grade", str(sheet))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "Marks: 6 problems, all types, level 2 (intermediate), seed 7"
    by_problem = {line.split()[0]: line for line in lines[2:] if line[:1].isdigit()}
    assert "right" in by_problem["1"]
    # 40.425 x 60 = 2,425.5: the per-minute dose never turned into per hour
    assert "Your answer is 60x the answer: minutes/hours mix-up" in by_problem["4"]
    # 7.84 x 10 = 78.4
    assert "Your answer is 10x the answer: decimal slip?" in by_problem["2b"]
    assert "Cannot read it: expected a number first, found 'nineteen'." in by_problem["5"]
    assert "wrong" in by_problem["6"]  # left empty
    assert "Score: 4 of 8 right (50%)." in lines


def test_grade_with_the_options_that_made_the_sheet(run: Any, tmp_path: Path) -> None:
    answers = tmp_path / "answers.csv"
    rows = "".join(f"{key},{value}\n" for key, value in {**RIGHT, "6": "1"}.items())
    answers.write_text(f"problem,answer\n{rows}", encoding="utf-8")
    result = run(
        "practice", "--grade", str(answers), "--seed", "7", "--count", "6", "--format", "json"
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert (document["right"], document["of"]) == (7, 8)
    assert [m["problem"] for m in document["marks"] if not m["right"]] == ["6"]
    assert document["marks"][2]["answer"] == {"value": 7.84, "unit": "mL"}


def test_grade_csv_output(run: Any, tmp_path: Path) -> None:
    sheet = filled_sheet(run, tmp_path / "s.csv", RIGHT)
    result = run("practice", "--grade", str(sheet), "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["problem"] for r in rows] == ["1", "2a", "2b", "3a", "3b", "4", "5", "6"]
    assert rows[3]["answer_value"] == "70.8"
    assert rows[3]["exact_value"] == "70.76040972"
    assert {r["right"] for r in rows} == {"true"}
    assert rows[-1]["given"] == "1,350"


def test_grade_names_the_step_most_wrong_answers_missed(run: Any, tmp_path: Path) -> None:
    # per kg forgotten twice: 2a 7,840 / 98 = 80 units (the bolus slip); 3b 212.28 / 70.76 = 3
    answers = {**RIGHT, "2a": "80", "3b": "3", "4": "2425"}
    sheet = filled_sheet(run, tmp_path / "s.csv", answers)
    result = run("practice", "--grade", str(sheet))
    assert "Most wrong answers (2 of 3) missed the per-kg step (× the weight)." in result.stdout


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--seed", "8"], "Error: --seed 8 differs from the worksheet's (7)"),
        (["--count", "5"], "Error: --count 5 differs from the worksheet's (6)"),
        (["--level", "3"], "Error: --level 3 differs from the worksheet's (2)"),
        (["--type", "pounds"], "Error: --type pounds differs from the worksheet's (all)"),
        (["--answers"], "Error: --answers writes an answer key; it does not go with --grade"),
        (
            ["--format", "markdown"],
            "Error: marks are table, plain, csv or json; markdown is for worksheets",
        ),
    ],
)
def test_grade_option_errors(run: Any, tmp_path: Path, extra: list[str], message: str) -> None:
    sheet = filled_sheet(run, tmp_path / "s.csv", RIGHT)
    result = run("practice", "--grade", str(sheet), *extra)
    assert result.exit_code == 2
    assert result.stderr == message + "\n"


@pytest.mark.parametrize(
    ("text", "extra", "message"),
    [
        (
            "problem,answer\n1,1\n",
            ["--seed", "7"],
            "no row for problem 2a, 2b, 3a, 3b, 4, 5, 6, 7a",
        ),
        ("problem,answer\n11,1\n", ["--seed", "7"], "line 2: problem '11' is not in the set"),
        ("problem,answer\n1a,1\n", [], "--grade needs the --seed the worksheet was made with"),
        ("a;b\n1;2\n", ["--seed", "7"], "expected a CSV with the columns problem and answer"),
    ],
)
def test_grade_file_errors(
    run: Any, tmp_path: Path, text: str, extra: list[str], message: str
) -> None:
    path = tmp_path / "a.csv"
    path.write_text(text)
    result = run("practice", "--grade", str(path), *extra)
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("Error: ")


def test_grade_missing_binary_and_self_overwriting_files(run: Any, tmp_path: Path) -> None:
    missing = run("practice", "--grade", str(tmp_path / "none.csv"), "--seed", "1")
    assert missing.exit_code == 2
    assert missing.stderr.endswith("none.csv': file not found\n")
    binary = tmp_path / "b.csv"
    binary.write_bytes(b"\xff\xfe\x00problem")
    assert "cannot be read" in run("practice", "--grade", str(binary), "--seed", "1").stderr
    sheet = filled_sheet(run, tmp_path / "s.csv", RIGHT)
    clobber = run("practice", "--grade", str(sheet), "-o", str(sheet))
    assert clobber.exit_code == 2
    assert "is an input file" in clobber.stderr


# --- option errors -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--count", "0"], "Error: Invalid value for '--count': count 0: give 1 to 1,000 problems"),
        (
            ["--count", "-3"],
            "Error: Invalid value for '--count': count -3: give 1 to 1,000 problems",
        ),
        (
            ["--count", "1001"],
            "Error: Invalid value for '--count': count 1,001: give 1 to 1,000 problems",
        ),
        (
            ["--count", "ten"],
            "Error: Invalid value for '--count': 'ten': expected a whole number of problems "
            "(1 to 1,000)",
        ),
        (["--count", "2.5"], "expected a whole number of problems"),
        (["--count", "99999999999999999999"], "expected a whole number of problems"),
        (["--type", "heparin"], "Error: Invalid value for '--type': 'heparin' is not one of"),
        (
            ["--level", "4"],
            "Error: Invalid value for '--level': unknown level '4': use 1 (basic), "
            "2 (intermediate), 3 (advanced)",
        ),
        (["--level", "hard"], "unknown level 'hard'"),
        (["--format", "table"], "Error: a worksheet is plain, markdown, csv or json, not table"),
        (["--seed", "-1"], "Error: Invalid value for '--seed': -1 is not in the range x>=0."),
    ],
)
def test_option_errors(run: Any, args: list[str], message: str) -> None:
    result = run("practice", *args, input="")
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stderr.count("\n") == 1
    assert result.stdout == ""


# --- the session transcript in docs/practice.md ------------------------------------------------

DOCS = Path(__file__).resolve().parent.parent / "docs" / "practice.md"


def test_the_documented_session_is_real(run: Any) -> None:
    """docs/practice.md shows a session as ```text (console examples get no input); the same
    answers, fed line by line, give exactly that transcript (UPDATE_GOLDEN=1 rewrites it)."""
    import re
    import shlex

    text = DOCS.read_text(encoding="utf-8")
    block = re.search(
        r"```text\n\$ printf '(?P<typed>[^']*)' \| (?P<cmd>[^\n]+)\n(?P<out>.*?)```", text, re.S
    )
    assert block is not None
    typed = block["typed"].replace("\\n", "\n")
    answers = re.findall(r"Answer \([^)]*\): (.*)", block["out"])
    assert "\n".join(answers) + "\n" == typed
    args = shlex.split(block["cmd"])
    assert args[0] == "infuse-calc"
    result = run(*args[1:], input=typed)
    assert result.exit_code == 0
    if os.environ.get("UPDATE_GOLDEN"):
        start, end = block.span("out")
        DOCS.write_text(text[:start] + result.stdout + text[end:], encoding="utf-8")
        return
    assert result.stdout == block["out"], "stale: UPDATE_GOLDEN=1 rewrites the transcript"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    typed=st.lists(
        st.text(max_size=30).filter(lambda t: "\n" not in t and "\r" not in t), max_size=6
    )
)
def test_whatever_is_typed_a_session_ends_with_the_score(typed: list[str]) -> None:
    from click.testing import CliRunner

    from infuse_calc.cli import cli

    text = "".join(f"{line}\n" for line in typed)
    result = CliRunner().invoke(cli, ["practice", "--seed", "5", "--level", "3"], input=text)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 0
    assert result.stderr == ""
    assert "\nScore: " in result.stdout


# --- settings from the config file or the environment ----------------------------------------


@pytest.mark.parametrize("fmt", ["json", "csv", "table", "markdown"])
def test_a_default_format_does_not_turn_a_session_into_a_worksheet(
    run: Any, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    monkeypatch.setenv("INFUSE_CALC_FORMAT", fmt)
    result = run("practice", "--seed", "7", "--type", "pump-rate", "--count", "1", input="25.6\n")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("Practice: 1 problem, pump-rate")
    assert result.stdout.endswith("Score: 1 of 1 right (100%).\n")


def test_a_default_format_applies_to_worksheets_where_it_fits(
    run: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    marks = filled_sheet(run, tmp_path / "s.csv", RIGHT)
    config = tmp_path / "config.toml"
    config.write_text('[defaults]\nformat = "table"\n\n[practice]\nlevel = "3"\n')
    monkeypatch.setenv("INFUSE_CALC_CONFIG", str(config))
    # table is not a worksheet format: the shared default does not apply, plain does
    sheet = run("practice", "--seed", "7", "--count", "1", "-o", "-")
    assert sheet.exit_code == 0, sheet.stderr
    assert sheet.stdout.startswith("Infusion calculations: practice worksheet\n")
    assert "level 3 (advanced)" in sheet.stdout
    monkeypatch.setenv("INFUSE_CALC_FORMAT", "markdown")
    # marks in markdown do not exist: the default gives way to the plain report
    result = run("practice", "--grade", str(marks))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(
        "Marks: 6 problems, all types, level 2 (intermediate), seed 7\n"
    )


def test_a_default_level_does_not_conflict_with_a_sheet(
    run: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    sheet = filled_sheet(run, tmp_path / "s.csv", RIGHT)
    monkeypatch.setenv("INFUSE_CALC_PRACTICE_LEVEL", "3")
    result = run("practice", "--grade", str(sheet))
    assert result.exit_code == 0, result.stderr
    assert "Score: 8 of 8 right (100%)." in result.stdout
