"""Special functions NumPy lacks, as vectorized array kernels: erf, erfc, erfinv.

erf and erfc use rational approximations on three ranges of |x|, fitted for ember (a
Sanathanan-Koerner least-squares iteration against 40-digit mpmath values; the fits' own
relative error is below 1e-16, and float64 evaluation stays within a few ulp):

- |x| <= 0.5:     erf(x) = x P1(x^2) / Q1(x^2)
- 0.5 < x < 4:    erfc(x) = exp(-x^2) P2(x) / Q2(x)
- x >= 4:         erfc(x) = exp(-x^2) / x * P3(1/x^2) / Q3(1/x^2)

with erf = 1 - erfc, erfc = 1 - erf and the symmetries erf(-x) = -erf(x),
erfc(-x) = 2 - erfc(x) in between. For erfc, exp(-x^2) is taken as exp(-z^2) exp(-(x-z)(x+z))
with z = x rounded down to 1/16, so the rounding of x^2 does not cost relative accuracy in the
tail. float64 inputs are evaluated in float64; float32 and float16 ones in float32, with
lower-degree fits (relative error below 3e-9) that float32 needs.

erfinv starts from Giles' single-precision approximation ("Approximating the erfinv function",
GPU Computing Gems, 2011) and takes two Halley steps on erf(x) = y (cubic convergence), with
the residual formed as (1 - |y|) - erfc(|x|) for |y| > 0.5 so that it keeps its relative
accuracy next to +-1.
"""

from __future__ import annotations

import math

import numpy as np

from ..backend import get_array_module

__all__ = ["erf", "erfc", "erfinv"]

# erf(x) / x = P1(u) / Q1(u), u = x^2 <= 0.25
_P1 = (
    1.1283791670955126,
    0.13271938849391818,
    0.04003329299384407,
    0.0011114150626066002,
    6.531723556795254e-05,
)
_Q1 = (
    1.0,
    0.45095282894626854,
    0.08579619181444231,
    0.008297937473452775,
    0.0003515883593396564,
)
# exp(x^2) erfc(x) = P2(x) / Q2(x), 0.5 <= x <= 4
_P2 = (
    1.0000000002978484,
    1.5088604318532903,
    1.1358541099563244,
    0.5135785428758548,
    0.1453603251236095,
    0.024382307974597988,
    0.0019173283762430025,
    -4.231677964467698e-10,
)
_Q2 = (
    1.0,
    2.637239603467523,
    3.1116603050535137,
    2.139724523333933,
    0.9319909669300969,
    0.25933445104062663,
    0.043217202512734726,
    0.0033983432810035944,
)
# x exp(x^2) erfc(x) = P3(t) / Q3(t), t = 1 / x^2 <= 1/16 (P3(0) = 1 / sqrt(pi))
_P3 = (
    0.5641895835477562,
    12.153880885369094,
    83.42119560296368,
    211.1243815547816,
    167.21875670421662,
    18.64928292855428,
)
_Q3 = (
    1.0,
    22.042192978719193,
    158.1313158830714,
    438.6172362915029,
    431.8642754596466,
    101.3995064298683,
)
# float32 needs ~1e-8 only: lower degrees fitted the same way (errors 1.4e-10, 1.0e-9, 2.3e-9)
_P1_32 = (1.1283791669406076, 0.09087510779327203, 0.01670790848967331)
_Q1_32 = (1.0, 0.41386927257942024, 0.05276434639474247)
_P2_32 = (
    0.9999875655087902,
    0.9367613609923164,
    0.41551199145364526,
    0.07782660888903958,
    5.473379252020973e-06,
)
_Q2_32 = (1.0, 2.065019042684244, 1.7461755522866294, 0.7339465331201744, 0.1381758497809447)
_P3_32 = (0.5641895802676234, 2.2088157677745532, 0.8200800245234338)
_Q3_32 = (1.0, 4.415020948300995, 2.911452153345223)
_COEFFS = {
    np.dtype(np.float64): (_P1, _Q1, _P2, _Q2, _P3, _Q3),
    np.dtype(np.float32): (_P1_32, _Q1_32, _P2_32, _Q2_32, _P3_32, _Q3_32),
}
_SMALL = 0.5
_TAIL = 4.0
# beyond this erfc underflows to 0 in float64 (and x^2 stays finite below it)
_CLAMP = 40.0
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
# from a start good to ~1e-5, two cubically converging steps reach float64 rounding
_HALLEY_STEPS = 2


def _horner(c, x):
    """sum_k c[k] x^k, updating one new array in place (fresh temporaries per step cost
    more than the arithmetic on large arrays)."""
    out = x * c[-1]
    out += c[-2]
    for v in c[-3::-1]:
        out *= x
        out += v
    return out


def _ratio(p, q, x):
    """P(x) / Q(x) (coefficients from the constant term up)."""
    out = _horner(p, x)
    out /= _horner(q, x)
    return out


def _work(a):
    """``a`` flat (0-dim arrays would turn into NumPy scalars, which take no ``out=``), in
    the dtype the kernels compute in: float64 stays, other floats use float32."""
    if a.dtype != np.float64 and a.dtype != np.float32:
        a = a.astype(np.float32)
    return a.reshape(-1)


