"""Regression tests for bugs found while hunting edge cases (see also fuzz-regressions.txt).

Each test names what used to happen.
"""

from __future__ import annotations

import importlib.util
import json
import math
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from infuse_calc.cli import cli
from infuse_calc.errors import InputError
from infuse_calc.notation import format_number, format_percent, round_places
from infuse_calc.quantities import parse_dose, parse_number, parse_weight

# --- display rounding ---------------------------------------------------------------------


def test_no_double_rounding_just_below_a_half() -> None:
    # 10000.4999...9 (60 nines) is below the half: 5 figures keep the whole digits, 10,000.
    # It used to be rounded to 60 digits first (10000.5) and then up to 10,001.
    value = Fraction(10**60 * 100005 - 1, 10**61)
    assert value < Fraction(20001, 2)
    assert format_number(value) == "10,000"
    # the same just below 0.123455: 0.12345, not 0.12346
    assert format_number(Fraction(123455 * 10**70 - 1, 10**76)) == "0.12345"


def test_values_beyond_60_digits_format_instead_of_raising() -> None:
    # quantize() raised decimal.InvalidOperation from 10**60 up
    assert format_number(Fraction(10) ** 70) == "10" + ",000" * 23
    assert format_number(Fraction(1, 10**70)) == "0." + "0" * 69 + "1"


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("0.123455", "0.12346"),  # a true half rounds up
        ("-0.123455", "-0.12346"),  # and away from zero when negative
        ("999995", "999,995"),  # whole-number digits are never rounded
        ("99999.5", "100,000"),  # 5 figures: 99,999.5 -> 100,000 (half up)
        ("12345.5", "12,346"),
        ("9.99995", "10"),  # 9.99995 -> 10.000 -> 10 (trailing zeros dropped)
        ("0.999995", "1"),
        ("0.000001234", "0.000001234"),
        ("0.0000012345", "0.0000012345"),
        ("0.00000123455", "0.0000012346"),
        ("1.00005", "1.0001"),
        ("2.5", "2.5"),
        ("0.05", "0.05"),
    ],
)
def test_rounding_at_halves(value: str, shown: str) -> None:
    assert format_number(Fraction(value)) == shown


def test_percent_halves_away_from_zero() -> None:
    # -0.005% is a half at 2 places: -0.01%; +0.005% -> +0.01%; -0.004% -> 0%
    assert format_percent(Fraction(-5, 1000)) == "-0.01%"
    assert format_percent(Fraction(5, 1000)) == "+0.01%"
    assert format_percent(Fraction(-4, 1000)) == "0%"
    assert str(round_places(Fraction(-1, 3), 2)) == "-0.33"


# --- numbers that are not numbers ----------------------------------------------------------


@pytest.mark.parametrize(
    ("token", "reason"),
    [
        ("", "expected a number"),  # was IndexError: string index out of range
        ("mL/h", "expected a number such as 0.1, found 'mL/h'"),
        ("abc", "expected a number such as 0.1, found 'abc'"),  # was "a leading zero..."
        ("-1", "negative values are not accepted; the value must be greater than zero"),
        ("−1", "negative values are not accepted; the value must be greater than zero"),
        ("٣", "'٣' is not an ASCII digit; type the number with 0-9"),
    ],
)
def test_parse_number_refuses_what_is_not_a_number(token: str, reason: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_number("pump resolution", token, token, [])
    assert caught.value.reason == reason


def test_refused_units_read_as_one_sentence() -> None:
    # was "'gr' grain (gr) is not accepted..."
    with pytest.raises(InputError) as caught:
        parse_dose("7 gr/h")
    assert caught.value.reason == (
        "'gr' (grain) is not accepted: it is easily confused with gram; write mg or g"
    )


# --- weights at the limits ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kg"),
    [
        ("0.1", Fraction(1, 10)),
        ("650", Fraction(650)),
        ("100 g", Fraction(1, 10)),
        ("650000 g", Fraction(650)),
        ("1433 lb", Fraction("649.99786621")),  # 1433 x 0.45359237
        ("0.2205 lb", Fraction("0.100017117585")),  # 0.2205 x 0.45359237
    ],
)
def test_weights_at_the_limits_are_accepted(text: str, kg: Fraction) -> None:
    assert parse_weight(text).kg == kg


@pytest.mark.parametrize(
    "text",
    ["0.09999999999999", "650.000000000001", "99.9 g", "1434 lb", "0.22 lb", "650001 g"],
)
def test_weights_just_outside_the_limits_are_refused(text: str) -> None:
    # 1434 lb = 650.45145858 kg; 0.22 lb = 0.0997903214 kg
    with pytest.raises(InputError, match=r"is (below 0\.1|over 650) kg"):
        parse_weight(text)


