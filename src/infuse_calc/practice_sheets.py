"""Worksheets and answer keys as text (plain, Markdown, CSV, JSON), and answer files read back.

Everything here turns problems into strings or strings into answer rows; the command-line
edge reads and writes the files. A worksheet names its set (seed, count, type, level) so the
same options, or the sheet itself, regenerate it for marking.
"""

from __future__ import annotations

import csv
import io
import json
import re
import textwrap
from dataclasses import dataclass
from typing import Any

from infuse_calc.notation import format_exact
from infuse_calc.practice import LEVELS, Part, PracticeError, Problem

SHEET_FORMATS = ("plain", "markdown", "csv", "json")
WIDTH = 88
#: CSV columns naming the set, then the problem; an answer key adds KEY_COLUMNS
SET_COLUMNS = ("seed", "count", "set_type", "level")
CSV_COLUMNS = (*SET_COLUMNS, "problem", "type", "question", "unit", "round_to", "answer")
KEY_COLUMNS = ("exact", "explanation", "check")
BLANK = "_" * 12
# a number and its unit are never split across lines ("250 mL")
_NUMBER_UNIT = re.compile(r"(\d) (?=[A-Za-z%])")


@dataclass(frozen=True)
class SetInfo:
    """What regenerates a set: the seed and the options that made it."""

    seed: int
    count: int
    kind: str
    level: int

    @property
    def line(self) -> str:
        """``10 problems, all types, level 2 (intermediate), seed 7``."""
        kinds = "all types" if self.kind == "all" else self.kind
        noun = "problem" if self.count == 1 else "problems"
        level = f"level {self.level} ({LEVELS[self.level]})"
        return f"{self.count} {noun}, {kinds}, {level}, seed {self.seed}"


def full_question(problem: Problem, part: Part) -> str:
    """The situation and one part's question, standing alone (one CSV row)."""
    return f"{problem.text} {part.question} {part.rounding}"


def render_sheet(problems: list[Problem], info: SetInfo, fmt: str, answers: bool = False) -> str:
    """A worksheet (``answers=False``) or its answer key, in ``fmt``."""
    if fmt == "plain":
        return _text_sheet(problems, info, answers, markdown=False)
    if fmt == "markdown":
        return _text_sheet(problems, info, answers, markdown=True)
    if fmt == "csv":
        return _csv_sheet(problems, info, answers)
    if fmt == "json":
        return (
            json.dumps(sheet_document(problems, info, answers), indent=2, ensure_ascii=False) + "\n"
        )
    raise PracticeError(f"worksheet format {fmt!r}: use {', '.join(SHEET_FORMATS)}")


def wrap(text: str, indent: str, first: str | None = None) -> list[str]:
    protected = _NUMBER_UNIT.sub("\\1\u00a0", text)
    lines = textwrap.wrap(
        protected,
        WIDTH,
        initial_indent=indent if first is None else first,
        subsequent_indent=indent,
        break_on_hyphens=False,
        break_long_words=False,
    )
    return [line.replace("\u00a0", " ") for line in lines]


def _text_sheet(problems: list[Problem], info: SetInfo, answers: bool, markdown: bool) -> str:
    title = "answer key" if answers else "practice worksheet"
    lines = [f"{'# ' if markdown else ''}Infusion calculations: {title}", ""]
    lines.append(f"{info.line}.")
    if not answers:
        lines += ["", f"Name: {'_' * 24}   Date: {BLANK}"]
    for problem in problems:
        lines.append("")
        lines += problem_block(problem, answers, markdown)
    return "\n".join(lines) + "\n"


def question_paragraphs(problem: Problem, part: Part) -> list[list[str]]:
    """The lines shown before ``part``'s answer: the numbered situation (with the first
    part of a several-part problem) and the part's question, as wrapped paragraphs."""
    number = f"{problem.number}. "
    indent = " " * len(number)
    if len(problem.parts) == 1:
        return [wrap(problem.question(part), indent, number)]
    paragraphs = [wrap(problem.text, indent, number)] if part == problem.parts[0] else []
    return [*paragraphs, wrap(problem.question(part), indent + "   ", indent)]


def answer_indent(problem: Problem) -> str:
    return " " * (len(f"{problem.number}. ") + (3 if len(problem.parts) > 1 else 0))


def problem_block(problem: Problem, answers: bool = False, markdown: bool = False) -> list[str]:
    """One problem as a worksheet prints it (with the answers and chain for a key)."""
    gap = [""] if markdown else []
    lines: list[str] = []
    for part in problem.parts:
        for paragraph in question_paragraphs(problem, part):
            lines += (gap if lines else []) + paragraph
        lines += [*gap, answer_indent(problem) + _answer_line(part, answers, markdown)]
    if answers:
        indent = " " * len(f"{problem.number}. ")
        bullet = "- " if markdown else "  "
        lines += [*gap, f"{indent}How it is worked out:", *gap]
        lines += [f"{indent}{bullet}{step}" for step in problem.chain]
        check = f"`{problem.inputs.command()}`" if markdown else problem.inputs.command()
        lines += [*gap, f"{indent}Check: {check}"]
    return lines


def _answer_line(part: Part, answers: bool, markdown: bool) -> str:
    if not answers:
        return f"Answer: {BLANK} {part.exact.unit}"
    shown = f"**{part.answer}**" if markdown else str(part.answer)
    if part.exact.value == part.answer.value:
        return f"Answer: {shown}"
    return f"Answer: {shown} (exact {part.exact})"


