"""Files: atomic output, input files never overwritten, unreadable/binary/huge inputs.

The commands that read a file are found generically (a click.Path parameter that is not
writable), so a new command with an input file is covered without editing this module.
"""

from __future__ import annotations

import os
import stat
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import pytest

from infuse_calc.formats import files
from infuse_calc.formats import output as render
from tests.test_fuzz import (
    BASE,
    EXAMPLES,
    check_outcome,
    invoke,
    is_input_path,
    leaf_commands,
    option_name,
)

# --- atomic output ------------------------------------------------------------------------


def test_a_failure_mid_write_leaves_the_previous_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "result.txt"
    target.write_text("previous result\n", encoding="utf-8")

    def write_half_then_fail() -> None:
        with files.atomic_output(str(target)) as out:
            out.write("half a tab")
            raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError, match="disk on fire"):
        write_half_then_fail()
    assert target.read_text(encoding="utf-8") == "previous result\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["result.txt"]


def test_a_rendering_failure_through_the_cli_leaves_the_previous_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "result.json"
    target.write_text('{"old": true}\n', encoding="utf-8")

    def broken_render(view: Any, fmt: str, stream: Any, color: Any = None) -> None:
        stream.write('{"direction": "forw')
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(render, "render", broken_render)
    result = invoke(["convert", "7 mcg/kg/min", "-w", "72", "--format", "json", "-o", str(target)])
    check_outcome(result, [])
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: output file {str(target)!r}: cannot be written: No space left on device\n"
    )
    assert target.read_text(encoding="utf-8") == '{"old": true}\n'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["result.json"]


def test_output_replaces_the_file_and_keeps_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old\n", encoding="utf-8")
    target.chmod(0o640)
    result = invoke(["convert", "7 mcg/kg/min", "-w", "72", "-o", str(target)])
    assert result.exit_code == 0, result.stderr
    assert target.read_text(encoding="utf-8").startswith("Dose        7 mcg/kg/min\n")
    # mkstemp creates 0600 files; the replaced file must keep 0640
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_a_new_output_file_gets_the_umask_mode_not_0600(tmp_path: Path) -> None:
    target = tmp_path / "new.txt"
    old = os.umask(0o022)
    try:
        result = invoke(["convert", "7 mcg/kg/min", "-w", "72", "-o", str(target)])
    finally:
        os.umask(old)
    assert result.exit_code == 0, result.stderr
    assert stat.S_IMODE(target.stat().st_mode) == 0o644  # 0666 & ~022


def test_plot_files_get_the_same_mode_as_output_files(tmp_path: Path) -> None:
    # --plot files used to be left 0600 by mkstemp; -o files get the umask's mode
    pytest.importorskip("matplotlib")
    picture, table = tmp_path / "k.png", tmp_path / "k.csv"
    replaced = tmp_path / "old.svg"
    replaced.write_bytes(b"old picture")
    replaced.chmod(0o604)
    ketamine = str(EXAMPLES / "ketamine-case.toml")
    old = os.umask(0o027)
    try:
        first = invoke(["schedule", ketamine, "--plot", str(picture), "-o", str(table)])
        second = invoke(["schedule", ketamine, "--plot", str(replaced), "--format", "csv"])
    finally:
        os.umask(old)
    assert first.exit_code == 0, first.stderr
    assert second.exit_code == 0, second.stderr
    assert stat.S_IMODE(table.stat().st_mode) == 0o640  # 0666 & ~027
    assert stat.S_IMODE(picture.stat().st_mode) == 0o640
    assert stat.S_IMODE(replaced.stat().st_mode) == 0o604  # a replaced picture keeps its mode
    assert replaced.read_bytes().startswith(b"<?xml")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["k.csv", "k.png", "old.svg"]


def test_binary_output_is_atomic_too(tmp_path: Path) -> None:
    target = tmp_path / "picture.png"
    target.write_bytes(b"previous picture")

    def write_half_then_fail() -> None:
        with files.atomic_output(str(target), "--plot", binary=True) as out:
            out.write(b"\x89PNG half")
            raise RuntimeError("renderer crashed")

    with pytest.raises(RuntimeError, match="renderer crashed"):
        write_half_then_fail()
    assert target.read_bytes() == b"previous picture"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["picture.png"]
    with files.atomic_output(str(target), "--plot", binary=True) as out:
        out.write(b"\x89PNG whole")
    assert target.read_bytes() == b"\x89PNG whole"