# --- extreme but valid inputs -------------------------------------------------------------


def test_the_largest_and_smallest_inputs_give_finite_json(run: Any) -> None:
    result = run(
        "convert",
        "999999999999999 g/kg/min",
        "-w",
        "650",
        "-c",
        "0.00000000000001 mg/999999999999999 L",
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    # 999999999999999 g/kg/min x 650 kg = 649,999,999,999,999,350 g/min, x 1000 in mg/min
    assert document["per_minute"] == {"value": 649999999999999350000.0, "unit": "mg/min"}
    values = [v["value"] for v in document.values() if isinstance(v, dict)]
    assert all(math.isfinite(v) for v in values)
    assert result.stderr.startswith("Warning: pump rate 3,899,999,999,999,992,200,000,")


def test_plain_text_of_an_empty_headerless_view() -> None:
    # max() of an empty sequence raised ValueError for a view with no rows and no headers
    from infuse_calc.formats.output import View, plain_text

    view = View(["", ""], [], {}, [], [], show_headers=False, notes=["nothing to show"])
    assert plain_text(view) == "nothing to show\n"


def test_an_ascii_terminal_gets_one_error_line_not_an_internal_error(tmp_path: Path) -> None:
    # --explain prints "×"; with an ASCII stdout this was "internal error
    # (UnicodeEncodeError...)", exit 1.
    env = {**os.environ, "PYTHONIOENCODING": "ascii", "INFUSE_CALC_CONFIG": str(tmp_path / "x")}
    args = ["convert", "7 mcg/kg/min", "-w", "72", "-c", "10 mg/mL", "--explain"]
    done = subprocess.run(
        [sys.executable, "-m", "infuse_calc", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == (
        "Error: the output contains U+00D7, which the output encoding (ascii) cannot show; "
        "set PYTHONIOENCODING=utf-8 or use -o FILE\n"
    )


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (
            ["convert", "7 mcg/kg/min", "-w", "72", "--drug", "ketamine", "--library", "BIG"],
            {},
            "drug library BIG: is larger than 1,000,000 bytes",
        ),
        (["convert", "7 mcg/kg/min", "-w", "72"], {"INFUSE_CALC_CONFIG": "BIG"}, "config file BIG"),
        (["schedule", "BIG", "--input-format", "toml"], {}, "BIG: is larger than 1,000,000 bytes"),
    ],
)
def test_endless_or_huge_text_files_are_refused_quickly(
    args: list[str], env: dict[str, str], message: str, tmp_path: Path
) -> None:
    # /dev/zero never ends: reading it whole would fill memory. Every text file is capped.
    big = tmp_path / "big.toml"
    big.write_bytes(b"#" * 1_000_001)
    for path, label in ((str(big), str(big)), ("/dev/zero", "/dev/zero")):
        swapped = [path if a == "BIG" else a for a in args]
        swapped_env = {k: (path if v == "BIG" else v) for k, v in env.items()}
        result = CliRunner().invoke(cli, swapped, env=swapped_env)
        assert result.exit_code == 2, result.output
        assert message.replace("BIG", label) in result.stderr


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
@pytest.mark.parametrize("where", ["first", "later"])
def test_batch_refuses_an_endless_line(fmt: str, where: str, tmp_path: Path) -> None:
    # A file with no newline (or /dev/zero) would otherwise be read into memory whole.
    header = "dose\n" if fmt == "csv" else '{"dose": "7 mg/h"}\n'
    body = "a" * 1_000_001
    source = tmp_path / f"orders.{fmt}"
    source.write_text(body if where == "first" else header + body)
    result = CliRunner().invoke(cli, ["batch", str(source), "--format", "csv"])
    assert result.exit_code == 2
    line = 1 if where == "first" else 2
    assert f"line {line}: is longer than 1,000,000 bytes" in result.stderr.splitlines()[-1]
    devzero = CliRunner().invoke(cli, ["batch", "/dev/zero", "--input-format", fmt])
    assert devzero.exit_code == 2


# --- stop signals: no debris ----------------------------------------------------------------

STOPS = [signal.SIGTERM, signal.SIGHUP]


def stop_line(signum: int) -> str:
    """What a stopped run prints: ``Terminated (SIGTERM).``, ``Hangup (SIGHUP).``"""
    return f"{signal.strsignal(signum)} ({signal.Signals(signum).name}).\n"


def test_the_stop_lines_read_as_expected() -> None:
    assert stop_line(signal.SIGTERM) == "Terminated (SIGTERM).\n"
    assert stop_line(signal.SIGHUP) == "Hangup (SIGHUP).\n"


def default_stops() -> None:
    """Stops as a plain session has them: under ``nohup`` SIGHUP is ignored, and the tool
    keeps it ignored (by design), so the tests would not see the hangup they send."""
    for signum in STOPS:
        signal.signal(signum, signal.SIG_DFL)


@pytest.fixture
def stops_not_ignored() -> Iterator[None]:
    ignored = [s for s in STOPS if signal.getsignal(s) is signal.SIG_IGN]
    for signum in ignored:
        signal.signal(signum, signal.SIG_DFL)
    yield
    for signum in ignored:
        signal.signal(signum, signal.SIG_IGN)


def temporaries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.glob(".infuse-calc-*.tmp"))


