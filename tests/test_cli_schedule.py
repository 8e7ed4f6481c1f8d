"""The schedule command end to end: golden outputs, precedence, errors, -o and --plot."""

from __future__ import annotations

import csv
import io
import json
import struct
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from infuse_calc.cli import cli
from tests.conftest import check_golden

KETAMINE = str(Path(__file__).parents[1] / "examples" / "ketamine-case.toml")
SHORT = """weight = "72 kg"
[[segment]]
day = 1
time = "22:00"
dose = "7 mcg/kg/min"
[[segment]]
at = "4h"
stop = true
"""


@pytest.mark.parametrize("fmt", ["table", "plain", "csv", "json"])
def test_ketamine_golden(fmt: str) -> None:
    # The segment table is about 140 columns wide: draw it in a terminal that wide.
    runner = CliRunner()
    result = runner.invoke(cli, ["schedule", KETAMINE, "--format", fmt], env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    check_golden(f"schedule-ketamine.{fmt}", result.stdout)


def test_narrow_terminal_folds_the_table_rather_than_cropping_it(run: Any) -> None:
    out = run("schedule", KETAMINE, "--format", "table").stdout  # COLUMNS=100
    assert max(len(line) for line in out.splitlines()) <= 100
    for figure in ("303.26", "3,032.6", "nystagm", "8.64"):
        assert figure in out


def test_ketamine_figures_in_plain_output(run: Any) -> None:
    out = run("schedule", KETAMINE, "--format", "plain").stdout
    # 7 x 72 x 1,440 / 1,000 = 725.76 mg on each whole day at 7 mcg/kg/min (days 2 and 4)
    assert out.count("725.76 mg") == 2
    assert "day 3   00:00-24:00               24 h   751.68 mg" in out
    assert "30.24 mg/h" in out
    assert "Dose (mcg/kg/min)" in out


def test_json_and_csv_totals(run: Any) -> None:
    document = json.loads(run("schedule", KETAMINE, "--format", "json").stdout)
    # 3,032,640 mcg = 3,032.64 mg; / 10 mg/mL = 303.264 mL; 104 h
    assert document["total"]["amount"] == {"value": 3032.64, "unit": "mg"}
    assert document["total"]["volume"] == {"value": 303.264, "unit": "mL"}
    assert document["total"]["duration"] == {"value": 104.0, "unit": "h"}
    assert [d["amount"]["value"] for d in document["days"]] == [
        483.84,
        725.76,
        751.68,
        725.76,
        345.6,
    ]
    assert document["segments"][1]["start"] == {
        "day": 3,
        "time": "08:00",
        "offset": {"value": 48.0, "unit": "h"},
    }
    rows = list(csv.DictReader(io.StringIO(run("schedule", KETAMINE, "--format", "csv").stdout)))
    assert [r["row"] for r in rows] == ["segment"] * 5 + ["day"] * 5 + ["total"]
    assert sum(float(r["amount_value"]) for r in rows if r["row"] == "day") == pytest.approx(
        3032.64, abs=1e-9
    )


def test_units_in_machine_output_parse_with_pint(run: Any) -> None:
    from infuse_calc.units import registry

    document = json.loads(run("schedule", KETAMINE, "--format", "json").stdout)
    for key in ("rate", "volume_rate", "amount", "dose"):
        measure = document["segments"][0][key]
        registry().Quantity(measure["value"], measure["unit"])


def test_command_line_weight_wins_with_a_warning(run: Any, tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_text(SHORT)
    result = run("schedule", str(path), "-w", "70", "--format", "json")
    assert result.exit_code == 0
    assert result.stderr == (
        "Warning: weight '70' from the command line overrides '72 kg' from the file\n"
    )
    # 7 x 70 x 240 min = 117,600 mcg = 117.6 mg
    assert json.loads(result.stdout)["total"]["amount"] == {"value": 117.6, "unit": "mg"}
    same = run("schedule", str(path), "-w", "158.733 lb", "--format", "json")
    assert "overrides" in same.stderr  # 158.733 lb is 71.99999... kg, not 72
    agree = run("schedule", str(path), "-w", "72000 g", "-c", "1 g/100 mL", "--format", "json")
    assert agree.stderr == ""


def test_concentration_precedence(run: Any, tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_text('concentration = "10 mg/mL"\n' + SHORT)
    same = run("schedule", str(path), "-c", "10 g/L", "--format", "csv")
    assert same.stderr == ""
    other = run("schedule", str(path), "-c", "500 mg/50 mL", "--format", "json")
    assert other.stderr == ""  # 500 mg / 50 mL is 10 mg/mL
    differ = run("schedule", str(path), "-c", "1 mg/mL", "--format", "json")
    assert "concentration '1 mg/mL' from the command line overrides '10 mg/mL'" in differ.stderr
    # 7 x 72 x 240 = 120,960 mcg = 120.96 mg at 1 mg/mL = 120.96 mL
    assert json.loads(differ.stdout)["total"]["volume"]["value"] == pytest.approx(120.96)


def test_midnight_split_in_output(run: Any, tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_text(SHORT)
    document = json.loads(run("schedule", str(path), "--format", "json").stdout)
    # 22:00-24:00 = 2 h x 504 mcg/min x 60 = 60.48 mg on day 1, the same on day 2
    assert [(d["day"], d["amount"]["value"]) for d in document["days"]] == [
        (1, 60.48),
        (2, 60.48),
    ]


def test_stdin_and_csv(run: Any) -> None:
    text = "day,time,dose\n1,08:00,4 mg/h\n1,20:00,stop\n"
    result = run("schedule", "-", "--input-format", "csv", "--format", "json", input=text)
    assert result.exit_code == 0, result.stderr
    # 4 mg/h x 12 h = 48 mg
    assert json.loads(result.stdout)["total"]["amount"] == {"value": 48.0, "unit": "mg"}
    assert "volume" not in json.loads(result.stdout)["total"]


def test_no_chart(run: Any) -> None:
    out = run("schedule", KETAMINE, "--no-chart", "--format", "plain").stdout
    assert "Dose (mcg/kg/min)" not in out
    assert "751.68 mg" in out


@pytest.mark.parametrize(
    ("content", "extra", "message"),
    [
        (
            SHORT.replace('at = "4h"', 'day = 1\ntime = "21:00"'),
            [],
            "Error: s.toml: segment 2 (line 6): starts at day 1 21:00, before segment 1 "
            "(line 2) at day 1 22:00: segments must be in time order and cannot overlap\n",
        ),
        (
            SHORT.replace('weight = "72 kg"\n', ""),
            [],
            "Error: s.toml: segment 1 (line 1): dose 7 mcg/kg/min is per kg: give the weight "
            'in the file (weight = "72 kg") or with --weight\n',
        ),
        (
            SHORT.replace("7 mcg/kg/min", "18 units/kg/h"),
            ["-c", "10 mg/mL"],
            "Error: s.toml: segment 1 (line 2): dose '18 units/kg/h' is in units but "
            "concentration '10 mg/mL' is in mass (mcg, mg, g...): they must measure the same "
            "kind of amount\n",
        ),
        (
            SHORT + '[[segment]]\nat = "5h"\ndose = "1 mg/h"\n',
            [],
            "Error: s.toml: segment 3 (line 9): comes after the stop at day 2 02:00 "
            "(segment 2 (line 6)); a stop ends the course, nothing may follow it\n",
        ),
        (
            SHORT.replace("stop = true", 'dose = "1 mcg/kg/min"'),
            [],
            "Error: s.toml: segment 2 (line 6): the last segment has no end; finish the "
            'course with a stop (stop = true, or dose "stop")\n',
        ),
        (
            SHORT.replace('at = "4h"', 'at = "0h"'),
            [],
            "Error: s.toml: segment 2 (line 6): starts at day 1 22:00, the same time as "
            "segment 1 (line 2), which would then last no time at all\n",
        ),
        (
            "weight = \n",
            [],
            "Error: s.toml: is not valid TOML: Invalid value (at line 1, column 10)\n",
        ),
    ],
)
def test_errors_are_one_line_with_the_location(
    run: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    content: str,
    extra: list[str],
    message: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("s.toml").write_text(content)
    result = run("schedule", "s.toml", *extra)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == message


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.toml"], "Error: missing.toml: no such file\n"),
        (
            ["-"],
            "Error: cannot tell the format of standard input: name it .toml or .csv, or "
            "give --input-format toml|csv\n",
        ),
        (["x.txt"], "Error: cannot tell the format of 'x.txt'"),
        (
            [KETAMINE, "--plot", "k.pdf"],
            "Error: --plot 'k.pdf': the file name must end in .png or .svg\n",
        ),
        (
            [KETAMINE, "--plot", "no/such/k.png"],
            "Error: --plot 'no/such/k.png': its folder does not exist\n",
        ),
        ([KETAMINE, "-w", "0"], "Error: Invalid value for '-w' / '--weight': '0': must be "),
        ([KETAMINE, "--input-format", "xml"], "Error: Invalid value for '--input-format'"),
    ],
)
def test_command_line_errors(
    run: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("x.txt").write_text(SHORT)
    result = run("schedule", *args)
    assert result.exit_code == 2
    assert result.stderr.startswith(message)
    assert result.stderr.count("\n") == 1


def test_empty_binary_and_huge_files(run: Any, tmp_path: Path) -> None:
    cases = {
        "empty.toml": (b"", "is empty"),
        "binary.toml": (b"\x00\x01\x02", "looks like a binary file"),
        "latin1.csv": (b"day,time,dose\n1,08:00,1 mg/h\xb5\n", "line 2: is not UTF-8 text"),
        "huge.toml": (b"#" * 1_000_001, "is larger than 1,000,000 bytes"),
    }
    for name, (data, message) in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        result = run("schedule", str(path))
        assert result.exit_code == 2, name
        assert message in result.stderr, name


def test_output_file_is_all_or_nothing(run: Any, tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    good = run("schedule", KETAMINE, "--format", "json", "-o", str(out))
    assert good.exit_code == 0
    assert good.stdout == ""
    assert json.loads(out.read_text())["total"]["amount"]["value"] == 3032.64
    bad = tmp_path / "bad.toml"
    bad.write_text(SHORT.replace("stop = true", 'dose = "1 mg/h"'))
    before = out.read_bytes()
    failed = run("schedule", str(bad), "--format", "json", "-o", str(out))
    assert failed.exit_code == 2
    assert out.read_bytes() == before
    fresh = tmp_path / "fresh.csv"
    assert run("schedule", str(bad), "-o", str(fresh)).exit_code == 2
    assert not fresh.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.toml", "out.json"]


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_plot_png(run: Any, tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    png = tmp_path / "ketamine.png"
    result = run("schedule", KETAMINE, "--plot", str(png), "--format", "csv")
    assert result.exit_code == 0, result.stderr
    data = png.read_bytes()
    assert len(data) > 10_000
    assert _png_size(data) == (800, 600)  # 8 x 6 inches at 100 dpi
    assert result.stdout.startswith("row,segment")


def test_plot_svg_is_deterministic(run: Any, tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    first, second = tmp_path / "a.svg", tmp_path / "b.svg"
    assert run("schedule", KETAMINE, "--plot", str(first), "--format", "csv").exit_code == 0
    assert run("schedule", KETAMINE, "--plot", str(second), "--format", "csv").exit_code == 0
    text = first.read_text()
    assert text.startswith("<?xml")
    assert "Total per calendar day" in text or "<svg" in text
    assert first.read_bytes() == second.read_bytes()


def test_plot_without_matplotlib(run: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # makes `import matplotlib` fail
    png = tmp_path / "k.png"
    out = tmp_path / "out.csv"
    result = run("schedule", KETAMINE, "--plot", str(png), "-o", str(out))
    assert result.exit_code == 2
    assert result.stderr == ("Error: plotting needs matplotlib: pip install 'infuse-calc[plot]'\n")
    assert result.stdout == ""
    assert not png.exists()
    assert not out.exists()


def test_help_names_the_grammar(run: Any) -> None:
    result = run("schedule", "--help")
    assert result.exit_code == 0
    assert 'at = "50h"' in result.stdout
    assert "the command line wins" in result.stdout
    assert "schedule" in run("--help").stdout


def test_docs_section_examples_are_current(monkeypatch: pytest.MonkeyPatch) -> None:
    import re
    import shlex

    root = Path(__file__).parents[1]
    monkeypatch.chdir(root)
    text = (root / "docs" / "schedule.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```console\n\$ (infuse-calc schedule[^\n]*)\n(.*?)```", text, re.DOTALL)
    assert len(blocks) >= 2
    for command, expected in blocks:
        args = shlex.split(command)[1:]
        result = CliRunner().invoke(cli, args, env={"COLUMNS": "100", "NO_COLOR": "1"})
        assert result.exit_code == 0
        assert result.stdout == expected, command
