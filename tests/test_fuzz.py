"""Fuzzing every string a user can type into every command.

Whatever goes into an argument, an option value or a file the command reads, the CLI must
answer with exit status 0, 1 or 2, never a traceback or an "internal error", and, when it
fails, exactly one ``Error: ...`` line on stderr (``Warning: ...`` lines may come before).

Targets are built generically from :data:`infuse_calc.cli.COMMANDS`: every parameter of every
command (and subcommand) is fuzzed in turn inside an otherwise valid invocation (``BASE``;
a command missing from ``BASE`` gets type-based defaults, so new commands are fuzzed too).
Output paths are fuzzed inside a sandbox directory; input-file parameters are fuzzed
through the file's contents.

CI runs ``FUZZ_EXAMPLES`` examples per target. A long run (not in CI)::

    INFUSE_CALC_FUZZ_EXAMPLES=20000 .venv/bin/python -m pytest -m slow tests/test_fuzz.py

Every input that ever broke something goes into ``tests/data/fuzz-regressions.txt``.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from types import FrameType
from typing import Any

import click
import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from infuse_calc.cli import COMMANDS, cli

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
REGRESSIONS = Path(__file__).parent / "data" / "fuzz-regressions.txt"

FUZZ_EXAMPLES = 100
LONG_EXAMPLES = int(os.environ.get("INFUSE_CALC_FUZZ_EXAMPLES", "5000"))
# Bounds on one call: generous, they catch hangs (pint's parser once hung on 9**9**9),
# not slowness.
DEADLINE = timedelta(seconds=10)
HANG_SECONDS = 30
SUBPROCESS_TIMEOUT = 60


@pytest.fixture(autouse=True)
def _in_sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A fuzzed relative output path (a config file's `output = "..."`) lands here.
    monkeypatch.chdir(tmp_path)


# --- the invariant ------------------------------------------------------------------------


#: what stderr may say before an Error line: warnings, and notes (what --drug chose)
STDERR_LINES = ("Warning: ", "Note: ")


def check_outcome(result: Result, args: list[str]) -> None:
    """Exit 0/1/2, no traceback, and on failure one ``Error:`` line after any warnings.

    Exit 1 without an ``Error:`` line is allowed for a failed check: its report is on stdout.
    """
    context = f"args={args!r}\nstdout={result.stdout!r}\nstderr={result.stderr!r}"
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"uncaught {result.exception!r}\n{context}") from result.exception
    assert result.exit_code in (0, 1, 2), context
    check_streams(result.exit_code, result.stdout, result.stderr, context)


def check_streams(code: int, stdout: str, stderr: str, context: str) -> None:
    assert "Traceback" not in stderr + stdout, context
    assert "internal error" not in stderr, context
    lines = stderr.splitlines()
    if code == 0 or (
        code == 1 and stdout.strip() and not any(line.startswith("Error: ") for line in lines)
    ):
        # Success, or a failed check (exit 1) whose report is the output.
        assert all(line.startswith(STDERR_LINES) for line in lines), context
        return
    assert lines, f"exit {code} without a message\n{context}"
    assert lines[-1].startswith("Error: "), context
    assert all(line.startswith(STDERR_LINES) for line in lines[:-1]), context


@contextlib.contextmanager
def hang_guard(seconds: int = HANG_SECONDS) -> Iterator[None]:
    """Fail a call that never returns (the hypothesis deadline only measures finished ones)."""

    def expire(signum: int, frame: FrameType | None) -> None:
        raise TimeoutError(f"call did not return within {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def invoke(args: list[str], env: dict[str, str | None] | None = None) -> Result:
    runner = CliRunner()
    environment: dict[str, str | None] = {"COLUMNS": "100", "INFUSE_CALC_LIBRARY": None}
    environment.update(env or {})
    with hang_guard():
        return runner.invoke(cli, args, env=environment)


# --- fuzzed text --------------------------------------------------------------------------

VALID_TEXTS = [
    "7 mcg/kg/min",
    "0.1 units/kg/h",
    "4 mg/h",
    "3 mL/h",
    "250 mcg/min",
    "72",
    "72 kg",
    "154 lb",
    "850 g",
    "10 mg/mL",
    "500 mg/250 mL",
    "500 mg in 250 mL",
    "25000 units/250 mL",
    "1%",
    "mcg/kg/min",
    "mL/h",
    "0.1",
    "0.05,0.1,0.2",
    "40..90/5",
    "1..5/1",
    "30min",
    "22:00",
    "5%",
    "dose=rate_ordered",
    "ketamine",
    "json",
    "csv",
]
# Characters people (and copy-paste) put into numbers and units.
TRICKY = (
    "0123456789.,-+eE/%*^() []{}:;'\"\\|#=_~<>!?&$@`"
    "−–—"  # minus, en dash, em dash
    "µμ"  # micro sign, Greek mu
    "٣१０１２３"  # Arabic-Indic, Devanagari, full-width digits
    "½¼²³⁄∞"
    "\u00a0\u2009\u202f\u200b\ufeff\t\n\r\x00\x7f"
    "mcgkLlbhdayunitsIUUccinperxX"
    "İıſﬀ"  # characters whose case folding changes length
)
tricky_text = st.text(alphabet=st.sampled_from(TRICKY), max_size=40)
any_text = st.text(max_size=60)
huge_numbers = st.builds(
    lambda digits, unit: digits + unit,
    st.text(alphabet="0123456789", min_size=16, max_size=5000),
    st.sampled_from(["", " mg/h", " kg", " mg/mL", "**9 mg", ".5"]),
)


@st.composite
def mutated(draw: st.DrawFn) -> str:
    """A valid input with a few edits: insert, delete, replace, join, repeat, wrap."""
    text = draw(st.sampled_from(VALID_TEXTS))
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.integers(0, 6))
        pos = draw(st.integers(0, len(text)))
        if op == 0:
            text = text[:pos] + draw(st.sampled_from(TRICKY)) + text[pos:]
        elif op == 1 and text:
            text = text[: max(pos - 1, 0)] + text[pos:]
        elif op == 2:
            text = text[:pos] + draw(st.sampled_from(TRICKY)) + text[pos + 1 :]
        elif op == 3:
            text = (
                text
                + draw(st.sampled_from(["", " ", "/", " in ", " per "]))
                + draw(st.sampled_from(VALID_TEXTS))
            )
        elif op == 4:
            insert = draw(st.sampled_from(["**", "**9**9", "e308", "9" * 400]))
            text = text[:pos] + insert + text[pos:]
        elif op == 5:
            pair = draw(st.sampled_from(["()", "[]", "{}", "''", '""', "<>"]))
            text = pair[0] + text + pair[1]
        else:
            text = text * draw(st.integers(2, 40))
    return text


fuzz_text = st.one_of(mutated(), tricky_text, any_text, huge_numbers, st.sampled_from(VALID_TEXTS))


# --- targets ------------------------------------------------------------------------------

# A valid invocation of each command: argument name -> values, option -> value. Input files
# are "@<example file>" (copied into a sandbox before the run).
BASE: dict[str, dict[str, Any]] = {
    "convert": {"dose": ["7 mcg/kg/min"], "--weight": "72", "--concentration": "10 mg/mL"},
    "check": {
        "order": ["7 mcg/kg/min"],
        "--pump": "3 mL/h",
        "--weight": "72",
        "--concentration": "10 mg/mL",
    },
    "concentration": {"amount": ["4 mg"], "volume": ["250 mL"]},
    "titrate": {
        "--from": "2 mcg/kg/min",
        "--to": "10 mcg/kg/min",
        "--step": "1",
        "--weight": "72",
        "--concentration": "10 mg/mL",
    },
    "chart": {
        "--doses": "0.05,0.1",
        "--unit": "mcg/kg/min",
        "--weights": "40..90/5",
        "--concentration": "4 mg/250 mL",
    },
    "schedule": {"file": ["@ketamine-case.toml"]},
    "batch": {"input_path": ["@orders.csv"]},
    "config path": {},
    "config show": {},
    "drugs list": {},
    "drugs search": {"text": ["vaso"]},
    "drugs show": {"name": ["norepinephrine"]},
    # a worksheet (a session would wait for input); --grade marks the example answers
    "practice": {"--seed": "7", "--count": "4", "--format": "plain"},
}
# Values for required parameters of commands not in BASE, by parameter type name.
DEFAULTS = {
    "dose": "7 mcg/kg/min",
    "weight": "72",
    "concentration": "10 mg/mL",
    "unit": "mcg/kg/min",
    "mL/h": "0.1",
}
SAMPLE_FILES = {
    "schedule": "@ketamine-case.toml",
    "batch": "@orders.csv",
    "library_path": "@drug-library.toml",
    "grade_path": "@practice-answers.csv",
}
SLOW_PARAMS = {"plot_path"}  # drawing a plot per example is costly: fewer examples


def leaf_commands() -> list[tuple[str, click.Command]]:
    """``("config show", <command>)`` for every runnable command, subcommands included."""
    ctx = click.Context(cli)
    found: list[tuple[str, click.Command]] = []

    def walk(name: str, command: click.Command) -> None:
        if isinstance(command, click.Group):
            for sub_name, sub in command.commands.items():
                walk(f"{name} {sub_name}", sub)
        else:
            found.append((name, command))

    for name in COMMANDS:
        command = cli.get_command(ctx, name)
        assert command is not None, name
        walk(name, command)
    return found


def is_output_path(param: click.Parameter) -> bool:
    return isinstance(param.type, click.Path) and bool(param.type.writable)


def is_input_path(param: click.Parameter) -> bool:
    return isinstance(param.type, click.Path) and not param.type.writable


def option_name(param: click.Parameter) -> str:
    return max(param.opts, key=len)


@dataclass(frozen=True)
class Target:
    """One parameter of one command to fuzz, with how fuzzed text reaches it."""

    command: str
    param: str
    # "text" (the value itself), "words" (split on spaces, for nargs=-1 arguments),
    # "path" (an output path), "file" (file contents)
    how: str

    @property
    def id(self) -> str:
        return f"{self.command.replace(' ', '-')}:{self.param}:{self.how}"

    def build(self, fuzz: str, sandbox: Path) -> list[str]:
        """The argument list with ``fuzz`` placed into this target's parameter."""
        command = dict(leaf_commands())[self.command]
        base = dict(BASE.get(self.command, {}))
        for param in command.params:
            key = param.name if isinstance(param, click.Argument) else option_name(param)
            if key not in base and param.required:
                base[key] = fallback_value(param)
        arguments: list[str] = []
        options: list[str] = []
        for param in command.params:
            is_arg = isinstance(param, click.Argument)
            key = param.name if is_arg else option_name(param)
            if param.name == self.param:
                placed = self.place(fuzz, sandbox)
                if self.how == "words":
                    arguments.extend(placed.split(" "))
                elif is_arg:
                    arguments.append(placed)
                else:
                    options.extend([str(key), placed])
            elif key in base and is_arg:
                arguments.extend(materialise(v, sandbox) for v in base[key])
            elif key in base:
                options.extend([str(key), materialise(base[key], sandbox)])
        return [*self.command.split(), *arguments, *options]

    def place(self, fuzz: str, sandbox: Path) -> str:
        if self.how != "file":
            # A command line cannot carry NUL (execve ends each argument at it).
            fuzz = fuzz.replace("\x00", "")
        if self.how == "path":
            # Keep fuzzed output names inside the sandbox; "" and "." stay as they are.
            name = fuzz.replace("/", "_").replace("\x00", "_")
            return str(sandbox / name) if name not in ("", "-") else name
        if self.how == "file":
            path = sandbox / "fuzzed-input"
            path.write_text(fuzz, encoding="utf-8", errors="surrogatepass")
            return str(path)
        return fuzz


