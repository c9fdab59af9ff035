"""Padding layers: ``ZeroPad``, ``ConstantPad``, ``ReflectionPad``, ``ReplicationPad`` and
``CircularPad``, each for 1, 2 or 3 trailing dims. ``padding`` is an int (every side) or a
tuple (last dim's left and right first, as ``F.pad``)."""

from __future__ import annotations

from .. import functional as F
from .module import Module

__all__ = [
    "ZeroPad1d",
    "ZeroPad2d",
    "ZeroPad3d",
    "ConstantPad1d",
    "ConstantPad2d",
    "ConstantPad3d",
    "ReflectionPad1d",
    "ReflectionPad2d",
    "ReflectionPad3d",
    "ReplicationPad1d",
    "ReplicationPad2d",
    "ReplicationPad3d",
    "CircularPad1d",
    "CircularPad2d",
    "CircularPad3d",
]


def _sides(padding, n: int) -> tuple:
    """``padding`` as the 2 n values F.pad takes."""
    if isinstance(padding, (list, tuple)):
        if len(padding) != 2 * n:
            raise ValueError(f"padding must have {2 * n} elements, got {len(padding)}")
        return tuple(padding)
    return (padding,) * (2 * n)


class _PadNd(Module):
    _n = 1
    _mode = "constant"

    def __init__(self, padding) -> None:
        super().__init__()
        self.padding = _sides(padding, self._n)

    def forward(self, input):
        return F.pad(input, self.padding, self._mode)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class _ConstantPadNd(_PadNd):
    def __init__(self, padding, value: float) -> None:
        super().__init__(padding)
        self.value = value

    def forward(self, input):
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    """Pad the last dim with ``value``: (*, W) -> (*, W + left + right)."""

    _n = 1


class ConstantPad2d(_ConstantPadNd):
    """Pad the last 2 dims with ``value``; padding = (left, right, top, bottom)."""

    _n = 2


class ConstantPad3d(_ConstantPadNd):
    """Pad the last 3 dims with ``value``."""

    _n = 3


class _ZeroPadNd(_ConstantPadNd):
    def __init__(self, padding) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ZeroPad1d(_ZeroPadNd):
    """Pad the last dim with zeros."""

    _n = 1


class ZeroPad2d(_ZeroPadNd):
    """Pad the last 2 dims with zeros; padding = (left, right, top, bottom)."""

    _n = 2


class ZeroPad3d(_ZeroPadNd):
    """Pad the last 3 dims with zeros."""

    _n = 3


class ReflectionPad1d(_PadNd):
    """Mirror the last dim at its edges (the edge itself not repeated): (C, W) or (N, C, W)."""

    _n = 1
    _mode = "reflect"


class ReflectionPad2d(_PadNd):
    """Mirror the last 2 dims at their edges: (C, H, W) or (N, C, H, W)."""

    _n = 2
    _mode = "reflect"


class ReflectionPad3d(_PadNd):
    """Mirror the last 3 dims at their edges."""

    _n = 3
    _mode = "reflect"


class ReplicationPad1d(_PadNd):
    """Repeat the edge values of the last dim."""

    _n = 1
    _mode = "replicate"


class ReplicationPad2d(_PadNd):
    """Repeat the edge values of the last 2 dims."""

    _n = 2
    _mode = "replicate"


class ReplicationPad3d(_PadNd):
    """Repeat the edge values of the last 3 dims."""

    _n = 3
    _mode = "replicate"


class CircularPad1d(_PadNd):
    """Wrap the last dim around (periodic padding)."""

    _n = 1
    _mode = "circular"


class CircularPad2d(_PadNd):
    """Wrap the last 2 dims around."""

    _n = 2
    _mode = "circular"


class CircularPad3d(_PadNd):
    """Wrap the last 3 dims around."""

    _n = 3
    _mode = "circular"
