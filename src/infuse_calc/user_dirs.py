"""Where the user's files are: the config directory (``config.toml``, ``drug-library.toml``)
and the cache directory (the factor cache), as platformdirs places them.

platformdirs knows every platform, but importing it costs a warm ``convert`` about a tenth of
its time (its Unix module imports tempfile, shutil, random, bz2 and lzma). On Linux with an
absolute ``$HOME`` its answer is the XDG rule in :func:`_xdg` (``$XDG_CONFIG_HOME`` if
absolute, else ``~/.config``, then ``infuse-calc``), worked out here without the import;
any other platform or home asks platformdirs itself. ``tests/test_user_dirs.py`` checks
that the two agree. Imports nothing beyond what Python starts with.
"""

from __future__ import annotations

import os
import posixpath
import sys
from collections.abc import Mapping

APP_NAME = "infuse-calc"
#: every variable of infuse-calc's starts ``INFUSE_CALC_``
ENV_PREFIX = "INFUSE_CALC"
#: the variable that names another config file (tests, several profiles)
CONFIG_ENV = f"{ENV_PREFIX}_CONFIG"
CONFIG_FILE_NAME = "config.toml"
#: the variable that names another directory for the factor cache
CACHE_ENV = f"{ENV_PREFIX}_CACHE_DIR"


def user_config_dir() -> str:
    """platformdirs' ``user_config_dir("infuse-calc")``."""
    found = _xdg("XDG_CONFIG_HOME", ".config")
    if found is None:
        import platformdirs

        found = platformdirs.user_config_dir(APP_NAME)
    return found


def user_cache_dir() -> str:
    """platformdirs' ``user_cache_dir("infuse-calc")``."""
    found = _xdg("XDG_CACHE_HOME", ".cache")
    if found is None:
        import platformdirs

        found = platformdirs.user_cache_dir(APP_NAME)
    return found


def _xdg(variable: str, default: str) -> str | None:
    """The XDG directory on Linux, or ``None`` where platformdirs must answer."""
    environ = os.environ
    android = "ANDROID_DATA" in environ or "ANDROID_ROOT" in environ
    if sys.platform != "linux" or android or hasattr(sys, "getandroidapilevel"):
        return None
    home = environ.get("HOME", "")
    if not posixpath.isabs(home):  # unset or relative: platformdirs asks the password file
        return None
    base = environ.get(variable, "")
    if not posixpath.isabs(base):  # the XDG spec ignores a relative path
        base = os.path.expanduser(f"~/{default}")
    return os.path.join(base, APP_NAME)


def config_file(environ: Mapping[str, str] | None = None) -> str:
    """``$INFUSE_CALC_CONFIG`` (``~`` expanded) if set, else ``config.toml`` in the user
    config directory. Raises RuntimeError, as pathlib does, for a ``~`` that names no home."""
    environ = os.environ if environ is None else environ
    override = environ.get(CONFIG_ENV)
    if not override:
        return os.path.join(user_config_dir(), CONFIG_FILE_NAME)
    expanded = os.path.expanduser(override)
    if override.startswith("~") and expanded.startswith("~"):
        raise RuntimeError("Could not determine home directory.")
    return expanded
