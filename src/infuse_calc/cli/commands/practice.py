"""``infuse-calc practice``: worked problems in a session, worksheets, answer keys, marking."""

from __future__ import annotations

import sys
from typing import Any

import click

from infuse_calc.cli.commands import CONTEXT_SETTINGS
from infuse_calc.practice import MAX_COUNT
from infuse_calc.practice_types import TYPE_NAMES

FORMAT_CHOICES = ("table", "plain", "markdown", "csv", "json")
DEFAULT_SHEET_COUNT = 10


class CountType(click.ParamType):
    """How many problems: a whole number (the range is the core's :func:`check_count`)."""

    name = "N"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, int):
            return value
        from infuse_calc.practice import PracticeError
        from infuse_calc.practice_sets import check_count

        text = str(value).strip()
        digits = text.removeprefix("-").removeprefix("+")
        if not digits.isdigit() or not digits.isascii() or len(digits) > 12:
            self.fail(
                f"{text!r}: expected a whole number of problems (1 to {MAX_COUNT:,})", param, ctx
            )
        try:
            return check_count(int(text))
        except PracticeError as error:
            self.fail(str(error), param, ctx)


class LevelType(click.ParamType):
    """``1``/``basic``, ``2``/``intermediate``, ``3``/``advanced``."""

    name = "LEVEL"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, int):
            return value
        from infuse_calc.practice import PracticeError
        from infuse_calc.practice_sets import parse_level

        try:
            return parse_level(str(value))
        except PracticeError as error:
            self.fail(str(error), param, ctx)


@click.command("practice", context_settings=CONTEXT_SETTINGS)
@click.option(
    "--type",
    "kind",
    type=click.Choice([*TYPE_NAMES, "all"]),
    default="all",
    show_default=True,
    help="Problem type; all deals every available type in turn.",
)
@click.option(
    "--level",
    type=LevelType(),
    default="2",
    show_default=True,
    help="1 basic (no conversion), 2 intermediate (one or two), 3 advanced (three or more).",
)
@click.option(
    "--count",
    type=CountType(),
    default=None,
    help=f"Problems (1 to {MAX_COUNT:,}). Session: until q or end of input; "
    f"worksheet: {DEFAULT_SHEET_COUNT}.",
)
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    default=None,
    help="Make the set reproducible (default: a random seed, shown so you can repeat it).",
)
@click.option("--answers", is_flag=True, help="Write the answer key (answers and worked chains).")
@click.option(
    "--grade",
    "grade_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="Mark a CSV of answers (columns problem, answer; a filled-in CSV worksheet works).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMAT_CHOICES),
    default=None,
    help="Worksheet: plain, markdown, csv or json (default plain). Marks: table, plain, "
    "csv or json.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True, allow_dash=True),
    default=None,
    help="Write to this file (atomically: all or nothing) instead of stdout.",
)
def command(
    kind: str,
    level: int,
    count: int | None,
    seed: int | None,
    answers: bool,
    grade_path: str | None,
    fmt: str | None,
    output: str | None,
) -> None:
    """Practise infusion calculations, or write worksheets and mark them.

    With no worksheet options, a session: one problem at a time; type the answer (a number,
    with or without its unit), see whether it is right with the worked chain; q ends it with
    your score. When input is not a terminal, answers are read line by line.

    --format or -o writes a worksheet instead, --answers its answer key, and --grade marks a
    student's answers (with the same --seed, --count, --type and --level, or a filled-in CSV
    worksheet, which names its set). Every answer is what `convert` gives for the problem's
    figures. Dose ranges are chosen to make realistic problems, not dosing guidance.

    \b
    Examples:
      infuse-calc practice --type pump-rate --level 3
      infuse-calc practice --count 20 --seed 7 --format markdown -o sheet.md
      infuse-calc practice --count 20 --seed 7 --format markdown --answers -o key.md
      infuse-calc practice --grade answers.csv --count 20 --seed 7
    """
    from infuse_calc.practice_sets import kinds_for

    kinds_for(kind)  # an unavailable type is refused before anything else happens
    if grade_path is not None:
        if answers:
            raise click.UsageError("--answers writes an answer key; it does not go with --grade")
        fmt = _format_for(
            fmt, "markdown", "marks are table, plain, csv or json; markdown is for worksheets"
        )
        _grade(grade_path, kind, level, count, seed, fmt, output)
    # The command line chooses a worksheet: a format from the config file or the
    # environment (format = "json" for scripts) must not turn every session into one.
    elif _given("fmt") or _given("output") or answers:
        fmt = _format_for(fmt, "table", "a worksheet is plain, markdown, csv or json, not table")
        _worksheet(kind, level, count or DEFAULT_SHEET_COUNT, _seed(seed), fmt, output, answers)
    else:
        _session(kind, level, count, _seed(seed))


