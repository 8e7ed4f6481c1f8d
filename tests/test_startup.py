"""Start-up stays light: which heavy modules each kind of invocation imports (no timings).

Each case runs in a fresh interpreter, since this test process has long since imported
everything, and reports which of pint and rich ended up in ``sys.modules``. pint is the
source of every factor, but a warm run (the factors of its units already in the factor
cache) must not import it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from infuse_calc import __version__
from infuse_calc.cli import cli

ROOT = Path(__file__).resolve().parent.parent
PROBE = """
import json, sys
from infuse_calc.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
heavy = sorted({name.split(".")[0] for name in sys.modules} & {"pint", "rich"})
sys.stderr.write("\\nMODULES=" + json.dumps(sorted(sys.modules)))
sys.stderr.write("\\nHEAVY=" + json.dumps(heavy) + "\\n")
"""
CONVERT = ["convert", "7", "mcg/kg/min", "-w", "72", "-c", "10 mg/mL", "--format", "json"]


def run_probe(
    env: dict[str, str], *args: str, code: str = PROBE
) -> subprocess.CompletedProcess[str]:
    """Run the CLI (``code``: the probe) in a fresh interpreter with only ``env`` (and PATH)."""
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", **env},
    )


def probe_env(cache: Path) -> dict[str, str]:
    return {
        "INFUSE_CALC_CONFIG": str(ROOT / "no-such-config.toml"),
        "INFUSE_CALC_CACHE_DIR": str(cache),
    }


def probe(cache: Path, *args: str) -> tuple[list[str], str]:
    """Run the CLI in a fresh interpreter: the heavy modules it imported, and its stdout."""
    done = run_probe(probe_env(cache), *args)
    marker = done.stderr.rsplit("HEAVY=", 1)
    assert len(marker) == 2, done.stderr
    found: list[str] = json.loads(marker[1])
    return found, done.stdout


def imported(done: subprocess.CompletedProcess[str]) -> set[str]:
    """Every module a probe's run imported."""
    marker = done.stderr.rsplit("MODULES=", 1)
    assert len(marker) == 2, done.stderr
    return set(json.loads(marker[1].split("\n", 1)[0]))


def heavy_modules(cache: Path, *args: str) -> list[str]:
    return probe(cache, *args)[0]


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["-h"]])
def test_help_and_version_import_neither_pint_nor_rich(
    factor_cache_dir: Path, args: list[str]
) -> None:
    assert heavy_modules(factor_cache_dir, *args) == []


def test_a_warm_convert_json_imports_neither_pint_nor_rich(factor_cache_dir: Path) -> None:
    cold, cold_output = probe(factor_cache_dir, *CONVERT)
    assert cold == ["pint"]  # the first run asks pint for the factors, and keeps them
    warm, warm_output = probe(factor_cache_dir, *CONVERT)
    assert warm == []
    assert warm_output == cold_output
    assert json.loads(warm_output)["per_day"] == {"value": 725.76, "unit": "mg/day"}


def test_warm_pounds_and_explain_do_not_import_pint(factor_cache_dir: Path) -> None:
    args = ["convert", "0.1 units/kg/h", "-w", "154 lb", "-c", "100 units/100 mL"]
    args += ["--explain", "--format", "json"]
    assert heavy_modules(factor_cache_dir, *args) == ["pint"]
    found, output = probe(factor_cache_dir, *args)
    assert found == []
    # 154 lb x 0.45359237 = 69.85322498 kg (exact)
    assert json.loads(output)["weight"] == {"value": 69.85322498, "unit": "kg"}


