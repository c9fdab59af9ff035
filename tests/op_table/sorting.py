"""Sorting and selection rows: sort, argsort, topk, median, kthvalue, quantile, mode and the
counting ops. Inputs have no ties (``distinct``) where the choice among ties is unspecified."""

from __future__ import annotations

import numpy as np

from . import UNARY_SHAPES, Op, distinct

ROWS3 = [((3, 4),), ((2, 3, 5),), ((6,),)]
NONEMPTY = [((3, 4),), ((),), ((2, 3, 4),)]
INTS = ("int64", "int32")


def ties(rng, shape, dtype):
    return rng.integers(-2, 3, size=shape).astype(dtype)


def with_nans(rng, shape, dtype):
    x = distinct(rng, shape, dtype)
    return np.where(rng.random(size=shape) < 0.3, np.nan, x).astype(dtype)


def _sorted_ints(rng, shape):
    return np.sort(rng.integers(-5, 6, size=shape), axis=-1)


ROWS = [
    # -- sort, argsort
    Op("sort", lambda t, x: t.sort(x), UNARY_SHAPES, domain=distinct),
    Op("sort_dim0", lambda t, x: x.sort(0), ROWS3, domain=distinct),
    Op("sort_descending", lambda t, x: t.sort(x, 1, descending=True), ROWS3[:2], domain=distinct),
    Op(
        "sort_stable_ties", lambda t, x: t.sort(x, stable=True), ROWS3, domain=ties, gradcheck=False
    ),
    Op(
        "sort_stable_ties_descending",
        lambda t, x: x.sort(dim=-1, descending=True, stable=True),
        ROWS3,
        domain=ties,
        gradcheck=False,
    ),
    Op("sort_nan", lambda t, x: t.sort(x), ROWS3, domain=with_nans, gradcheck=False),
    Op(
        "sort_nan_desc",
        lambda t, x: t.sort(x, descending=True),
        ROWS3,
        domain=with_nans,
        gradcheck=False,
    ),
    Op("sort_int", lambda t, x: t.sort(x, stable=True), ROWS3, grad=False, dtypes=INTS),
    Op("sort_bool", lambda t, x: t.sort(x, stable=True), ROWS3, grad=False, dtypes=("bool",)),
    Op("msort", lambda t, x: t.msort(x), ROWS3, domain=distinct),
    Op("argsort", lambda t, x: t.argsort(x), UNARY_SHAPES, domain=distinct, grad=False),
    Op(
        "argsort_desc",
        lambda t, x: x.argsort(0, descending=True),
        ROWS3,
        domain=distinct,
        grad=False,
    ),
    Op("argsort_stable", lambda t, x: t.argsort(x, stable=True), ROWS3, domain=ties, grad=False),
    # -- topk
    Op("topk", lambda t, x: t.topk(x, 2), ROWS3, domain=distinct),
    Op(
        "topk_smallest",
        lambda t, x: x.topk(3, dim=0, largest=False),
        [((4, 5),), ((3, 2, 2),)],
        domain=distinct,
    ),
    Op("topk_all", lambda t, x: t.topk(x, 4, 1), [((3, 4),), ((2, 4, 3),)], domain=distinct),
    Op("topk_zero", lambda t, x: t.topk(x, 0), [((3, 4),), ((0, 3),)], domain=distinct),
    Op("topk_large", lambda t, x: t.topk(x, 3, 0), [((40, 3),)], domain=distinct),
    Op("topk_large_smallest", lambda t, x: x.topk(5, largest=False), [((3, 50),)], domain=distinct),
    Op(
        "topk_nan",
        lambda t, x: x.topk(2),
        [((4, 9),)],
        domain=lambda r, s, d: _nan_rows(r, s, d),
        gradcheck=False,
    ),
    Op("topk_0d", lambda t, x: t.topk(x, 1), [((),)], domain=distinct),
    Op(
        "topk_int",
        lambda t, x: t.topk(x, 2),
        [((3, 4),)],
        grad=False,
        dtypes=INTS,
        inputs={0: lambda rng, s: rng.permutation(12).reshape(s)},
    ),
    # -- median, kthvalue, mode
    Op("median", lambda t, x: t.median(x), NONEMPTY + [((6,),)], domain=distinct),
    Op("median_dim", lambda t, x: x.median(1), ROWS3[:2] + [((0, 4),)], domain=distinct),
    Op("median_keepdim", lambda t, x: t.median(x, -1, keepdim=True), NONEMPTY, domain=distinct),
    Op("median_nan", lambda t, x: t.median(x, 1), [((4, 5),)], domain=with_nans, gradcheck=False),
    Op("median_all_nan", lambda t, x: t.median(x), [((4, 5),)], domain=with_nans, gradcheck=False),
    Op("median_empty", lambda t, x: t.median(x), [((0, 3),)], domain=distinct),
    Op("nanmedian", lambda t, x: t.nanmedian(x, 1), [((4, 5),)], domain=with_nans, gradcheck=False),
    Op(
        "nanmedian_all", lambda t, x: t.nanmedian(x), [((4, 5),)], domain=with_nans, gradcheck=False
    ),
    Op(
        "median_int",
        lambda t, x: t.median(x, 0),
        [((5, 3),)],
        grad=False,
        dtypes=INTS,
        inputs={0: lambda rng, s: rng.permutation(15).reshape(s)},
    ),
    Op("kthvalue", lambda t, x: t.kthvalue(x, 2), ROWS3, domain=distinct),
    Op(
        "kthvalue_dim_keepdim",
        lambda t, x: x.kthvalue(3, 0, keepdim=True),
        [((4, 5),)],
        domain=distinct,
    ),
    Op("kthvalue_0d", lambda t, x: t.kthvalue(x, 1), [((),)], domain=distinct),
    Op(
        "mode",
        lambda t, x: t.mode(x, 1),
        [((4, 6),), ((2, 3, 7),)],
        grad=False,
        dtypes=INTS,
        inputs={0: lambda rng, s: _mode_input(rng, s)},
    ),
    # -- quantile
    Op("quantile", lambda t, x: t.quantile(x, 0.3), NONEMPTY, domain=distinct),
    Op("quantile_dim", lambda t, x: x.quantile(0.75, dim=1), ROWS3[:2], domain=distinct),
    Op(
        "quantile_keepdim", lambda t, x: t.quantile(x, 0.5, 0, keepdim=True), ROWS3, domain=distinct
    ),
    Op(
        "quantile_all_keepdim",
        lambda t, x: t.quantile(x, 0.2, keepdim=True),
        ROWS3[:2],
        domain=distinct,
    ),
    Op(
        "quantile_tensor_q",
        lambda t, x: t.quantile(x, t.tensor([0.0, 0.25, 0.9, 1.0], dtype=x.dtype), dim=-1),
        ROWS3,
        domain=distinct,
    ),
    Op(
        "quantile_tensor_q_keepdim",
        lambda t, x: t.quantile(x, t.tensor([0.1, 0.6], dtype=x.dtype), dim=0, keepdim=True),
        ROWS3[:2],
        domain=distinct,
    ),
    Op(
        "quantile_0d_q",
        lambda t, x: t.quantile(x, t.tensor(0.4, dtype=x.dtype), dim=1),
        ROWS3[:2],
        domain=distinct,
    ),
    *[
        Op(
            f"quantile_{mode}",
            lambda t, x, mode=mode: t.quantile(
                x, t.tensor([0.3, 0.5, 0.7], dtype=x.dtype), 1, interpolation=mode
            ),
            [((3, 5),), ((2, 4),)],
            domain=distinct,
        )
        for mode in ("lower", "higher", "nearest", "midpoint", "linear")
    ],
    Op(
        "quantile_nan",
        lambda t, x: t.quantile(x, 0.5, 1),
        [((4, 5),)],
        domain=with_nans,
        gradcheck=False,
    ),
    Op(
        "nanquantile",
        lambda t, x: t.nanquantile(x, 0.4, 1),
        [((4, 5),)],
        domain=with_nans,
        gradcheck=False,
    ),
    # -- counting and searching (no gradients)
    Op("unique", lambda t, x: t.unique(x), [((3, 4),), ((0,),)], grad=False, dtypes=INTS),
    Op(
        "unique_inverse_counts",
        lambda t, x: t.unique(x, return_inverse=True, return_counts=True),
        [((3, 4),)],
        grad=False,
        dtypes=("int64", "float32"),
    ),
    Op(
        "unique_dim",
        lambda t, x: t.unique(x, dim=0, return_inverse=True),
        [((6, 2),)],
        grad=False,
        dtypes=("int64",),
        inputs={0: lambda rng, s: rng.integers(0, 2, size=s)},
    ),
    Op(
        "unique_consecutive",
        lambda t, x: t.unique_consecutive(x, return_inverse=True, return_counts=True),
        [((10,),)],
        grad=False,
        dtypes=INTS,
        inputs={0: lambda rng, s: rng.integers(0, 3, size=s)},
    ),
    Op(
        "bincount",
        lambda t, x: t.bincount(x, minlength=3),
        [((10,),), ((0,),)],
        grad=False,
        dtypes=INTS,
        inputs={0: lambda rng, s: rng.integers(0, 6, size=s)},
    ),
    Op(
        "bincount_weights",
        lambda t, x, w: t.bincount(x, w),
        [((10,), (10,))],
        grad=False,
        inputs={0: lambda rng, s: rng.integers(0, 6, size=s)},
    ),
    Op(
        "searchsorted",
        lambda t, s, v: t.searchsorted(s, v),
        [((6,), (3, 4)), ((2, 6), (2, 3))],
        grad=False,
        dtypes=("int64",),
        inputs={0: _sorted_ints},
        noncontig=False,  # torch warns about non-contiguous values
    ),
    Op(
        "searchsorted_right",
        lambda t, s, v: t.searchsorted(s, v, right=True),
        [((6,), (3, 4)), ((2, 6), (2, 3))],
        grad=False,
        dtypes=("int64",),
        inputs={0: _sorted_ints},
        noncontig=False,  # torch warns about non-contiguous values
    ),
    Op(
        "bucketize",
        lambda t, v, b: t.bucketize(v, b),
        [((3, 4), (5,))],
        grad=False,
        dtypes=("int64",),
        inputs={1: _sorted_ints},
        noncontig=False,
    ),
]


def _mode_input(rng, shape):
    """Rows with one clear most-frequent value (mode's index among ties is unspecified)."""
    x = rng.permutation(int(np.prod(shape))).reshape(shape) + 10
    flat = x.reshape(-1, shape[-1])
    flat[:, :3] = flat[:, :1]
    return x


def _nan_rows(rng, shape, dtype):
    x = distinct(rng, shape, dtype)
    x[:, 0] = np.nan
    return x