def _given(name: str) -> bool:
    """Whether the option was typed on the command line (not a config or env default)."""
    source = click.get_current_context().get_parameter_source(name)
    return source is click.core.ParameterSource.COMMANDLINE


def _format_for(fmt: str | None, refused: str, message: str) -> str | None:
    """``fmt``, unless it is the one format this output cannot be: typed, that is an error;
    a shared default from the config file or environment just does not apply."""
    if fmt != refused:
        return fmt
    if _given("fmt"):
        raise click.UsageError(message)
    return None


def _seed(seed: int | None) -> int:
    if seed is not None:
        return seed
    import random

    return random.SystemRandom().randrange(1_000_000)


def _worksheet(
    kind: str, level: int, count: int, seed: int, fmt: str | None, output: str | None, answers: bool
) -> None:
    from infuse_calc.practice_sets import problem_set
    from infuse_calc.practice_sheets import SetInfo, render_sheet

    text = render_sheet(
        problem_set(seed, count, kind, level),
        SetInfo(seed, count, kind, level),
        fmt or "plain",
        answers,
    )
    _write(text, output)


def _write(text: str, output: str | None) -> None:
    from infuse_calc.formats.files import atomic_output

    with atomic_output(output) as stream:
        stream.write(text)


def _grade(
    path: str,
    kind: str,
    level: int,
    count: int | None,
    seed: int | None,
    fmt: str | None,
    output: str | None,
) -> None:
    from infuse_calc.formats.files import refuse_overwriting_input
    from infuse_calc.formats.output import emit
    from infuse_calc.practice_grading import mark
    from infuse_calc.practice_sets import problem_set
    from infuse_calc.practice_sheets import match_answers, read_answers

    refuse_overwriting_input(output, [path])
    answer_file = read_answers(_read_text(path), path)
    info = _grading_set(answer_file.info, kind, level, count, seed)
    problems = problem_set(info.seed, info.count, info.kind, info.level)
    marks = [mark(p, part, text) for p, part, text in match_answers(problems, answer_file, path)]
    emit(grade_view(marks, info), fmt, output)


def _grading_set(sheet: Any, kind: str, level: int, count: int | None, seed: int | None) -> Any:
    """The set to mark against: the sheet's own, or the options' (which must agree)."""
    from infuse_calc.practice_sheets import SetInfo

    if sheet is None:
        if seed is None:
            raise click.UsageError(
                "--grade needs the --seed the worksheet was made with (or the CSV worksheet "
                "itself, which names its set)"
            )
        return SetInfo(seed, count or DEFAULT_SHEET_COUNT, kind, level)
    for name, option, value in (
        ("seed", seed, sheet.seed),
        ("count", count, sheet.count),
        ("kind", kind, sheet.kind),
        ("level", level, sheet.level),
    ):
        if _given(name) and option != value:
            flag = "--type" if name == "kind" else f"--{name}"
            raise click.UsageError(f"{flag} {option} differs from the worksheet's ({value})")
    return sheet


def _read_text(path: str) -> str:
    from infuse_calc.errors import InputError
    from infuse_calc.formats.files import TooLargeError, read_file_capped

    try:
        return read_file_capped(path).decode("utf-8-sig")
    except TooLargeError as error:
        raise InputError("answers file", path, f"{error}; an answers file is small") from None
    except FileNotFoundError:
        raise InputError("answers file", path, "file not found") from None
    except (OSError, UnicodeDecodeError) as error:
        raise InputError("answers file", path, f"cannot be read ({error})") from None