def fallback_value(param: click.Parameter) -> Any:
    if is_input_path(param):
        value = SAMPLE_FILES.get(param.name or "", "@orders.csv")
    else:
        value = DEFAULTS.get(getattr(param.type, "name", ""), "1")
    return [value] if isinstance(param, click.Argument) else value


def materialise(value: str, sandbox: Path) -> str:
    if value.startswith("@"):
        target = sandbox / value[1:]
        if not target.exists():
            target.write_bytes((EXAMPLES / value[1:]).read_bytes())
        return str(target)
    return value


def targets() -> list[Target]:
    found: list[Target] = []
    for name, command in leaf_commands():
        for param in command.params:
            if param.name is None or getattr(param, "is_flag", False):
                continue
            if param.name in ("help",):
                continue
            how = "path" if is_output_path(param) else "file" if is_input_path(param) else "text"
            found.append(Target(name, param.name, how))
            if isinstance(param, click.Argument) and param.nargs == -1:
                found.append(Target(name, param.name, "words"))  # 7 mcg/kg/min unquoted
            if how == "file":
                # A path the user types can be anything too.
                found.append(Target(name, param.name, "text"))
    return found


TARGETS = targets()


def fuzz_settings(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=DEADLINE,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
        ],
        derandomize=False,
    )


