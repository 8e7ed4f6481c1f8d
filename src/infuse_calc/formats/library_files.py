"""Finding and reading drug libraries: the built-in data and a user's file, in one place.

Which file: ``--library`` (or the config file's ``library`` setting), else
``$INFUSE_CALC_LIBRARY``, else ``drug-library.toml`` in the user config directory if there
is one. A file named by the user must exist; the one in the config directory is optional.
The built-in data (``data/standard-concentrations.toml`` in the package) is always the
base unless the user's file says ``builtin = false``.

No click here: warnings come back as text for the command line to print. The built-in
data is package data, read by the core (:func:`infuse_calc.library_parse.builtin_library`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from infuse_calc import user_dirs
from infuse_calc.library import ENV_VAR, FILE_NAME, Library, LibraryError
from infuse_calc.library_model import BUILTIN
from infuse_calc.library_parse import builtin_library, combine, parse_library


@dataclass(frozen=True)
class LibraryFile:
    """Where the user's library is looked for: the path, what named it, and whether the
    user named it (then it must exist)."""

    path: Path
    origin: str
    explicit: bool


@dataclass(frozen=True)
class Loaded:
    """The library in effect and the warnings to show about it."""

    library: Library
    warnings: tuple[str, ...] = field(default=())


def library_file(
    library_path: str | None,
    environ: Mapping[str, str] | None = None,
    origin: str = "--library",
) -> LibraryFile:
    """Which user library file applies (see the module docstring). ``origin`` says what
    named ``library_path`` (the option, the config file, ``$INFUSE_CALC_LIBRARY``), for
    messages about that file."""
    environ = os.environ if environ is None else environ
    if library_path:
        return LibraryFile(Path(library_path), origin, True)
    if environ.get(ENV_VAR):
        return LibraryFile(Path(environ[ENV_VAR]), f"${ENV_VAR}", True)
    path = Path(user_dirs.user_config_dir()) / FILE_NAME
    return LibraryFile(path, "the user config directory", False)


def read_library_file(where: LibraryFile, base: Library | None) -> Library | None:
    """The user's library (over ``base``), or ``None`` when an optional file is absent."""
    from infuse_calc.formats.files import TooLargeError, read_file_capped

    path = where.path
    try:
        text = read_file_capped(str(path)).decode("utf-8")
    except TooLargeError as error:
        reason = f"{error}; a drug library is a small TOML file"
        raise LibraryError(str(path), None, reason) from None
    except FileNotFoundError:
        if not where.explicit:
            return None
        raise LibraryError(
            str(path),
            None,
            f"file not found (from {where.origin}); give one with --library or ${ENV_VAR} "
            "(examples/drug-library.toml shows the format)",
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise LibraryError(str(path), None, f"cannot be read ({error})") from None
    return parse_library(text, str(path), base)


def load(
    library_path: str | None,
    environ: Mapping[str, str] | None = None,
    origin: str = "--library",
) -> Loaded:
    """The drug library in effect: the built-in data, extended by the user's file if any
    (``origin``: what named ``library_path``)."""
    base = builtin_library()
    where = library_file(library_path, environ, origin)
    user = read_library_file(where, base)
    warnings: list[str] = []
    if user is not None and user.example:
        warnings.append(
            f"{where.path} is an EXAMPLE drug library; its limits are illustrations with "
            "their sources, not clinical defaults. Use your institution's library."
        )
    return Loaded(combine(base, user), tuple(warnings))


def in_effect(
    library_path: str | None, environ: Mapping[str, str] | None = None
) -> list[dict[str, object]]:
    """The libraries ``--drug`` would use, weakest first, for ``config show``: each with its
    name, drug count, where it was found, and the error if it cannot be used (never raises)."""
    base = builtin_library()
    layers: list[dict[str, object]] = [
        {
            "name": BUILTIN,
            "version": base.version,
            "drugs": len(base.drugs),
            "origin": "package data",
        }
    ]
    where = library_file(library_path, environ)
    entry: dict[str, object] = {"name": str(where.path), "origin": where.origin}
    try:
        user = read_library_file(where, base)
    except LibraryError as error:
        entry["error"] = str(error)
        return [*layers, entry]
    if user is None:
        return layers  # no optional file in the user config directory
    entry["drugs"] = len(user.drugs)
    if not user.builtin:
        return [entry | {"builtin": False}]
    return [*layers, entry]