def grade_view(marks: list[Any], info: Any) -> Any:
    """The marks as a :class:`~infuse_calc.formats.output.View` (table, plain, CSV, JSON)."""
    from infuse_calc.formats.output import View
    from infuse_calc.practice_grading import most_missed, score_line

    rows = [[m.part_id, m.given or "-", "right" if m.right else "wrong", m.detail] for m in marks]
    summary = most_missed(marks)
    notes = [score_line(marks), *([summary] if summary else [])]
    records = [
        {
            "problem": m.part_id,
            "given": m.given,
            "right": m.right,
            "answer": m.answer,
            "exact": m.exact,
            "reason": " ".join(x for x in (m.reason, *m.notes) if x),
            "missed": list(m.missed),
        }
        for m in marks
    ]
    document = {
        "seed": info.seed,
        "count": info.count,
        "type": info.kind,
        "level": info.level,
        "right": sum(m.right for m in marks),
        "of": len(marks),
        "most_missed": summary,
        "marks": records,
    }
    return View(
        headers=["Problem", "Given", "Mark", "Answer and why"],
        rows=rows,
        document=document,
        csv_fields=["problem", "given", "right", "answer", "exact", "reason", "missed"],
        records=records,
        title=f"Marks: {info.line}",
        notes=notes,
        measure_fields={"answer", "exact"},
    )


# --- the session -------------------------------------------------------------------------


def _session(kind: str, level: int, count: int | None, seed: int) -> None:
    from itertools import islice

    from infuse_calc.practice_grading import Mark, most_missed, score_line
    from infuse_calc.practice_sets import generate

    interactive = _stdin_is_terminal()
    marks: list[Mark] = []
    problems = generate(seed, kind, level)
    if count is not None:
        problems = islice(problems, count)
    click.echo(_session_header(kind, level, count, seed))
    try:
        for problem in problems:
            if not _ask(problem, marks, interactive):
                break
    except KeyboardInterrupt:
        click.echo("")
    click.echo("")
    click.echo(score_line(marks))
    summary = most_missed(marks)
    if summary:
        click.echo(summary)


def _stdin_is_terminal() -> bool:
    return sys.stdin.isatty()


def _session_header(kind: str, level: int, count: int | None, seed: int) -> str:
    from infuse_calc.practice import LEVELS

    kinds = "all types" if kind == "all" else kind
    size = "" if count is None else f"{count} problem{'s' if count != 1 else ''}, "
    return (
        f"Practice: {size}{kinds}, level {level} ({LEVELS[level]}), seed {seed}.\n"
        "Answer with a number (the unit is optional); q stops."
    )


def _ask(problem: Any, marks: list[Any], interactive: bool) -> bool:
    """Ask every part of ``problem``; ``False`` when the student stops (q or end of input)."""
    from infuse_calc.practice_grading import QUIT_WORDS, mark
    from infuse_calc.practice_sheets import answer_indent, question_paragraphs, wrap

    indent = answer_indent(problem)
    click.echo("")
    for part in problem.parts:
        for paragraph in question_paragraphs(problem, part):
            click.echo("\n".join(paragraph))
        text = _read(f"{indent}Answer ({part.exact.unit}): ", interactive)
        if text is None or text.strip().casefold() in QUIT_WORDS:
            return False
        result = mark(problem, part, text)
        marks.append(result)
        click.echo("\n".join(wrap(result.verdict, indent)))
    steps = " " * len(f"{problem.number}. ")
    click.echo(f"{steps}How it is worked out:")
    for step in problem.chain:
        click.echo(f"{steps}  {step}")
    click.echo(f"{steps}Check: {problem.inputs.command()}")
    return True


def _read(prompt: str, interactive: bool) -> str | None:
    """One answer: ``None`` at end of input. A terminal asks again after an empty line."""
    if interactive:
        while True:
            try:
                text = input(prompt)
            except EOFError:
                click.echo("")
                return None
            if text.strip():
                return text
    line = sys.stdin.readline()
    if not line:
        return None
    text = line.rstrip("\r\n")
    click.echo(f"{prompt}{text}".rstrip())
    return text