def file_contents(target: Target) -> st.SearchStrategy[str]:
    """Fuzzed file contents: line-level mutations of the sample file and random text."""
    sample = SAMPLE_FILES.get(target.param) or SAMPLE_FILES.get(target.command.split()[0])
    lines = (EXAMPLES / sample[1:]).read_text(encoding="utf-8").splitlines() if sample else []

    @st.composite
    def mutate_lines(draw: st.DrawFn) -> str:
        edited = list(lines)
        for _ in range(draw(st.integers(1, 5))):
            if not edited:
                break
            i = draw(st.integers(0, len(edited) - 1))
            choice = draw(st.integers(0, 3))
            if choice == 0:
                edited[i] = draw(mutated()) if draw(st.booleans()) else draw(fuzz_text)
            elif choice == 1:
                del edited[i]
            elif choice == 2:
                edited.insert(i, edited[draw(st.integers(0, len(edited) - 1))])
            else:
                line = edited[i]
                pos = draw(st.integers(0, len(line)))
                edited[i] = line[:pos] + draw(st.sampled_from(TRICKY)) + line[pos:]
        return "\n".join(edited) + draw(st.sampled_from(["\n", "", "\r\n"]))

    return st.one_of(mutate_lines(), any_text, st.just(""), st.just("\x00" * 64))


