"""``ember.Size``: the shape of a tensor, a tuple that prints as ``ember.Size([5, 3])``."""

from __future__ import annotations

__all__ = ["Size"]


class Size(tuple):
    """A tuple of dimension lengths."""

    __slots__ = ()

    def __new__(cls, sizes=()):
        values = tuple(sizes)
        for v in values:
            if not isinstance(v, int) or isinstance(v, bool):
                if hasattr(v, "__index__"):
                    continue
                raise TypeError(
                    f"torch.Size() takes an iterable of 'int' (item 0 is '{type(v).__name__}')"
                )
        return super().__new__(cls, (int(v) for v in values))

    def __repr__(self) -> str:
        return f"ember.Size([{', '.join(str(s) for s in self)}])"

    __str__ = __repr__

    def numel(self) -> int:
        """The number of elements a tensor of this shape holds."""
        n = 1
        for s in self:
            n *= s
        return n

    def __getitem__(self, key):
        out = tuple.__getitem__(self, key)
        return Size(out) if isinstance(key, slice) else out

    def __add__(self, other):
        if not isinstance(other, tuple):
            return NotImplemented
        return Size(tuple(self) + tuple(other))

    def __radd__(self, other):
        if not isinstance(other, tuple):
            return NotImplemented
        return Size(tuple(other) + tuple(self))

    def __mul__(self, n):
        return Size(tuple(self) * n)

    __rmul__ = __mul__

    def __reduce__(self):
        return (Size, (tuple(self),))
