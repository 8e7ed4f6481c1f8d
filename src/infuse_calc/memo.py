"""A bounded memory of pure results, for the readers and writers that meet the same texts
again and again (a batch's unit phrases, numbers, pump settings, warnings).

Forgotten all at once when full: memory stays flat whatever the input, and a result is
only ever looked up by the very input it was worked out from, so forgetting costs time,
never a different answer. What may be kept is each caller's rule, stated where it keeps;
the readers' rule (only a reading that raised no warning) is :meth:`Memo.keep_unwarned`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

K = TypeVar("K")
V = TypeVar("V")


class Memo(dict[K, V]):
    """A dict of at most ``limit`` entries: :meth:`keep` empties it when it is full."""

    __slots__ = ("limit",)

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def keep(self, key: K, value: V) -> V:
        """Remember ``value`` for ``key`` (after forgetting everything if full); returns it."""
        if len(self) >= self.limit:
            self.clear()
        self[key] = value
        return value

    def keep_unwarned(self, key: K, warnings: list[str], read: Callable[[], V]) -> V:
        """``read()``, remembered for ``key`` only if it added nothing to ``warnings``: a
        warning (like an error, which is never remembered) quotes the whole input, so a
        warned reading belongs to its input, not to ``key`` alone."""
        warned = len(warnings)
        value = read()
        if len(warnings) == warned:
            self.keep(key, value)
        return value