def _exp_neg_square(x):
    """exp(-x^2) for 0 <= x <= 40, without the relative error that rounding x^2 would add:
    x^2 = hi + lo exactly (Veltkamp's split of x), and exp(-x^2) = exp(-hi) (1 - lo)."""
    xp = get_array_module(x)
    hi = x * x
    split = 134217729.0 if x.dtype == np.float64 else 4097.0  # 2^27 + 1, 2^12 + 1
    xh = x * split
    xh -= xh - x
    xl = x - xh
    lo = xh * xh
    lo -= hi
    lo += 2.0 * xh * xl
    xl *= xl
    lo += xl
    lo *= -1.0
    lo += 1.0
    xp.negative(hi, out=hi)
    xp.exp(hi, out=hi)
    hi *= lo
    return hi


def _pieces(x):
    """The shared parts of erf and erfc: |x| <= 0.5, x P1/Q1 there, erfc(|x|) elsewhere
    (garbage where |x| <= 0.5, NaN for NaN) and exp(-x^2). Every range is evaluated on the
    whole array and chosen with ``where``: cheaper in NumPy than boolean gathers."""
    xp = get_array_module(x)
    p1, q1, p2, q2, p3, q3 = _COEFFS[x.dtype]
    ax = xp.abs(x)
    xp.minimum(ax, _CLAMP, out=ax)
    small = ax <= _SMALL
    r1 = _ratio(p1, q1, ax * ax)
    r1 *= xp.copysign(ax, x)
    e = _exp_neg_square(ax)
    c = _ratio(p2, q2, ax)
    c *= e
    if bool((ax >= _TAIL).any()):
        xt = xp.maximum(ax, _TAIL)
        t = xt * xt
        xp.reciprocal(t, out=t)
        tail = _ratio(p3, q3, t)
        tail *= e
        tail /= xt
        c = xp.where(ax < _TAIL, c, tail)
    return small, r1, c, e


def _erf(x, small, r1, c):
    xp = get_array_module(x)
    big = 1.0 - c
    xp.copysign(big, x, out=big)
    return xp.where(small, r1, big)


def _erfc(x, small, r1, c):
    xp = get_array_module(x)
    big = xp.where(x > 0, c, 2.0 - c)
    return xp.where(small, 1.0 - r1, big)


def erf(a):
    """erf(a) = 2/sqrt(pi) * integral_0^a exp(-t^2) dt, elementwise, in a's dtype."""
    x = _work(a)
    small, r1, c, _ = _pieces(x)
    return _erf(x, small, r1, c).astype(a.dtype, copy=False).reshape(a.shape)


def erfc(a):
    """1 - erf(a) elementwise, accurate relative to its value for large a too."""
    x = _work(a)
    small, r1, c, _ = _pieces(x)
    return _erfc(x, small, r1, c).astype(a.dtype, copy=False).reshape(a.shape)


# Giles' single-precision erfinv: polynomials in w = -log((1 - y)(1 + y))
_GILES_CENTRAL = (
    1.50140941,
    0.246640727,
    -0.00417768164,
    -0.00125372503,
    0.00021858087,
    -4.39150654e-06,
    -3.5233877e-06,
    3.43273939e-07,
    2.81022636e-08,
)
_GILES_TAIL = (
    2.83297682,
    1.00167406,
    0.00943887047,
    -0.0076224613,
    0.00573950773,
    -0.00367342844,
    0.00134934322,
    0.000100950558,
    -0.000200214257,
)


def _poly(c, x):
    out = c[-1] * x + c[-2]
    for v in c[-3::-1]:
        out = out * x + v
    return out


def _erfinv_far(y):
    """erfinv(y) to ~1e-5 for y next to 1, from erfc(x) ~ exp(-x^2) / (x sqrt(pi))
    (1 - 1/(2x^2)): x^2 = L - log(sqrt(pi) x) + log(1 - 1/(2x^2)) with L = -log(1 - y),
    iterated from x^2 = L - log(pi L) / 2."""
    xp = get_array_module(y)
    big_l = -xp.log(1.0 - y)
    x = xp.sqrt(big_l - 0.5 * xp.log(math.pi * big_l))
    for _ in range(3):
        x = xp.sqrt(big_l - xp.log(math.sqrt(math.pi) * x) + xp.log1p(-0.5 / (x * x)))
    return x


def erfinv(a):
    """The inverse of erf on [-1, 1] (+-inf at +-1, NaN outside), in a's dtype."""
    xp = get_array_module(a)
    y = a.astype(np.float64).reshape(-1)
    ay = xp.abs(y)
    inside = ay < 1
    ys = xp.where(inside, ay, 0.0)
    w = -xp.log((1.0 - ys) * (1.0 + ys))
    x = ys * xp.where(
        w < 5.0,
        _poly(_GILES_CENTRAL, w - 2.5),
        _poly(_GILES_TAIL, xp.sqrt(xp.maximum(w, 5.0)) - 3.0),
    )
    far = w > 16.0  # 1 - |y| < 1e-7, past the range of Giles' single-precision fit
    if bool(far.any()):
        x = xp.where(far, _erfinv_far(xp.where(far, ys, 1.0 - 1e-10)), x)
    near_one = ys > 0.5
    for _ in range(_HALLEY_STEPS):
        small, r1, c, e = _pieces(x)
        # the residual erf(x) - y; next to 1 as (1 - y) - erfc(x), both nearly exact there
        f = xp.where(near_one, (1.0 - ys) - _erfc(x, small, r1, c), _erf(x, small, r1, c) - ys)
        r = f / (_TWO_OVER_SQRT_PI * e)
        x = x - r / (1.0 + x * r)  # Halley's step, as f''/f' = -2x
    x = xp.where(inside, x, xp.where(ay == 1, np.inf, np.nan))
    return xp.copysign(x, y).astype(a.dtype, copy=False).reshape(a.shape)