def script() -> list[str]:
    """The installed ``infuse-calc`` script beside this Python, else ``python -m``."""
    installed = Path(sys.executable).parent / "infuse-calc"
    return [str(installed)] if installed.exists() else [sys.executable, "-m", "infuse_calc"]


@pytest.mark.parametrize("signum", STOPS, ids=lambda s: signal.Signals(s).name)
def test_a_batch_stopped_mid_write_leaves_no_debris(signum: int, tmp_path: Path) -> None:
    # Used to leave a 12 MB .infuse-calc-*.tmp beside the output on SIGTERM (Ctrl-C was
    # fine). Enough rows that the run is still writing when the signal comes.
    big = tmp_path / "big.csv"
    rows = (f"{n},{1 + n % 20} mcg/kg/min,{40 + n % 80},10 mg/mL\n" for n in range(400_000))
    big.write_text("id,dose,weight,concentration\n" + "".join(rows), encoding="utf-8")
    out = tmp_path / "out.csv"
    out.write_bytes(b"id,result\nprevious results, kept\n")
    before = out.read_bytes()
    env = {**os.environ, "INFUSE_CALC_CONFIG": str(tmp_path / "no-config.toml")}
    process = subprocess.Popen(
        [*script(), "batch", str(big), "-o", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        preexec_fn=default_stops,
    )
    try:
        # Wait until the temporary output has bytes (giving up after a minute: a hang guard).
        deadline = 600
        while not any(p.stat().st_size for p in tmp_path.glob(".infuse-calc-*.tmp")):
            assert process.poll() is None, "batch finished before the signal: use more rows"
            deadline -= 1
            assert deadline, "batch wrote nothing"
            time.sleep(0.1)
        process.send_signal(signum)
        stdout, stderr = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 128 + signum, stderr
    assert stderr == stop_line(signum)
    assert stdout == ""
    assert temporaries(tmp_path) == []
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.csv", "out.csv"]


def signal_mid_render(signum: int) -> Any:
    """A renderer that writes half its output, then receives ``signum`` from outside."""

    def render(view: Any, fmt: str, stream: Any, color: Any = None) -> None:
        stream.write("half a resul")
        stream.flush()
        os.kill(os.getpid(), signum)
        for _ in range(1000):  # the handler runs at the next bytecode; wait if it is late
            time.sleep(0.001)
        stream.write("t\n")

    return render


@pytest.mark.parametrize("signum", STOPS, ids=lambda s: signal.Signals(s).name)
def test_output_files_stopped_mid_write_are_left_untouched(
    signum: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stops_not_ignored: None
) -> None:
    from infuse_calc.formats import output

    monkeypatch.setattr(output, "render", signal_mid_render(signum))
    table, picture = tmp_path / "k.csv", tmp_path / "k.png"
    table.write_text("previous table\n", encoding="utf-8")
    picture.write_bytes(b"previous picture")
    handlers = {s: signal.getsignal(s) for s in STOPS}
    ketamine = str(Path(__file__).parents[1] / "examples" / "ketamine-case.toml")
    args = ["schedule", ketamine, "-o", str(table)]
    if importlib.util.find_spec("matplotlib") is not None:
        args += ["--plot", str(picture)]  # drawn before -o is written, saved after
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 128 + signum, result.output
    assert result.stderr == stop_line(signum)
    assert table.read_text(encoding="utf-8") == "previous table\n"
    assert picture.read_bytes() == b"previous picture"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["k.csv", "k.png"]
    # an in-process run gives the caller its own handlers back
    assert {s: signal.getsignal(s) for s in STOPS} == handlers


def test_an_ignored_hangup_stays_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # under nohup SIGHUP is ignored: the run must go on and write its file whole
    from infuse_calc.formats import output

    real_render = output.render

    def render(view: Any, fmt: str, stream: Any, color: Any = None) -> None:
        os.kill(os.getpid(), signal.SIGHUP)
        real_render(view, fmt, stream, color)

    monkeypatch.setattr(output, "render", render)
    previous = signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        out = tmp_path / "out.txt"
        result = CliRunner().invoke(cli, ["convert", "7 mcg/kg/min", "-w", "72", "-o", str(out)])
        assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGHUP, previous)
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("Dose        7 mcg/kg/min\n")