def test_an_unwritable_plot_is_one_clean_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("matplotlib")

    def full_disk(*args: Any, **kwargs: Any) -> Any:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("tempfile.mkstemp", full_disk)
    picture = tmp_path / "k.png"
    ketamine = str(EXAMPLES / "ketamine-case.toml")
    result = invoke(["schedule", ketamine, "--plot", str(picture), "--format", "csv"])
    check_outcome(result, [])
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: --plot {str(picture)!r}: cannot be written: No space left on device\n"
    )
    assert list(tmp_path.iterdir()) == []


def test_output_through_a_symlink_writes_the_target_and_keeps_the_link(tmp_path: Path) -> None:
    real = tmp_path / "real.csv"
    real.write_text("old\n", encoding="utf-8")
    link = tmp_path / "link.csv"
    link.symlink_to(real.name)
    result = invoke(["convert", "7 mcg/kg/min", "-w", "72", "--format", "csv", "-o", str(link)])
    assert result.exit_code == 0, result.stderr
    assert link.is_symlink()
    assert real.read_text(encoding="utf-8").startswith("direction,dose_value,dose_unit,")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.csv", "real.csv"]


def test_output_to_a_fifo_writes_into_it_instead_of_replacing_it(tmp_path: Path) -> None:
    # Before the fix, -o /dev/null (as root) renamed a regular file over the device node.
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    result = invoke(["convert", "7 mcg/kg/min", "-w", "72", "-o", str(fifo)])
    reader.join(timeout=30)
    assert result.exit_code == 0, result.stderr
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert result.stdout == ""
    assert len(received) == 1
    assert received[0].startswith(b"Dose        7 mcg/kg/min\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe"]


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ("{tmp}/missing/out.txt", "cannot be written: No such file or directory"),
        ("", "is empty; give a file name, or - for stdout"),
    ],
)
def test_unwritable_output_is_one_clean_error(where: str, message: str, tmp_path: Path) -> None:
    path = where.replace("{tmp}", str(tmp_path))
    result = invoke(["convert", "7 mcg/kg/min", "-w", "72", "-o", path])
    assert result.exit_code == 2
    assert result.stderr == f"Error: output file {path!r}: {message}\n"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write into a read-only directory")