def test_without_a_usable_cache_every_run_asks_pint(tmp_path: Path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a directory", encoding="utf-8")
    first, output = probe(blocked, *CONVERT)
    second, again = probe(blocked, *CONVERT)
    assert first == second == ["pint"]
    assert output == again


def test_a_warm_batch_without_a_terminal_imports_neither(factor_cache_dir: Path) -> None:
    # the progress bar (rich) is drawn only when stderr is a terminal
    args = ["batch", str(ROOT / "examples" / "orders.csv"), "--format", "jsonl"]
    assert heavy_modules(factor_cache_dir, *args) == ["pint"]
    assert heavy_modules(factor_cache_dir, *args) == []


def test_the_probe_can_see_an_import(factor_cache_dir: Path) -> None:
    # a table is drawn with rich, and a cold run imports pint: the probe must see both
    found = heavy_modules(
        factor_cache_dir, "convert", "7 mcg/kg/min", "-w", "72", "--format", "table"
    )
    assert found == ["pint", "rich"]


# --- piped output never draws, so never imports rich ------------------------------------------

EXAMPLES = ROOT / "examples"
# One run of each command that writes a view; every one goes through the same emit().
PIPED_RUNS = {
    "convert": ["convert", "7", "mcg/kg/min", "-w", "72", "-c", "10 mg/mL"],
    "titrate": [
        "titrate",
        "--from",
        "2",
        "--to",
        "4",
        "--step",
        "1",
        "--unit",
        "mcg/kg/min",
        "-w",
        "72",
    ],
    "chart": [
        "chart",
        "--doses",
        "1,2",
        "--unit",
        "mcg/kg/min",
        "--weights",
        "50,60",
        "-c",
        "4 mg/250 mL",
    ],
    "schedule": ["schedule", str(EXAMPLES / "ketamine-case.toml")],
    "check": ["check", "7 mcg/kg/min", "-w", "72", "-c", "10 mg/mL", "--pump", "3 mL/h"],
    "concentration": ["concentration", "4 mg", "250 mL"],
    "config show": ["config", "show"],
}


@pytest.mark.parametrize("command", list(PIPED_RUNS))
def test_the_piped_runs_work(command: str) -> None:
    # a run that stopped at a usage error would prove nothing about rendering
    result = CliRunner().invoke(cli, [*PIPED_RUNS[command], "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert result.stdout.count("\n") >= 2, result.stdout  # a header and a row at least


@pytest.mark.parametrize("fmt", [None, "plain", "csv", "json"], ids=lambda f: f or "default")
@pytest.mark.parametrize("command", list(PIPED_RUNS))
def test_piped_output_does_not_import_rich(command: str, fmt: str | None, tmp_path: Path) -> None:
    # the probe's stdout is a pipe: the default format is plain text, and no table is drawn
    args = PIPED_RUNS[command] + ([] if fmt is None else ["--format", fmt])
    assert "rich" not in heavy_modules(tmp_path, *args)


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "json"])
def test_piped_batch_does_not_import_rich(fmt: str, tmp_path: Path) -> None:
    assert "rich" not in heavy_modules(
        tmp_path, "batch", str(EXAMPLES / "orders.csv"), "--format", fmt
    )


def test_a_piped_run_that_fails_does_not_import_rich(tmp_path: Path) -> None:
    # errors are click's one line; nothing is drawn
    assert "rich" not in heavy_modules(tmp_path, "convert", "7", "mcg/kg/min", "-w", "0")


# --- what a warm run without settings leaves out ---------------------------------------------

#: the config machinery: needed only when a config file or INFUSE_CALC_* variable exists
CONFIG_MODULES = {"tomllib", "pathlib", "platformdirs", "infuse_calc.config"}


def test_a_warm_convert_without_settings_loads_no_config_machinery(factor_cache_dir: Path) -> None:
    env = probe_env(factor_cache_dir)
    run_probe(env, *CONVERT)
    assert not imported(run_probe(env, *CONVERT)) & CONFIG_MODULES


def test_the_user_directories_need_no_platformdirs(tmp_path: Path) -> None:
    # no INFUSE_CALC_* variable at all: the config file and the factor cache are looked for
    # in the user's directories (XDG_CACHE_HOME, ~/.config), as a user's first runs do
    env = {"HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    first = run_probe(env, *CONVERT)
    assert (tmp_path / "cache" / "infuse-calc" / "factors.json").is_file()
    warm = run_probe(env, *CONVERT)
    assert warm.stdout == first.stdout
    assert not imported(warm) & {"pint", *CONFIG_MODULES}
    # with a config file there, it is read and applied
    config = tmp_path / ".config" / "infuse-calc" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text('[convert]\npump_resolution = "0.01"\n', encoding="utf-8")
    configured = run_probe(env, *CONVERT)
    assert "infuse_calc.config" in imported(configured)
    # 3.024 mL/h at 0.01 mL/h steps
    assert json.loads(configured.stdout)["pump_rate_rounded"]["value"] == 3.02


#: what only some calls need: an amount over a time or a bolus (durations, given, amounts),
#: --explain (explain), a warning to word (run_warnings)
ON_DEMAND_MODULES = {
    "infuse_calc.durations",
    "infuse_calc.given",
    "infuse_calc.amounts",
    "infuse_calc.explain",
    "infuse_calc.run_warnings",
}


def test_a_plain_warm_convert_loads_only_what_it_needs(factor_cache_dir: Path) -> None:
    env = probe_env(factor_cache_dir)
    run_probe(env, *CONVERT)
    plain = run_probe(env, *CONVERT)
    assert json.loads(plain.stdout)["pump_rate"] == {"value": 3.024, "unit": "mL/h"}
    assert not imported(plain) & ON_DEMAND_MODULES
    # the probe sees them when a call needs them: a dose over a time, explained, warned (cc)
    timed = ["convert", "6 g over 20 min", "-c", "40 g in 1000 cc", "--explain"]
    run_probe(env, *timed, "--format", "json")
    needed = imported(run_probe(env, *timed, "--format", "json"))
    assert needed >= ON_DEMAND_MODULES


def test_a_warm_convert_loads_the_file_writer_only_for_a_file(
    factor_cache_dir: Path, tmp_path: Path
) -> None:
    env = probe_env(factor_cache_dir)
    run_probe(env, *CONVERT)
    assert "infuse_calc.formats.files" not in imported(run_probe(env, *CONVERT))
    target = tmp_path / "out.json"
    written = run_probe(env, *CONVERT, "-o", str(target))
    assert "infuse_calc.formats.files" in imported(written)
    assert json.loads(target.read_text(encoding="utf-8"))["per_hour"] == {
        "value": 30.24,
        "unit": "mg/h",
    }


def test_the_entry_point_freezes_what_start_up_made(tmp_path: Path) -> None:
    # main() hands what was imported before it ran (click, the group) to gc.freeze, so the
    # collector never walks it again; a library import freezes nothing
    code = (
        "import gc, sys\nfrom infuse_calc.cli import main\nbefore = gc.get_freeze_count()\n"
        "try:\n    main(['--version'])\nexcept SystemExit:\n    pass\n"
        "sys.stderr.write(f'FROZEN={before},{gc.get_freeze_count()}')"
    )
    done = run_probe(probe_env(tmp_path), code=code)
    before, after = map(int, done.stderr.rsplit("FROZEN=", 1)[1].split(","))
    assert done.stdout.startswith("infuse-calc, version")
    assert before == 0
    assert after > 1_000  # click and the group's objects


#: what a plain warm convert loaded of dataclasses: nothing. Making a dataclass costs about
#: half a millisecond at import (3.11 compiles its generated methods), so the classes a
#: convert needs are plain slotted classes (slots.Slots); the probe names any dataclass
#: of infuse_calc that comes back
DATACLASS_PROBE = """
import sys
from infuse_calc.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
made = []
if "dataclasses" in sys.modules:
    import dataclasses
    made = sorted(
        f"{cls.__module__}.{cls.__qualname__}"
        for name, module in list(sys.modules.items())
        if name.startswith("infuse_calc")
        for cls in vars(module).values()
        if isinstance(cls, type) and cls.__module__ == name and dataclasses.is_dataclass(cls)
    )
    made.append("dataclasses")
sys.stderr.write("DATACLASSES=" + ",".join(made))
"""


def test_a_plain_warm_convert_makes_no_dataclass(factor_cache_dir: Path) -> None:
    env = probe_env(factor_cache_dir)
    runs = [run_probe(env, *CONVERT, code=DATACLASS_PROBE) for _ in range(2)]
    assert json.loads(runs[1].stdout)["per_hour"] == {"value": 30.24, "unit": "mg/h"}
    made = list(filter(None, runs[1].stderr.rsplit("DATACLASSES=", 1)[1].split(",")))
    assert made == []


LAUNCH_PROBE = """
import gc, sys

class Spy:
    # records whether the collector was on when click was imported
    def find_spec(self, name, path=None, target=None):
        if name == "click":
            seen.append(gc.isenabled())
        return None

seen = []
sys.meta_path.insert(0, Spy())
sys.argv = ["infuse-calc", *sys.argv[1:]]
from infuse_calc.__main__ import main
try:
    main()
except SystemExit:
    pass
sys.stderr.write(f"LAUNCH={seen},{gc.isenabled()},{gc.get_freeze_count()}")
"""


def test_the_script_imports_the_command_line_with_the_collector_off(tmp_path: Path) -> None:
    # the console script (infuse_calc.__main__:main) imports click and the group with the
    # cyclic collector off, turns it back on, and main() freezes what was made
    done = run_probe(probe_env(tmp_path), "--version", code=LAUNCH_PROBE)
    assert done.stdout == f"infuse-calc, version {__version__}\n"
    seen, enabled, frozen = done.stderr.rsplit("LAUNCH=", 1)[1].rsplit(",", 2)
    assert seen == "[False]"
    assert enabled == "True"
    assert int(frozen) > 1_000


def test_the_console_script_is_the_launcher() -> None:
    import tomllib

    with (ROOT / "pyproject.toml").open("rb") as stream:
        scripts = tomllib.load(stream)["project"]["scripts"]
    assert scripts == {"infuse-calc": "infuse_calc.__main__:main"}
