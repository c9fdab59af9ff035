"""Pointwise rows: arithmetic, functions of one tensor, comparisons and logic."""

from __future__ import annotations

import numpy as np

from . import BINARY_SHAPES, Op, away_from_zero, positive, uniform

F32_64 = ("float32", "float64")
TERNARY = [((3, 4), (3, 4), (3, 4)), ((3, 4), (4,), (3, 1)), ((), (2, 3), (3,))]


def _unary(name, domain=(-2.0, 2.0), method=False, **kw):
    if method:
        return Op(name, lambda t, x: getattr(x, name)(), domain=domain, **kw)
    return Op(name, lambda t, x: getattr(t, name)(x), domain=domain, **kw)


ROWS = [
    # -- arithmetic
    Op("add", lambda t, x, y: t.add(x, y), BINARY_SHAPES),
    Op("add_alpha", lambda t, x, y: t.add(x, y, alpha=2.5), BINARY_SHAPES),
    Op("add_scalar", lambda t, x: x + 1.5),
    Op("radd_scalar", lambda t, x: 2 + x),
    Op("sub", lambda t, x, y: x - y, BINARY_SHAPES),
    Op("sub_alpha", lambda t, x, y: t.sub(x, y, alpha=0.5), BINARY_SHAPES),
    Op("rsub_scalar", lambda t, x: 3 - x),
    Op("mul", lambda t, x, y: x * y, BINARY_SHAPES),
    Op("mul_scalar", lambda t, x: x * -1.5),
    Op("div", lambda t, x, y: x / y, BINARY_SHAPES, domain=away_from_zero),
    Op("rdiv_scalar", lambda t, x: 2 / x, domain=away_from_zero),
    Op(
        "div_trunc",
        lambda t, x, y: t.div(x, y, rounding_mode="trunc"),
        BINARY_SHAPES[:2],
        domain=away_from_zero,
        gradcheck=False,
    ),
    Op(
        "div_floor",
        lambda t, x, y: t.div(x, y, rounding_mode="floor"),
        BINARY_SHAPES[:2],
        domain=away_from_zero,
        gradcheck=False,
    ),
    Op(
        "floor_divide_int",
        lambda t, x, y: x // y,
        [((3, 4), (4,))],
        grad=False,
        dtypes=("int64",),
        inputs={1: lambda rng, s: rng.integers(1, 4, size=s) * rng.choice([-1, 1], size=s)},
    ),
    Op(
        "remainder",
        lambda t, x, y: t.remainder(x, y),
        BINARY_SHAPES[:3],
        domain=away_from_zero,
        gradcheck=False,
    ),
    Op(
        "fmod",
        lambda t, x, y: t.fmod(x, y),
        BINARY_SHAPES[:3],
        domain=away_from_zero,
        gradcheck=False,
    ),
    Op("remainder_int", lambda t, x: x % 3, grad=False, dtypes=("int64", "int32")),
    Op("pow_scalar", lambda t, x: x**3),
    Op("pow_half", lambda t, x: t.pow(x, 0.5), domain=positive),
    Op("pow_tensor", lambda t, x, y: x**y, BINARY_SHAPES[:3], domain=positive),
    Op("rpow", lambda t, x: 2.0**x),
    Op("pow_int", lambda t, x: x**2, grad=False, dtypes=("int64",)),
    Op("atan2", lambda t, x, y: t.atan2(x, y), BINARY_SHAPES[:3], domain=away_from_zero),
    Op("maximum", lambda t, x, y: t.maximum(x, y), BINARY_SHAPES),
    Op("minimum", lambda t, x, y: t.minimum(x, y), BINARY_SHAPES),
    Op("maximum_ties", lambda t, x: t.maximum(x, x * 1), [((3, 4),)], gradcheck=False),
    Op("where", lambda t, c, x, y: t.where(c > 0, x, y), TERNARY),
    Op("where_scalar", lambda t, c, x: t.where(c > 0, x, 0.0), [((3, 4), (3, 4)), ((4,), (3, 4))]),
    Op("lerp", lambda t, x, y: t.lerp(x, y, 0.3), BINARY_SHAPES[:3]),
    Op("lerp_tensor", lambda t, x, y, w: t.lerp(x, y, w), TERNARY[:2]),
    Op("addcmul", lambda t, x, y, z: t.addcmul(x, y, z, value=0.5), TERNARY),
    Op("addcdiv", lambda t, x, y, z: t.addcdiv(x, y, z, value=2), TERNARY, domain=away_from_zero),
    Op("clamp", lambda t, x: t.clamp(x, -0.5, 0.7)),
    Op("clamp_min", lambda t, x: x.clamp(min=0.1)),
    Op("clamp_max", lambda t, x: x.clamp(max=0.1)),
    Op("clamp_tensor", lambda t, x, lo, hi: t.clamp(x, lo, hi + 1.0), TERNARY[:2], gradcheck=False),
    Op("clip", lambda t, x: t.clip(x, -1, 1)),
    Op("clamp_int", lambda t, x: t.clamp(x, -2, 3), grad=False, dtypes=("int64",)),
    Op("clamp_min_method", lambda t, x: x.clamp_min(0.1)),
    Op("clamp_max_method", lambda t, x: x.clamp_max(-0.1)),
    Op("clamp_min_tensor", lambda t, x, y: t.clamp_min(x, y), BINARY_SHAPES[:2], gradcheck=False),
    Op("clamp_max_tensor", lambda t, x, y: t.clamp_max(x, y), BINARY_SHAPES[:2], gradcheck=False),
    Op("hypot", lambda t, x, y: t.hypot(x, y), BINARY_SHAPES[:4], domain=away_from_zero),
    Op("xlogy", lambda t, x, y: t.xlogy(x, y), BINARY_SHAPES[:3], domain=positive),
    Op("xlogy_zero", lambda t, x, y: t.xlogy(x * (x > 1), y), BINARY_SHAPES[:2], domain=positive),
    Op("xlogy_scalar_other", lambda t, x: t.xlogy(x, 2.5), domain=positive),
    Op("xlogy_scalar_self", lambda t, x: t.xlogy(2.5, x), domain=positive),
    Op("fmax", lambda t, x, y: t.fmax(x, y), BINARY_SHAPES[:4]),
    Op("fmin", lambda t, x, y: t.fmin(x, y), BINARY_SHAPES[:4]),
    Op("fmax_nan", lambda t, x, y: t.fmax(x.log(), y), BINARY_SHAPES[:2], gradcheck=False),
    Op("maximum_nan", lambda t, x, y: t.maximum(x.log(), y), BINARY_SHAPES[:2], gradcheck=False),
    Op("minimum_ties", lambda t, x: t.minimum(x, x.round()), [((3, 4),)], gradcheck=False),
    Op("float_power", lambda t, x: t.float_power(x, 2)),
    Op(
        "float_power_tensor",
        lambda t, x, y: t.float_power(x, y),
        BINARY_SHAPES[:2],
        domain=positive,
    ),
    Op("remainder_scalar", lambda t, x: x % 0.7, gradcheck=False),
    Op("fmod_scalar", lambda t, x: x.fmod(-0.7), gradcheck=False),
    Op("rdiv_int", lambda t, x: -2 / x, grad=False, dtypes=("int64", "int32")),
    Op(
        "int_div_int",
        lambda t, x, y: x / y.clamp(min=1),
        BINARY_SHAPES[:2],
        grad=False,
        dtypes=("int32", "int64"),
    ),  # fmt: skip
    Op("int_floor_div_neg", lambda t, x: x // -3, grad=False, dtypes=("int64",)),
    Op(
        "div_trunc_int",
        lambda t, x: t.div(x, -3, rounding_mode="trunc"),
        grad=False,
        dtypes=("int64",),
    ),  # fmt: skip
    Op("sign_nan", lambda t, x: t.sign(x.log()), grad=False),
    Op(
        "addcmul_int",
        lambda t, x, y, z: t.addcmul(x, y, z, value=2),
        TERNARY,
        grad=False,
        dtypes=("int64",),
    ),  # fmt: skip
    Op(
        "where_int_float",
        lambda t, c, x: t.where(c > 0, x, 1.5),
        [((3, 4), (3, 4))],
        grad=False,
        dtypes=("int64",),
    ),  # fmt: skip
    Op("int_times_float", lambda t, x: x * 1.5, grad=False, dtypes=("int64", "int32")),
    Op("int_true_div", lambda t, x: x / 2, grad=False, dtypes=("int64",)),
    Op(
        "int_plus_int",
        lambda t, x, y: x + y,
        BINARY_SHAPES[:3],
        grad=False,
        dtypes=("int64", "int32"),
    ),
    Op("float_plus_double0d", lambda t, x: x + t.tensor(2.0, dtype=t.float64), grad=False),
    Op("int_plus_float0d", lambda t, x: x + t.tensor(2.5), grad=False, dtypes=("int64",)),
    Op("bool_plus_int", lambda t, x: x + 1, grad=False, dtypes=("bool",)),
    # -- functions of one tensor
    _unary("neg"),
    _unary("abs", domain=away_from_zero),
    _unary("sign", domain=away_from_zero, gradcheck=False),
    _unary("exp"),
    _unary("exp2"),
    _unary("expm1"),
    _unary("log", domain=positive),
    _unary("log2", domain=positive),
    _unary("log10", domain=positive),
    _unary("log1p", domain=positive),
    _unary("sqrt", domain=positive),
    _unary("rsqrt", domain=positive),
    _unary("square"),
    _unary("reciprocal", domain=away_from_zero),
    _unary("sin"),
    _unary("cos"),
    _unary("tan", domain=(-1.2, 1.2)),
    _unary("asin", domain=(-0.9, 0.9)),
    _unary("acos", domain=(-0.9, 0.9)),
    _unary("atan"),
    _unary("sinh"),
    _unary("cosh"),
    _unary("tanh"),
    _unary("asinh"),
    _unary("acosh", domain=uniform(1.2, 3.0)),
    _unary("atanh", domain=(-0.9, 0.9)),
    _unary("sigmoid", domain=(-6.0, 6.0)),
    _unary("logit", domain=(0.1, 0.9)),
    Op("logit_eps", lambda t, x: t.logit(x, eps=0.2), domain=(0.05, 0.95), gradcheck=False),
    _unary("relu", domain=away_from_zero),
    _unary("erf"),
    _unary("erfc"),
    _unary("erfinv", domain=(-0.9, 0.9)),
    _unary("floor", gradcheck=False),
    _unary("ceil", gradcheck=False),
    _unary("round", gradcheck=False),
    Op("round_decimals", lambda t, x: t.round(x, decimals=2), gradcheck=False),
    _unary("trunc", gradcheck=False),
    _unary("frac", domain=away_from_zero),
    Op(
        "nan_to_num", lambda t, x: t.nan_to_num(x / (x > 0.5), nan=0.0, posinf=9.0), gradcheck=False
    ),
    Op("exp_int", lambda t, x: t.exp(x), grad=False, dtypes=("int64",)),
    Op("sqrt_int", lambda t, x: t.sqrt(x.abs()), grad=False, dtypes=("int64",)),
    Op("abs_int", lambda t, x: t.abs(x), grad=False, dtypes=("int64", "int32")),
    # -- comparisons and logic (no gradients)
    Op("eq", lambda t, x, y: x == y.round(), BINARY_SHAPES, grad=False),
    Op("ne", lambda t, x, y: x != y, BINARY_SHAPES, grad=False),
    Op("lt", lambda t, x, y: x < y, BINARY_SHAPES, grad=False),
    Op("le", lambda t, x, y: t.le(x, y), BINARY_SHAPES, grad=False),
    Op("gt_scalar", lambda t, x: x > 0.5, grad=False),
    Op("ge_int", lambda t, x, y: x >= y, BINARY_SHAPES[:3], grad=False, dtypes=("int64",)),
    Op("logical_and", lambda t, x, y: t.logical_and(x > 0, y > 0), BINARY_SHAPES, grad=False),
    Op("logical_or", lambda t, x, y: t.logical_or(x > 0, y), BINARY_SHAPES, grad=False),
    Op("logical_xor", lambda t, x, y: t.logical_xor(x, y > 0), BINARY_SHAPES, grad=False),
    Op("logical_not", lambda t, x: t.logical_not(x > 0), grad=False),
    Op(
        "bitwise_and",
        lambda t, x, y: x & y,
        BINARY_SHAPES[:3],
        grad=False,
        dtypes=("int64", "bool"),
    ),
    Op(
        "bitwise_or", lambda t, x, y: x | y, BINARY_SHAPES[:3], grad=False, dtypes=("int64", "bool")
    ),
    Op(
        "bitwise_xor",
        lambda t, x, y: x ^ y,
        BINARY_SHAPES[:3],
        grad=False,
        dtypes=("int32", "bool"),
    ),
    Op("bitwise_not", lambda t, x: ~x, grad=False, dtypes=("int64", "bool")),
    Op("isnan", lambda t, x: t.isnan(t.log(x)), grad=False),
    Op("isinf", lambda t, x: t.isinf(1 / (x > 0).float()), grad=False),
    Op("isfinite", lambda t, x: t.isfinite(t.log(x)), grad=False),
    Op("isclose", lambda t, x, y: t.isclose(x, y, atol=0.5), BINARY_SHAPES[:3], grad=False),
    # -- in-place forms, through clone() so gradients flow to the input
    Op("add_", lambda t, x, y: x.clone().add_(y, alpha=2), BINARY_SHAPES[:2]),
    Op("mul_", lambda t, x, y: (x * 1).mul_(y), BINARY_SHAPES[:2]),
    Op("sub_", lambda t, x: x.clone().sub_(1.5)),
    Op("div_", lambda t, x, y: x.clone().div_(y), BINARY_SHAPES[:2], domain=away_from_zero),
    Op("exp_", lambda t, x: x.clone().exp_()),
    Op("sigmoid_", lambda t, x: (x * 2).sigmoid_()),
    Op("relu_", lambda t, x: (x + 0).relu_(), domain=away_from_zero),
    Op("clamp_", lambda t, x: x.clone().clamp_(-0.5, 0.5)),
    Op("pow_", lambda t, x: x.clone().pow_(2)),
    Op("iadd", lambda t, x, y: _iadd(x.clone(), y), BINARY_SHAPES[:2]),
    Op("fill_", lambda t, x: x.clone().fill_(2.0), gradcheck=False),
    Op("zero_", lambda t, x: x.clone().zero_() + x, gradcheck=False),
    Op("copy_", lambda t, x, y: x.clone().copy_(y), BINARY_SHAPES[:2]),
    Op("masked_write_int_", lambda t, x: x.clone().add_(2), grad=False, dtypes=("int64",)),
    Op("clamp_min_", lambda t, x: x.clone().clamp_min_(0.2)),
    Op("lerp_", lambda t, x, y: x.clone().lerp_(y, 0.25), BINARY_SHAPES[:2]),
    Op("addcmul_", lambda t, x, y, z: x.clone().addcmul_(y, z, value=3), TERNARY[:2]),
    Op("addcdiv_", lambda t, x, y, z: x.clone().addcdiv_(y, z), TERNARY[:2], domain=away_from_zero),
    Op("atan2_", lambda t, x, y: x.clone().atan2_(y), BINARY_SHAPES[:2], domain=away_from_zero),
    Op("remainder_", lambda t, x: x.clone().remainder_(0.6), gradcheck=False),
    Op("column_mul_", lambda t, x: _column_mul(x), [((3, 4),)]),
    Op("setitem_row", lambda t, x, y: _setitem_row(x, y), [((3, 4), (4,))]),
    Op("setitem_mask", lambda t, x, y: _setitem_mask(x, y), [((3, 4), (3, 4))]),
    Op("normal_in_graph", lambda t, x: (x * 2).normal_(), random=True, gradcheck=False),
    Op("uniform_in_graph", lambda t, x: (x * 2).uniform_(), random=True, gradcheck=False),
]


def _column_mul(x):
    y = x * 2
    y[:, 0].mul_(3)  # an in-place op on a view of a tensor in the graph (CopySlices)
    return y


def _setitem_row(x, v):
    y = x * 1
    y[1] = v * v
    return y


def _setitem_mask(x, v):
    y = x * 1
    y[v > 0] = 0.5
    return y


def _iadd(x, y):
    x += y
    return x


del np
