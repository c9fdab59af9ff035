"""Reduction rows: sum, mean, prod, max/min, var/std, logsumexp, norms, cumulative ops, all/any,
count_nonzero, nansum/nanmean."""

from __future__ import annotations

import numpy as np

from . import Op, away_from_zero, distinct, positive

DIM1 = [((3, 4),), ((2, 3, 4),), ((0, 3),)]
NONEMPTY = [((3, 4),), ((),), ((2, 3, 4),)]
LAST = [((3, 4),), ((),), ((2, 3, 4),), ((0, 3),), ((5,),)]
INTS = ("int64", "int32")


def with_zeros(rng, shape, dtype):
    """Values in [-2, 2] with about a third set to exactly zero (prod, cumprod, norms)."""
    x = rng.uniform(-2.0, 2.0, size=shape)
    return np.where(rng.random(size=shape) < 0.35, 0.0, x).astype(dtype)


def one_zero(rng, shape, dtype):
    """Values away from zero except one exact zero (prod's gradient at a single zero)."""
    x = away_from_zero(rng, shape, dtype)
    if x.size:
        x.reshape(-1)[rng.integers(x.size)] = 0
    return x


def ties(rng, shape, dtype):
    """Small integers as floats: plenty of ties for max/min/amax."""
    return rng.integers(-2, 3, size=shape).astype(dtype)


def with_nans(rng, shape, dtype):
    x = rng.uniform(-2.0, 2.0, size=shape)
    return np.where(rng.random(size=shape) < 0.3, np.nan, x).astype(dtype)


