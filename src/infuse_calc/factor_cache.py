"""pint's exact factors kept between runs, so that a warm call does not import pint.

Importing pint costs several times what the rest of a ``convert`` does, yet a run needs only
the few dozen factors of its unit combination (``mcg/kg/min*kg`` to ``mg/h`` is 3/50). Each
factor pint works out is written here; the next run reads it back instead of importing pint.

The file is ``factors.json`` in the user cache directory (platformdirs'
``user_cache_dir("infuse-calc")``, or ``$INFUSE_CALC_CACHE_DIR``)::

    {"key": {"schema": 1, "infuse_calc": "0.1.0", "units": "<crc32 of units.txt>",
             "pint": "0.25.3"},
     "factors": {"mcg/kg/min*kg>mg/h": "3/50", ...},
     "check": "<crc32 of the factors>"}

It can never change a figure: a file that is missing, unreadable, corrupt, fails its check,
or was written for another version of infuse-calc, ``units.txt``, pint or this format is
ignored, and pint works the factor out again. Failing to write it is silent too. Values are
only ever written from pint's own results.
"""

from __future__ import annotations

import contextlib
import os
import sys
import zlib
from collections.abc import Iterator
from fractions import Fraction

from infuse_calc.user_dirs import CACHE_ENV, user_cache_dir

ENV_VAR = CACHE_ENV
FILE_NAME = "factors.json"
SCHEMA = 1


def _is_ratio(text: object) -> bool:
    """``"3/50"``: positive whole numerator and denominator, digits only, no leading zero."""
    if not isinstance(text, str):
        return False
    numerator, slash, denominator = text.partition("/")
    return all(
        part.isascii() and part.isdigit() and part[0] != "0" for part in (numerator, denominator)
    ) and bool(slash)


class _State:
    """What this process has read from and owes to the cache file."""

    def __init__(self) -> None:
        self.loaded = False
        self.stored: dict[str, str] = {}  # "source>target" -> "numerator/denominator"
        self.new: dict[str, str] = {}  # worked out by pint in this process, not yet written
        self.deferred = 0


_state = _State()


def reset() -> None:
    """Forget what was read and what is owed (the next lookup reads the file again)."""
    global _state
    _state = _State()


def directory() -> str | None:
    """Where the cache lives: ``$INFUSE_CALC_CACHE_DIR``, else the user cache directory."""
    chosen = os.environ.get(ENV_VAR)
    if chosen:
        return chosen
    try:
        return user_cache_dir()
    except Exception:  # no home directory, say: run without a cache
        return None


def path() -> str | None:
    found = directory()
    return None if found is None else os.path.join(found, FILE_NAME)


def get(source: str, target: str) -> Fraction | None:
    """The stored factor from ``source`` to ``target``, or ``None``."""
    if not _state.loaded:
        _state.stored = _read()
        _state.loaded = True
    text = _state.stored.get(f"{source}>{target}")
    if text is None:
        return None
    numerator, _, denominator = text.partition("/")
    return Fraction(int(numerator), int(denominator))


def put(source: str, target: str, value: Fraction) -> None:
    """Keep a factor pint worked out; written now, or when :func:`batched` ends."""
    if value <= 0:
        return  # never the case for units; such a value is not worth keeping
    text = f"{value.numerator}/{value.denominator}"
    key = f"{source}>{target}"
    _state.stored[key] = _state.new[key] = text
    if not _state.deferred:
        _write()


@contextlib.contextmanager
def batched() -> Iterator[None]:
    """Write the factors worked out inside the block once, at its end."""
    _state.deferred += 1
    try:
        yield
    finally:
        _state.deferred -= 1
        if not _state.deferred and _state.new:
            _write()


# --- the file -----------------------------------------------------------------------------


_KEY: dict[str, object] = {}


def key() -> dict[str, object]:
    """What the stored factors depend on: the schema, infuse-calc, units.txt and pint."""
    if not _KEY:
        from infuse_calc import __version__
        from infuse_calc.unit_definitions import definitions

        _KEY.update(
            schema=SCHEMA,
            infuse_calc=__version__,
            units=f"{zlib.crc32(definitions()):08x}",
            pint=pint_version(),
        )
    return _KEY


def pint_version() -> str:
    """The installed pint's version, from its metadata, without importing pint.

    The ``pint-<version>.dist-info`` folder beside the ``pint`` package that an import
    would find; importlib.metadata (slower to import than the rest of a run) only when
    there is none.
    """
    for entry in sys.path:
        folder = entry or os.curdir
        if not os.path.isfile(os.path.join(folder, "pint", "__init__.py")):
            continue
        with contextlib.suppress(OSError):
            for name in os.listdir(folder):
                lowered = name.lower()
                if lowered.startswith("pint-") and lowered.endswith(".dist-info"):
                    return name[len("pint-") : -len(".dist-info")]
        break
    try:
        from importlib.metadata import version

        return version("pint")
    except Exception:  # pint without metadata: a key that matches nothing else
        return "unknown"


def _checksum(factors: dict[str, str]) -> str:
    text = "\n".join(f"{name}={value}" for name, value in sorted(factors.items()))
    return f"{zlib.crc32(text.encode('utf-8')):08x}"


def _read() -> dict[str, str]:
    """The factors of a valid cache file for this key; ``{}`` for anything else."""
    import json

    file = path()
    if file is None:
        return {}
    try:
        with open(file, encoding="utf-8") as stream:
            document = json.load(stream)
        factors = document["factors"]
        valid = (
            document["key"] == key()
            and isinstance(factors, dict)
            and all(isinstance(name, str) and _is_ratio(value) for name, value in factors.items())
            and document["check"] == _checksum(factors)
        )
    except Exception:  # missing, unreadable, not JSON, not our layout: no cache
        return {}
    return factors if valid else {}


def _write() -> None:
    """Merge this process's new factors into the file (atomically); failures are silent."""
    import json

    file = path()
    new, _state.new = _state.new, {}
    if file is None:
        return
    temporary = f"{file}.{os.getpid()}.tmp"
    try:
        os.makedirs(os.path.dirname(file), exist_ok=True)
        factors = {**_read(), **new}  # keep what other processes wrote meanwhile
        document = {"key": key(), "factors": factors, "check": _checksum(factors)}
        with open(temporary, "w", encoding="utf-8") as stream:
            json.dump(document, stream, indent=0, sort_keys=True)
        os.replace(temporary, file)
    except Exception:  # read-only, full, not a directory...: run on without a cache
        with contextlib.suppress(OSError):
            os.remove(temporary)