def _csv_sheet(problems: list[Problem], info: SetInfo, answers: bool) -> str:
    buffer = io.StringIO()
    columns = [*CSV_COLUMNS, *(KEY_COLUMNS if answers else ())]
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for problem in problems:
        for part in problem.parts:
            row = {
                "seed": info.seed,
                "count": info.count,
                "set_type": info.kind,
                "level": info.level,
                "problem": problem.part_id(part),
                "type": problem.kind,
                "question": full_question(problem, part),
                "unit": part.exact.unit,
                "round_to": format_exact(part.step, separators=False),
                "answer": "",
            }
            if answers:
                row["answer"] = format_exact(part.answer.value, separators=False)
                row["exact"] = repr(float(part.exact.value))
                row["explanation"] = "; ".join(problem.chain)
                row["check"] = problem.inputs.command()
            writer.writerow(row)
    return buffer.getvalue()


def sheet_document(problems: list[Problem], info: SetInfo, answers: bool) -> dict[str, Any]:
    """The JSON worksheet: the set, then each problem with its parts."""
    return {
        "seed": info.seed,
        "count": info.count,
        "type": info.kind,
        "level": info.level,
        "level_name": LEVELS[info.level],
        "problems": [_problem_document(p, answers) for p in problems],
    }


def _problem_document(problem: Problem, answers: bool) -> dict[str, Any]:
    parts = []
    for part in problem.parts:
        entry: dict[str, Any] = {
            "id": problem.part_id(part),
            "question": f"{part.question} {part.rounding}",
            "unit": part.exact.unit,
            "round_to": {"value": float(part.step), "unit": part.exact.unit},
        }
        if answers:
            entry["answer"] = part.answer.as_json()
            entry["exact"] = part.exact.as_json()
        parts.append(entry)
    document: dict[str, Any] = {
        "problem": problem.number,
        "type": problem.kind,
        "level": problem.level,
        "text": problem.text,
        "parts": parts,
    }
    if answers:
        document["explanation"] = list(problem.chain)
        document["check"] = problem.inputs.command()
    return document


# --- answer files ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AnswerRow:
    problem: str  # "3", "3b"
    answer: str
    line: int
    question: str | None = None


@dataclass(frozen=True)
class AnswerFile:
    """The rows of a grading file and, for a worksheet CSV, the set it names."""

    rows: tuple[AnswerRow, ...]
    info: SetInfo | None


def read_answers(text: str, source: str) -> AnswerFile:
    """Read a CSV with ``problem`` and ``answer`` columns (a filled-in worksheet works)."""
    try:
        return _read_answers(text, source)
    except csv.Error as error:
        # a cell over the csv module's field limit, a NUL byte, a quote left open
        raise PracticeError(f"{source}: not a readable CSV file ({error})") from None


def _read_answers(text: str, source: str) -> AnswerFile:
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    missing = [c for c in ("problem", "answer") if c not in header]
    if missing:
        raise PracticeError(
            f"{source}: expected a CSV with the columns problem and answer "
            f"(a worksheet written with --format csv); missing {', '.join(missing)}"
        )
    rows: list[AnswerRow] = []
    infos: set[SetInfo] = set()
    for row in reader:
        line = reader.line_num
        if None in row:
            raise PracticeError(f"{source}, line {line}: more cells than columns")
        rows.append(
            AnswerRow(row["problem"].strip(), row["answer"] or "", line, row.get("question"))
        )
        if all(row.get(c) for c in SET_COLUMNS):
            infos.add(_set_info(row, source, line))
    if not rows:
        raise PracticeError(f"{source}: no answer rows")
    if len(infos) > 1:
        raise PracticeError(f"{source}: the rows name more than one set (seed, count, type, level)")
    return AnswerFile(tuple(rows), next(iter(infos), None))


def _set_info(row: dict[str, str], source: str, line: int) -> SetInfo:
    try:
        return SetInfo(int(row["seed"]), int(row["count"]), row["set_type"], int(row["level"]))
    except ValueError:
        raise PracticeError(
            f"{source}, line {line}: seed, count and level must be whole numbers"
        ) from None


def match_answers(
    problems: list[Problem], answers: AnswerFile, source: str
) -> list[tuple[Problem, Part, str]]:
    """Pair every part of the set with its answer; missing, extra or repeated rows are errors."""
    parts = {p.part_id(part): (p, part) for p in problems for part in p.parts}
    seen: dict[str, AnswerRow] = {}
    for row in answers.rows:
        if row.problem not in parts:
            known = f"problems {next(iter(parts))} to {list(parts)[-1]}"
            raise PracticeError(
                f"{source}, line {row.line}: problem {row.problem!r} is not in the set ({known})"
            )
        if row.problem in seen:
            raise PracticeError(f"{source}, line {row.line}: problem {row.problem} appears twice")
        seen[row.problem] = row
        problem, part = parts[row.problem]
        if row.question is not None and _same(row.question) != _same(full_question(problem, part)):
            raise PracticeError(
                f"{source}, line {row.line}: the question is not problem {row.problem} of this set "
                "(a sheet from another seed, or from another version of infuse-calc?)"
            )
    absent = [key for key in parts if key not in seen]
    if absent:
        raise PracticeError(
            f"{source}: no row for problem {', '.join(absent)}: every problem needs a row "
            "(leave the answer empty to skip one)"
        )
    return [(*parts[key], seen[key].answer) for key in parts]


def _same(question: str) -> str:
    # thousands separators follow --no-thousands-separator; the question is the same
    return " ".join(question.replace(",", "").split())
