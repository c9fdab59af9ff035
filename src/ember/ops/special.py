"""Special functions NumPy lacks, on arrays: erf, erfc, erfinv.

Placeholder kernels: exact through Python's ``math`` module, element by element.
"""

from __future__ import annotations

import math

import numpy as np

from ..backend import get_array_module, to_numpy

__all__ = ["erf", "erfc", "erfinv"]

_erf = np.frompyfunc(math.erf, 1, 1)
_erfc = np.frompyfunc(math.erfc, 1, 1)


def _apply(fn, a):
    xp = get_array_module(a)
    out = np.asarray(fn(to_numpy(a).astype(np.float64))).astype(a.dtype)
    return xp.asarray(out)


def erf(a):
    """erf(a) elementwise, in a's dtype."""
    return _apply(_erf, a)


def erfc(a):
    """1 - erf(a) elementwise, without cancellation for large a."""
    return _apply(_erfc, a)


def erfinv(a):
    """The inverse of erf: Giles' approximation refined by Newton steps in float64."""
    xp = get_array_module(a)
    y = to_numpy(a).astype(np.float64)
    w = -np.log((1.0 - y) * (1.0 + y))
    small = w < 5.0
    ws = w - 2.5
    wl = np.sqrt(np.where(small, 5.0, w)) - 3.0
    p_small = 2.81022636e-08
    for c in (
        3.43273939e-07,
        -3.5233877e-06,
        -4.39150654e-06,
        0.00021858087,
        -0.00125372503,
        -0.00417768164,
        0.246640727,
        1.50140941,
    ):
        p_small = c + p_small * ws
    p_large = -0.000200214257
    for c in (
        0.000100950558,
        0.00134934322,
        -0.00367342844,
        0.00573950773,
        -0.0076224613,
        0.00943887047,
        1.00167406,
        2.83297682,
    ):
        p_large = c + p_large * wl
    x = np.where(small, p_small, p_large) * y
    finite = np.abs(y) < 1
    for _ in range(3):
        err = np.asarray(_erf(np.where(finite, x, 0.0))).astype(np.float64) - y
        x = np.where(finite, x - err / (2 / math.sqrt(math.pi) * np.exp(-x * x)), x)
    x = np.where(y == 1, np.inf, np.where(y == -1, -np.inf, x))
    x = np.where(np.abs(y) > 1, np.nan, x)
    return xp.asarray(np.asarray(x).astype(a.dtype))
