"""Docs that cannot drift: examples, links, the CLI reference and the README set-up commands.

Every ```console example in README.md and docs/*.md is run again (tools/update_readme.py
rewrites them); every relative link must reach a file and heading that exist.
"""

from __future__ import annotations

import importlib.util
import re
import shlex
from pathlib import Path
from types import ModuleType

import pytest
from click.testing import CliRunner

import infuse_calc
from infuse_calc.cli import COMMANDS, cli

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = ROOT / "docs"
INDEX = DOCS / "README.md"


def _tool(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


gen_cli_docs = _tool("gen_cli_docs")
update_readme = _tool("update_readme")
#: Markdown whose ```console examples are run, and whose links are followed.
MARKDOWN = update_readme.markdown_files()


def _name(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _examples() -> list[tuple[str, str, str, bool]]:
    found = []
    for path in MARKDOWN:
        for command, expected, checked in update_readme.examples(path.read_text("utf-8")):
            found.append((_name(path), command, expected, checked))
    return found


EXAMPLES = _examples()


def test_cli_reference_is_fresh() -> None:
    """docs/cli.md is exactly what tools/gen_cli_docs.py writes now."""
    current = gen_cli_docs.TARGET.read_text(encoding="utf-8")
    assert current == gen_cli_docs.render(), "docs/cli.md is stale: python tools/gen_cli_docs.py"


def test_cli_reference_covers_every_command() -> None:
    text = gen_cli_docs.TARGET.read_text(encoding="utf-8")
    for name in COMMANDS:
        assert f"\n## infuse-calc {name}\n" in text
        assert f"Usage: infuse-calc {name} " in text


def _starting(name: str, where: str) -> list[str]:
    return [c for w, c, _, _ in EXAMPLES if w == where and shlex.split(c)[1:2] == [name]]


@pytest.mark.parametrize("name", list(COMMANDS))
def test_every_command_has_one_readme_example(name: str) -> None:
    """The landing page shows each command once; more examples belong in docs/."""
    found = _starting(name, "README.md")
    assert len(found) == 1, (
        f"README.md has {len(found)} ```console examples starting with `$ infuse-calc {name}`;"
        " it needs exactly one"
    )


@pytest.mark.parametrize("name", list(COMMANDS))
def test_every_command_has_a_reference_example(name: str) -> None:
    pages = [_name(p) for p in MARKDOWN if p != README]
    assert any(_starting(name, page) for page in pages), f"no docs/ page shows `{name}`"


@pytest.mark.parametrize(
    ("where", "command", "expected"),
    [(where, command, expected) for where, command, expected, checked in EXAMPLES if checked],
    ids=[f"{where}: {command}" for where, command, _, checked in EXAMPLES if checked],
)
def test_console_example_output_is_exact(where: str, command: str, expected: str) -> None:
    assert shlex.split(command)[0] == "infuse-calc"
    assert update_readme.run_example(command) == expected, (
        f"{where}: `{command}` prints something else now (tools/update_readme.py rewrites it)"
    )


def test_examples_are_found_and_few_are_unchecked() -> None:
    """The example tests above cannot pass vacuously, and no-check stays rare."""
    readme = [e for e in EXAMPLES if e[0] == "README.md"]
    assert len(readme) >= len(COMMANDS)
    assert len(EXAMPLES) >= 3 * len(readme), "the reference pages in docs/ lost their examples"
    unchecked = [e for e in EXAMPLES if not e[3]]
    assert len(unchecked) <= max(2, len(EXAMPLES) // 10)


def test_update_readme_checks_and_rewrites_the_files_named(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("```console\n$ infuse-calc --version\nold\n```\n", encoding="utf-8")
    assert update_readme.main(["--check", str(page)]) == 1
    assert update_readme.main([str(page)]) == 0
    assert "old" not in page.read_text(encoding="utf-8")
    assert update_readme.main(["--check", str(page)]) == 0


# --- links -------------------------------------------------------------------------------

FENCE = re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.DOTALL | re.MULTILINE)
LINK = re.compile(r"(?<!\\)\[[^\]]*\]\((?P<target>[^)\s]+)(?:\s+\"[^\"]*\")?\)")


def anchors(text: str) -> set[str]:
    """The anchors GitHub makes for a Markdown file's headings (``## A b`` -> ``a-b``)."""
    found: set[str] = set()
    for line in FENCE.sub("", text).splitlines():
        heading = re.match(r"#{1,6} +(.*?)[ #]*$", line)
        if not heading:
            continue
        slug = re.sub(r"[^\w\- ]", "", heading.group(1).lower()).replace(" ", "-")
        unique, n = slug, 0
        while unique in found:
            n += 1
            unique = f"{slug}-{n}"
        found.add(unique)
    return found


def broken_links(path: Path) -> list[str]:
    """Every relative link in ``path`` whose file or heading does not exist."""
    text = path.read_text(encoding="utf-8")
    prose = re.sub(r"`[^`\n]*`", "", FENCE.sub("", text))
    broken = []
    for match in LINK.finditer(prose):
        target = match["target"]
        if re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*:", target):
            continue  # https:, mailto: ...
        file_part, _, anchor = target.partition("#")
        dest = (path.parent / file_part).resolve() if file_part else path
        if not dest.exists():
            broken.append(f"{target}: no such file")
        elif anchor and dest.suffix == ".md" and anchor not in anchors(dest.read_text("utf-8")):
            broken.append(f"{target}: no heading #{anchor} in {dest.name}")
    return broken


def test_anchors_follow_github() -> None:
    text = "# A b\n## `check`: does it?\n## `python -m x_y`\n```sh\n# not a heading\n```\n## A b\n"
    assert anchors(text) == {"a-b", "check-does-it", "python--m-x_y", "a-b-1"}


def test_broken_links_are_found(tmp_path: Path) -> None:
    (tmp_path / "other.md").write_text("# Other page\n", encoding="utf-8")
    page = tmp_path / "page.md"
    page.write_text(
        "# Here\n[ok](other.md) [ok](other.md#other-page) [ok](#here) [web](https://x.org)\n"
        "[gone](missing.md) [bad](other.md#nope) [bad](#nowhere) `[code](missing.md)`\n"
        "```md\n[fenced](missing.md)\n```\n",
        encoding="utf-8",
    )
    assert broken_links(page) == [
        "missing.md: no such file",
        "other.md#nope: no heading #nope in other.md",
        "#nowhere: no heading #nowhere in page.md",
    ]


@pytest.mark.parametrize("path", MARKDOWN, ids=_name)
def test_relative_links_resolve(path: Path) -> None:
    assert broken_links(path) == []


def test_docs_index_links_every_page() -> None:
    """docs/README.md lists every page in docs/, so a new page cannot be orphaned."""
    linked = {
        (DOCS / m["target"].partition("#")[0]).resolve()
        for m in LINK.finditer(INDEX.read_text(encoding="utf-8"))
    }
    missing = [p.name for p in sorted(DOCS.glob("*.md")) if p != INDEX and p not in linked]
    assert missing == [], f"docs/README.md does not link {missing}"
    assert "docs/README.md" in README.read_text(encoding="utf-8")


# --- what the README must say -------------------------------------------------------------


def _words(text: str) -> str:
    return " ".join(text.split())


def test_readme_states_the_rounding_policy_of_help() -> None:
    """The display rounding policy is stated in --help and, word for word, in the README."""
    help_text = _words(CliRunner().invoke(cli, ["--help"], env={"COLUMNS": "100"}).stdout)
    policy = re.search(r"Figures are exact;.*?full precision\.", help_text)
    assert policy, "infuse-calc --help no longer states the rounding policy"
    assert policy.group(0) in _words(README.read_text(encoding="utf-8"))


def test_readme_says_what_it_is_not() -> None:
    assert "teaching and checking aid, never a device controller" in _words(
        README.read_text(encoding="utf-8")
    )


def test_readme_stays_a_landing_page() -> None:
    """A newcomer reads it in five minutes; reference text goes to docs/."""
    size = len(README.read_text(encoding="utf-8"))
    assert size <= 16_000, f"README.md is {size:,} characters: move reference text to docs/"


def test_library_api_page_names_every_export() -> None:
    text = (DOCS / "library-api.md").read_text(encoding="utf-8")
    missing = [n for n in infuse_calc.__all__ if n != "__version__" and f"`{n}`" not in text]
    assert missing == [], f"docs/library-api.md does not mention {missing}"


def _ci_test_line() -> str:
    lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    found = [line for line in lines if line.startswith("python -m pip install -e ")]
    assert len(found) == 1, ".ci/run must have exactly one install-and-test line"
    return found[0]


def test_readme_test_command_is_what_ci_runs() -> None:
    line = _ci_test_line()
    assert "python -m pytest" in line
    assert f"\n{line}\n" in README.read_text(encoding="utf-8")


def test_readme_quick_start_installs_and_runs_the_seed_example() -> None:
    text = README.read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)```", text, flags=re.DOTALL)
    setups = [b.strip() for b in blocks if "pip install" in b]
    assert len(setups) >= 2, "README needs an install-and-run command and a test command"
    first = setups[0]
    assert "pip install ." in first
    run = first.split("&&")[-1].strip()
    assert run.startswith("infuse-calc ")
    # The command it runs is also a checked console example, so its output is verified.
    checked = {command for where, command, _, ok in EXAMPLES if ok and where == "README.md"}
    assert run in checked
    assert _ci_test_line() in setups
