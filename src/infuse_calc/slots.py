"""Plain classes with the equality, hash and repr of a dataclass, from their ``__slots__``.

A dataclass is made at import by generating and compiling its methods: about half a
millisecond of start-up each, and a plain ``convert`` loads a dozen classes. The classes a
``convert`` needs (a :class:`~infuse_calc.measure.Measure`, a dose, a calculation, a view)
write their ``__init__`` and inherit the rest from here, which costs nothing to make.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import attrgetter
from typing import Any, ClassVar, Self


def _values_of(names: Sequence[str]) -> Callable[[Any], tuple[Any, ...]]:
    """A function giving an object's values of ``names``, as a tuple: ``attrgetter`` (read in
    C) for two names or more; of one name it gives the value itself, of none it fails."""
    if len(names) > 1:
        return attrgetter(*names)
    return lambda obj: tuple(getattr(obj, name) for name in names)


class Slots:
    """Equal when of the same class with equal fields (``__slots__``, in order), hashed by
    the fields, shown as ``Name(field=value, ...)``; a mutable subclass sets
    ``__hash__ = None``, as a dataclass that is not frozen does.

    A subclass names in ``uncompared`` the fields equality and hash leave out (a dataclass's
    ``field(compare=False)``): what was said about a value, such as the warnings its text
    raised, not the value. Its ``__init__`` takes every field by its own name, which
    :meth:`replace` relies on.
    """

    __slots__: ClassVar[tuple[str, ...]] = ()
    uncompared: ClassVar[frozenset[str]] = frozenset()
    #: the values equality and hash compare (batch hashes and compares units by the
    #: thousand); a staticmethod, given the instance
    _compared: ClassVar[staticmethod[[Any], tuple[Any, ...]]] = staticmethod(_values_of(()))

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        unknown = cls.uncompared.difference(cls.__slots__)
        if unknown:
            raise TypeError(f"{cls.__name__}.uncompared names no field: {sorted(unknown)}")
        names = [name for name in cls.__slots__ if name not in cls.uncompared]
        cls._compared = staticmethod(_values_of(names))

    def fields(self) -> tuple[Any, ...]:
        """The values of the fields equality and hash look at, in ``__slots__`` order."""
        return self._compared(self)

    def replace(self, **changes: Any) -> Self:
        """A copy with the fields named changed, made by ``__init__`` (as
        ``dataclasses.replace``): a name that is not a field is a ``TypeError``."""
        values = {name: getattr(self, name) for name in self.__slots__}
        return type(self)(**(values | changes))

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._compared(self) == self._compared(other)

    def __hash__(self) -> int:
        return hash(self._compared(self))

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"{type(self).__name__}({shown})"