def strategy_for(target: Target) -> st.SearchStrategy[str]:
    return file_contents(target) if target.how == "file" else fuzz_text


def run_target(target: Target, fuzz: str, sandbox: Path) -> None:
    args = target.build(fuzz, sandbox)
    result = invoke(args, env={"INFUSE_CALC_CONFIG": str(sandbox / "no-config.toml")})
    check_outcome(result, args)


def fuzz_one(target: Target, sandbox: Path, examples: int) -> None:
    if target.param in SLOW_PARAMS:
        examples = max(10, examples // 10)

    @fuzz_settings(examples)
    @given(fuzz=strategy_for(target))
    def check(fuzz: str) -> None:
        run_target(target, fuzz, sandbox)

    check()


@pytest.mark.parametrize("target", TARGETS, ids=[t.id for t in TARGETS])
def test_fuzz_parameter(target: Target, tmp_path: Path) -> None:
    fuzz_one(target, tmp_path, FUZZ_EXAMPLES)


def test_every_command_is_a_target() -> None:
    commands = {name for name, _ in leaf_commands()}
    assert {t.command for t in TARGETS} >= commands - {"config path"}
    assert {name.split()[0] for name in commands} == set(COMMANDS)


def test_base_invocations_succeed(tmp_path: Path) -> None:
    """The templates are valid, so the fuzzed parameter is the only thing that is wrong."""
    for name, _ in leaf_commands():
        args = Target(name, "", "text").build("", tmp_path)
        result = invoke(args, env={"INFUSE_CALC_CONFIG": str(tmp_path / "no-config.toml")})
        check_outcome(result, args)
        assert result.exit_code in (0, 1), (args, result.stderr)


# --- config file and environment ----------------------------------------------------------


@fuzz_settings(FUZZ_EXAMPLES)
@given(
    contents=st.one_of(mutated(), any_text, tricky_text),
    key=st.sampled_from(
        ["pump_resolution", "format", "weight", "concentration", "dose_unit", "output"]
    ),
)
def test_fuzz_config_file(tmp_path: Path, contents: str, key: str) -> None:
    config = tmp_path / "config.toml"
    if key == "output":
        contents = contents.replace("/", "_")  # relative, so inside the sandbox
    value = contents.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    variants = [contents, f'{key} = "{value}"\n', f'[convert]\n{key} = "{value}"\n']
    for text in variants:
        config.write_text(text, encoding="utf-8", errors="surrogatepass")
        for command in (["convert", "7 mcg/kg/min", "-w", "72"], ["config", "show"]):
            result = invoke(command, env={"INFUSE_CALC_CONFIG": str(config)})
            check_outcome(result, command)


@fuzz_settings(FUZZ_EXAMPLES)
@given(
    value=fuzz_text,
    name=st.sampled_from(
        [
            "INFUSE_CALC_PUMP_RESOLUTION",
            "INFUSE_CALC_CONVERT_WEIGHT",
            "INFUSE_CALC_FORMAT",
            "INFUSE_CALC_CONVERT_CONCENTRATION",
            "INFUSE_CALC_LIBRARY",
        ]
    ),
)
def test_fuzz_environment(tmp_path: Path, value: str, name: str) -> None:
    if "\x00" in value:
        value = value.replace("\x00", "")  # an environment variable cannot hold NUL
    args = ["convert", "7 mcg/kg/min", "-w", "72", "-c", "10 mg/mL"]
    env: dict[str, str | None] = {"INFUSE_CALC_CONFIG": str(tmp_path / "none.toml"), name: value}
    result = invoke(args, env=env)
    check_outcome(result, args)


# --- nasty inputs through a real process --------------------------------------------------

NASTY = [
    ["convert", "9**9**9 mg/h"],
    ["convert", "9" * 100000 + " mg/h"],
    ["convert", "7 mcg/kg/min", "-w", "1" + "0" * 5000],
    ["convert", "7 mcg/kg/min", "-w", "72", "-c", "(" * 3000 + "1 mg/mL" + ")" * 3000],
    ["convert", "7 mcg/kg/min", "-w", "72", "--pump-resolution", "1e999999999"],
    ["convert", "7 mcg/kg/min", "-w", "72", "-c", "10 mg/mL", "--dose-unit", "mcg/" * 5000],
    [
        "titrate",
        "--from",
        "0.000000000000001 mcg/kg/min",
        "--to",
        "999999999999999 mcg/kg/min",
        "--step",
        "0.000000000000001",
        "-w",
        "72",
        "-c",
        "10 mg/mL",
    ],
    [
        "chart",
        "--doses",
        "0.000000000000001..999999999999999/0.000000000000001",
        "--unit",
        "mcg/kg/min",
        "--weights",
        "40..90/5",
        "-c",
        "10 mg/mL",
    ],
    [
        "chart",
        "--doses",
        "1",
        "--unit",
        "mcg/kg/min",
        "--weights",
        "0.1..650/0.000000000000001",
        "-c",
        "10 mg/mL",
    ],
]


@pytest.mark.parametrize("args", NASTY, ids=[str(i) for i in range(len(NASTY))])
def test_nasty_inputs_in_a_subprocess_finish(args: list[str], tmp_path: Path) -> None:
    env = {**os.environ, "INFUSE_CALC_CONFIG": str(tmp_path / "none.toml"), "COLUMNS": "100"}
    env.pop("INFUSE_CALC_LIBRARY", None)
    done = subprocess.run(
        [sys.executable, "-m", "infuse_calc", *args],
        capture_output=True,
        text=True,
        timeout=SUBPROCESS_TIMEOUT,
        env=env,
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode in (0, 1, 2), done.stderr
    check_streams(done.returncode, done.stdout, done.stderr, f"{args!r}: {done.stderr!r}")


# --- the regression corpus ----------------------------------------------------------------


def regressions() -> list[tuple[int, list[str], str]]:
    """``(expected exit, args, line)`` from fuzz-regressions.txt: ``EXIT ARGS...  # why``."""
    cases = []
    for line in REGRESSIONS.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        words = shlex.split(line, comments=True)
        cases.append((int(words[0]), words[1:], line))
    return cases


REGRESSION_CASES = regressions()


@pytest.mark.parametrize(
    ("expected", "args", "line"),
    REGRESSION_CASES,
    ids=[str(i) for i in range(len(REGRESSION_CASES))],
)
def test_regression_corpus(expected: int, args: list[str], line: str, tmp_path: Path) -> None:
    args = [arg.replace("{tmp}", str(tmp_path)) for arg in args]
    result = invoke(args, env={"INFUSE_CALC_CONFIG": str(tmp_path / "none.toml")})
    check_outcome(result, args)
    assert result.exit_code == expected, (line, result.stderr)


# --- the long run (not in CI) -------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("target", TARGETS, ids=[t.id for t in TARGETS])
def test_fuzz_parameter_long(target: Target, tmp_path: Path) -> None:
    fuzz_one(target, tmp_path, LONG_EXAMPLES)