def test_read_only_directory_is_one_clean_error(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        result = invoke(["convert", "7 mcg/kg/min", "-w", "72", "-o", str(locked / "out.txt")])
    finally:
        locked.chmod(0o700)
    check_outcome(result, [])
    assert result.exit_code == 2
    assert "Permission denied" in result.stderr


# --- commands that read files -------------------------------------------------------------

# What each input-file parameter needs besides the command's BASE invocation.
INPUT_FILES: dict[str, tuple[str, list[str]]] = {
    "file": ("ketamine-case.toml", []),
    "input_path": ("orders.csv", []),
    "library_path": ("drug-library.toml", ["--drug", "ketamine"]),
    "grade_path": ("practice-answers.csv", []),
}
# Other extras for one command (batch reads its drugs from the rows of its input file).
EXTRAS: dict[tuple[str, str], list[str]] = {
    ("batch", "library_path"): [str(EXAMPLES / "orders.csv")],
    # drugs reads the library itself: no --drug
    ("drugs list", "library_path"): [],
    ("drugs search", "library_path"): [],
    ("drugs show", "library_path"): [],
}


def input_file_cases() -> list[tuple[str, str]]:
    return [
        (name, param.name or "")
        for name, command in leaf_commands()
        for param in command.params
        if is_input_path(param)
    ]


def invocation(command_name: str, param_name: str, path: str, tmp_path: Path) -> list[str]:
    """A valid invocation of ``command_name`` reading ``path`` through ``param_name``."""
    command = dict(leaf_commands())[command_name]
    base = BASE.get(command_name, {})
    arguments: list[str] = []
    options: list[str] = []
    for param in command.params:
        is_arg = isinstance(param, click.Argument)
        key = param.name if is_arg else option_name(param)
        if param.name == param_name:
            if is_arg:
                arguments.append(path)
            else:
                options += [str(key), path]
        elif key in base:
            value = base[key]
            if is_arg:
                arguments += [str(v) for v in value if not str(v).startswith("@")]
            else:
                options += [str(key), str(value)]
    extras = EXTRAS.get((command_name, param_name), INPUT_FILES[param_name][1])
    return [*command_name.split(), *arguments, *options, *extras]


CASES = input_file_cases()
# Reported: these commands write -o over the file they read. Remove a marker once fixed.
OVERWRITES_INPUT: set[tuple[str, str]] = set()


def xfail_known(cases: list[tuple[str, str]]) -> list[Any]:
    return [
        pytest.param(
            *case,
            marks=pytest.mark.xfail(
                strict=True, reason="known: -o may name the input file (reported)"
            ),
        )
        if case in OVERWRITES_INPUT
        else case
        for case in cases
    ]


def test_the_input_file_commands_are_found() -> None:
    assert ("batch", "input_path") in CASES
    assert ("schedule", "file") in CASES
    assert all(param in INPUT_FILES for _, param in CASES), CASES


@pytest.mark.parametrize("spelling", ["same", "dot-slash", "symlink"])
@pytest.mark.parametrize(("command", "param"), xfail_known(CASES))
def test_the_input_file_is_never_overwritten_by_output(
    command: str, param: str, spelling: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    sample = INPUT_FILES[param][0]
    original = (EXAMPLES / sample).read_bytes()
    (tmp_path / sample).write_bytes(original)
    output = {"same": sample, "dot-slash": f"./{sample}", "symlink": "alias"}[spelling]
    if spelling == "symlink":
        (tmp_path / "alias").symlink_to(sample)
    args = [*invocation(command, param, sample, tmp_path), "-o", output]
    result = invoke(args)
    check_outcome(result, args)
    assert (tmp_path / sample).read_bytes() == original, "the input file was overwritten"
    assert result.exit_code == 2, result.stderr


def write_directory(path: Path) -> None:
    path.mkdir()


def write_binary(path: Path) -> None:
    path.write_bytes(bytes(range(256)) * 16)


def write_not_utf8(path: Path) -> None:
    path.write_bytes(b"\xff\xfe" + "dose = 7 µg\n".encode("latin-1"))


def write_empty(path: Path) -> None:
    path.write_bytes(b"")


def write_huge(path: Path) -> None:
    # 8 MB of comment lines: an error or a result, but promptly and cleanly
    path.write_bytes((b"#" + b"y" * 79 + b"\n") * 100_000)


def write_missing(path: Path) -> None:
    """Leave the path absent."""


BAD_FILES: dict[str, Callable[[Path], None]] = {
    "directory": write_directory,
    "binary": write_binary,
    "not-utf8": write_not_utf8,
    "empty": write_empty,
    "huge": write_huge,
    "missing": write_missing,
}


@pytest.mark.parametrize("kind", list(BAD_FILES))
@pytest.mark.parametrize(("command", "param"), CASES)
def test_bad_input_files_get_one_clear_error(
    command: str, param: str, kind: str, tmp_path: Path
) -> None:
    path = tmp_path / f"input{Path(INPUT_FILES[param][0]).suffix}"
    BAD_FILES[kind](path)
    args = invocation(command, param, str(path), tmp_path)
    result = invoke(args)
    check_outcome(result, args)
    if kind in ("directory", "binary", "not-utf8", "missing"):
        assert result.exit_code == 2, (args, result.stdout, result.stderr)
        assert path.name in result.stderr.splitlines()[-1]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode (CI)")
@pytest.mark.parametrize(("command", "param"), CASES)
def test_an_unreadable_input_file_is_one_clear_error(
    command: str, param: str, tmp_path: Path
) -> None:
    sample = INPUT_FILES[param][0]
    path = tmp_path / sample
    path.write_bytes((EXAMPLES / sample).read_bytes())
    path.chmod(0)
    try:
        result = invoke(invocation(command, param, str(path), tmp_path))
    finally:
        path.chmod(0o600)
    check_outcome(result, [])
    assert result.exit_code == 2
    assert sample in result.stderr