ROWS = [
    # -- sum, mean, prod
    Op("sum", lambda t, x: t.sum(x)),
    Op("sum_dim", lambda t, x: t.sum(x, 1), DIM1),
    Op("sum_neg_dim_keepdim", lambda t, x: x.sum(-1, keepdim=True), LAST),
    Op("sum_dims", lambda t, x: x.sum((0, -1)), [((3, 4),), ((2, 3, 4),), ((0, 3),)]),
    Op("sum_empty_dims", lambda t, x: x.sum(dim=()), NONEMPTY),
    Op("sum_dtype", lambda t, x: t.sum(x, 0, dtype=t.float64), DIM1),
    Op("sum_int", lambda t, x: x.sum(), grad=False, dtypes=INTS + ("bool",)),
    Op("sum_int_dim", lambda t, x: x.sum(0), DIM1, grad=False, dtypes=INTS + ("bool",)),
    Op("sum_int_to_float", lambda t, x: x.sum(1, dtype=t.float32), DIM1, grad=False, dtypes=INTS),
    Op("mean", lambda t, x: t.mean(x), NONEMPTY),
    Op("mean_dim", lambda t, x: x.mean(1), DIM1[:2]),
    Op("mean_dims_keepdim", lambda t, x: t.mean(x, (0, 1), keepdim=True), DIM1[:2]),
    Op("mean_int_dtype", lambda t, x: x.mean(dtype=t.float64), grad=False, dtypes=INTS),
    Op("nansum", lambda t, x: t.nansum(x), domain=with_nans, gradcheck=False),
    Op("nansum_dim", lambda t, x: t.nansum(x, 1), DIM1, domain=with_nans, gradcheck=False),
    Op(
        "nanmean",
        lambda t, x: t.nanmean(x, 0),
        [((5, 4),), ((6,),)],
        domain=with_nans,
        gradcheck=False,
    ),
    Op("prod", lambda t, x: t.prod(x), domain=away_from_zero),
    Op("prod_dim", lambda t, x: x.prod(1), DIM1, domain=away_from_zero),
    Op("prod_keepdim", lambda t, x: x.prod(-1, keepdim=True), LAST, domain=away_from_zero),
    Op("prod_zeros", lambda t, x: t.prod(x), NONEMPTY, domain=with_zeros),
    Op("prod_dim_zeros", lambda t, x: t.prod(x, 0), DIM1, domain=with_zeros),
    Op("prod_one_zero", lambda t, x: x.prod(), [((3, 4),), ((5,),)], domain=one_zero),
    Op("prod_int", lambda t, x: x.prod(0), DIM1, grad=False, dtypes=INTS),
    Op(
        "prod_double_backward",
        lambda t, x: _grad_of(t, lambda y: y.prod(1), x),
        DIM1[:2],
        domain=with_zeros,
        gradcheck=False,  # ember's gradcheck evaluates fn under no_grad (torch's does not)
    ),
    # -- max, min, amax, amin, argmax, argmin
    Op("max", lambda t, x: t.max(x), NONEMPTY, domain=distinct),
    Op("min", lambda t, x: x.min(), NONEMPTY, domain=distinct),
    Op("max_ties", lambda t, x: x.max(), NONEMPTY, domain=ties, gradcheck=False),
    Op("max_dim", lambda t, x: t.max(x, 1), DIM1, domain=distinct),
    Op("max_dim_keepdim", lambda t, x: x.max(-1, keepdim=True), LAST, domain=distinct),
    Op("min_dim", lambda t, x: t.min(x, dim=0), [((3, 4),), ((2, 3, 4),)], domain=distinct),
    Op("min_dim_0d", lambda t, x: x.min(0), [((),)], domain=distinct),
    Op("max_binary", lambda t, x, y: t.max(x, y), [((3, 4), (4,))], domain=distinct),
    Op("max_int", lambda t, x: x.max(1), DIM1[:2], grad=False, dtypes=INTS),
    Op("amax", lambda t, x: t.amax(x), NONEMPTY, domain=distinct),
    Op("amax_dim", lambda t, x: t.amax(x, 1), DIM1, domain=distinct),
    Op("amax_dims_keepdim", lambda t, x: x.amax((0, -1), keepdim=True), DIM1[:2], domain=distinct),
    Op("amax_ties", lambda t, x: x.amax(0), DIM1[:2], domain=ties, gradcheck=False),
    Op("amin_dim", lambda t, x: t.amin(x, -1), LAST, domain=distinct),
    Op("amin_ties", lambda t, x: x.amin(), NONEMPTY, domain=ties, gradcheck=False),
    Op("aminmax", lambda t, x: t.aminmax(x, dim=1), DIM1[:2], domain=distinct),
    Op("argmax", lambda t, x: t.argmax(x), NONEMPTY, domain=distinct, grad=False),
    Op("argmax_dim", lambda t, x: x.argmax(1), DIM1, domain=distinct, grad=False),
    Op(
        "argmax_keepdim",
        lambda t, x: x.argmax(-1, keepdim=True),
        LAST[:3],
        domain=distinct,
        grad=False,
    ),
    Op(
        "argmax_all_keepdim",
        lambda t, x: x.argmax(keepdim=True),
        NONEMPTY,
        domain=distinct,
        grad=False,
    ),
    Op("argmin", lambda t, x: t.argmin(x, 0), [((3, 4),), ((),)], domain=distinct, grad=False),
    Op("argmax_ties", lambda t, x: x.argmax(1), DIM1[:2], domain=ties, grad=False),
    Op("argmin_int", lambda t, x: x.argmin(), NONEMPTY, grad=False, dtypes=INTS),
    # -- var, std
    Op("var", lambda t, x: t.var(x), [((3, 4),), ((2, 3, 4),), ((5,),)]),
    Op("var_dim", lambda t, x: x.var(1), DIM1[:2]),
    Op("var_unbiased_false", lambda t, x: t.var(x, 1, unbiased=False, keepdim=True), DIM1[:2]),
    Op("var_correction0", lambda t, x: x.var(correction=0), NONEMPTY),
    Op("var_correction2", lambda t, x: t.var(x, (0, 1), correction=2), DIM1[:2]),
    Op("var_positional_unbiased", lambda t, x: t.var(x, False), NONEMPTY),
    Op("std", lambda t, x: t.std(x), [((3, 4),), ((2, 3, 4),)]),
    Op("std_dim", lambda t, x: x.std(-1, keepdim=True), DIM1[:2]),
    Op("std_unbiased_false", lambda t, x: t.std(x, 0, unbiased=False), DIM1[:2]),
    Op("std_correction0", lambda t, x: t.std(x, correction=0), NONEMPTY),
    Op("var_mean", lambda t, x: t.var_mean(x, 1), DIM1[:2]),
    Op("var_mean_all", lambda t, x: t.var_mean(x, correction=0), NONEMPTY),
    Op("std_mean", lambda t, x: t.std_mean(x, (0, 1), keepdim=True), DIM1[:2]),
    Op("std_mean_unbiased", lambda t, x: t.std_mean(x, unbiased=False), NONEMPTY),
    # -- logsumexp, norms
    Op("logsumexp", lambda t, x: t.logsumexp(x, 1), DIM1),
    Op("logsumexp_dims", lambda t, x: x.logsumexp((0, 1), keepdim=True), DIM1[:2]),
    Op("logsumexp_0d", lambda t, x: t.logsumexp(x, 0), [((),)]),
    Op("logsumexp_large", lambda t, x: t.logsumexp(x * 400, -1), [((3, 4),)]),
    Op(
        "logsumexp_neg_inf",
        lambda t, x: t.logsumexp(x.masked_fill(x > 0.5, float("-inf")), 1),
        [((3, 4),)],
        gradcheck=False,
    ),
    Op("logsumexp_int", lambda t, x: t.logsumexp(x, 0), DIM1[:2], grad=False, dtypes=INTS),
    Op("norm", lambda t, x: t.norm(x), [((3, 4),), ((),), ((2, 3, 4),)], domain=away_from_zero),
    Op("norm_dim", lambda t, x: x.norm(dim=1), DIM1, domain=away_from_zero),
    Op("norm_p1", lambda t, x: t.norm(x, 1, dim=-1, keepdim=True), DIM1, domain=away_from_zero),
    Op("norm_p3", lambda t, x: t.norm(x, 3), NONEMPTY, domain=away_from_zero),
    Op("norm_inf", lambda t, x: t.norm(x, float("inf"), 1), DIM1, domain=distinct),
    Op("norm_neg_inf", lambda t, x: t.norm(x, float("-inf")), NONEMPTY[:1], domain=distinct),
    Op("norm_fro_dims", lambda t, x: t.norm(x, "fro", (0, 1)), DIM1[:2], domain=away_from_zero),
    Op("norm_p0", lambda t, x: t.norm(x, 0), NONEMPTY, domain=with_zeros),
    Op("norm_zero_grad", lambda t, x: t.norm(x * 0, dim=1), DIM1[:2], gradcheck=False),
    Op("norm_half", lambda t, x: t.norm(x, 0.5, 1), DIM1[:2], domain=away_from_zero),
    # -- cumulative
    Op("cumsum", lambda t, x: t.cumsum(x, 1), DIM1),
    Op("cumsum_neg_dim", lambda t, x: x.cumsum(-1), LAST),
    Op("cumsum_int", lambda t, x: x.cumsum(0), DIM1, grad=False, dtypes=INTS + ("bool",)),
    Op("cumsum_dtype", lambda t, x: x.cumsum(0, dtype=t.float64), DIM1),
    Op("cumprod", lambda t, x: t.cumprod(x, 1), DIM1, domain=away_from_zero),
    Op("cumprod_0d", lambda t, x: x.cumprod(0), [((),), ((5,),)], domain=away_from_zero),
    Op("cumprod_zeros", lambda t, x: t.cumprod(x, -1), LAST, domain=with_zeros),
    Op("cumprod_one_zero", lambda t, x: t.cumprod(x, 0), [((6,),), ((5, 3),)], domain=one_zero),
    Op("cumprod_int", lambda t, x: x.cumprod(1), DIM1, grad=False, dtypes=INTS),
    Op("cummax", lambda t, x: t.cummax(x, 1), DIM1, domain=distinct),
    Op("cummin", lambda t, x: x.cummin(-1), LAST, domain=distinct),
    Op("cummax_int", lambda t, x: t.cummax(x, 0), DIM1, grad=False, dtypes=INTS),
    # -- boolean
    Op("all", lambda t, x: t.all(x > -1.5), LAST, grad=False),
    Op("all_dim", lambda t, x: (x > -1.5).all(1), DIM1, grad=False),
    Op("all_float", lambda t, x: t.all(x, -1, keepdim=True), LAST, domain=with_zeros, grad=False),
    Op("any", lambda t, x: t.any(x > 1.5), LAST, grad=False),
    Op(
        "any_dim_keepdim",
        lambda t, x: x.any(0, keepdim=True),
        DIM1,
        grad=False,
        dtypes=("bool", "int64"),
    ),
    Op("any_uint8", lambda t, x: (x > 0).to(t.uint8).any(1), DIM1, grad=False),
    Op("count_nonzero", lambda t, x: t.count_nonzero(x), LAST, domain=with_zeros, grad=False),
    Op("count_nonzero_dim", lambda t, x: x.count_nonzero(1), DIM1, domain=with_zeros, grad=False),
    Op(
        "count_nonzero_dims",
        lambda t, x: t.count_nonzero(x, (0, 1)),
        DIM1[:2],
        domain=with_zeros,
        grad=False,
    ),
    Op("count_nonzero_int", lambda t, x: t.count_nonzero(x, 0), DIM1, grad=False, dtypes=INTS),
]


def _grad_of(t, f, x):
    """The gradient of ``f(x).sum()``, kept in the graph (double backward)."""
    out = f(x)
    (g,) = t.autograd.grad(out, x, t.ones_like(out), create_graph=True)
    return g


del positive
