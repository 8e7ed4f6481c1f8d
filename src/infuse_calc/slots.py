"""Plain classes with the equality, hash and repr of a dataclass, from their ``__slots__``.

A dataclass is made at import by generating and compiling its methods: about half a
millisecond of start-up each, and a plain ``convert`` loads a dozen classes. The classes a
``convert`` needs (a :class:`~infuse_calc.measure.Measure`, a calculation, a view) write
their ``__init__`` and inherit the rest from here, which costs nothing to make.
"""

from __future__ import annotations

from typing import Any, ClassVar


class Slots:
    """Equal when of the same class with equal fields (``__slots__``, in order), hashed by
    the fields, shown as ``Name(field=value, ...)``; a mutable subclass sets
    ``__hash__ = None``, as a dataclass that is not frozen does."""

    __slots__: ClassVar[tuple[str, ...]] = ()

    def fields(self) -> tuple[Any, ...]:
        """The values of the fields, in ``__slots__`` order."""
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, Slots)
        return self.fields() == other.fields()

    def __hash__(self) -> int:
        return hash(self.fields())

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"{type(self).__name__}({shown})"
