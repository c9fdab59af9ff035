"""Array kernels with fast paths that must give exactly what their plain NumPy forms give."""

from __future__ import annotations

import numpy as np
import pytest

from ember.backend import (
    broadcast_to,
    clamp_array,
    fill_where,
    reduce_keepdims,
    sum_to_shape_array,
)


@pytest.mark.parametrize(
    "dtype", [np.float16, np.float32, np.float64, np.int8, np.int32, np.int64, np.uint8]
)
def test_fill_where_is_bitwise_numpy_where(dtype):
    rng = np.random.default_rng(0)
    a = (rng.standard_normal((64, 70)) * 50).astype(dtype)  # past the small-array cut-off
    if a.dtype.kind == "f":
        a[0, :4] = [np.nan, -np.inf, np.inf, -0.0]
    mask = rng.random(a.shape) > 0.5
    mask[0, :4] = False  # the special values are kept, bit for bit
    values = [0, 3, -2.5, -0.0, np.nan] if a.dtype.kind == "f" else [0, 3, 7]
    for v in values:
        for m, x in ((mask, a), (mask.T, a.T)):  # contiguous and transposed
            got = fill_where(m, v, x)
            want = np.where(m, np.asarray(v, dtype=dtype), x)
            assert got.dtype == want.dtype and got.shape == want.shape
            got, want = np.ascontiguousarray(got), np.ascontiguousarray(want)
            assert np.array_equal(got.view(np.uint8), want.view(np.uint8))


def test_broadcast_to_is_a_read_only_broadcast():
    a = np.arange(6.0).reshape(2, 1, 3)
    for shape in [(2, 4, 3), (5, 2, 4, 3), (2, 1, 3)]:
        v = broadcast_to(a, shape)
        np.testing.assert_array_equal(v, np.broadcast_to(a, shape))
        assert not v.flags.writeable
    v = broadcast_to(a.transpose(2, 1, 0), (4, 3, 1, 2))  # not contiguous: NumPy's own
    np.testing.assert_array_equal(v, np.broadcast_to(a.transpose(2, 1, 0), (4, 3, 1, 2)))


def test_fill_where_broadcast_mask_and_bool_arrays_fall_back():
    a = np.arange(6.0).reshape(2, 3)
    m = np.array([True, False, True])
    np.testing.assert_array_equal(fill_where(m, -1.0, a), [[-1, 1, -1], [-1, 4, -1]])
    b = np.array([True, False])
    np.testing.assert_array_equal(fill_where(np.array([False, True]), True, b), [True, True])


@pytest.mark.parametrize(
    "shape,axis", [((512, 3), 1), ((300, 5, 2), 1), ((4, 200, 7), -1), ((2, 9), 1)]
)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_reduce_keepdims_matches_the_reduction(shape, axis, dtype):
    rng = np.random.default_rng(0)
    a = rng.standard_normal(shape).astype(dtype)
    a.flat[::97] = np.nan
    for ufunc in (np.maximum, np.add):
        got = reduce_keepdims(ufunc, a, axis)
        want = ufunc.reduce(a, axis=axis, keepdims=True)
        assert got.shape == want.shape and got.dtype == want.dtype
        np.testing.assert_allclose(got, want, rtol=1e-6 if dtype == np.float32 else 1e-14)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64, np.int8, np.int64, np.uint8])
def test_clamp_array_is_bitwise_torchs_clamp(dtype):
    # torch's rule, element by element: below lo gives lo, above hi gives hi, else x itself
    # (so NaN and -0.0 pass); NumPy's maximum with 0 would turn -0.0 into 0.0
    rng = np.random.default_rng(1)
    a = (rng.standard_normal((33, 7)) * 50).astype(dtype)
    if a.dtype.kind == "f":
        a[0, :5] = [np.nan, -np.nan, -np.inf, np.inf, -0.0]
        bounds = [(0, None), (-0.0, None), (None, 0.0), (-2.5, 3.5), (1.0, -1.0)]
    else:
        bounds = [(0, None), (None, 5), (2, 40), (7, 3)]
    for lo, hi in bounds:
        for x in (a, a.T, a[::2]):  # contiguous, transposed, strided
            want = x
            if lo is not None:
                want = np.where(want < lo, np.asarray(lo, dtype=dtype), want)
            if hi is not None:
                want = np.where(want > hi, np.asarray(hi, dtype=dtype), want)
            got = clamp_array(x, lo, hi)
            assert got.dtype == want.dtype and got.shape == want.shape
            got, want = np.ascontiguousarray(got), np.ascontiguousarray(want)
            assert np.array_equal(got.view(np.uint8), want.view(np.uint8)), (lo, hi)
    if a.dtype.kind == "f":  # a NaN bound gives NaN everywhere, as in torch
        assert np.isnan(clamp_array(a, np.nan)).all()


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64, np.int64])
@pytest.mark.parametrize(
    "shape, to",
    [
        ((512, 50), (50,)),  # a bias gradient: the BLAS row of ones
        ((512, 50), (1, 50)),
        ((4, 5, 6), (6,)),
        ((4, 5, 6), (1, 1, 6)),
        ((4, 5, 6), (5, 1)),  # leading and trailing axes: two products with ones
        ((8, 16, 7, 7), (16, 1, 1)),  # a convolution's bias gradient
        ((8, 16, 7, 7), (1, 16, 1, 1)),
        ((4, 5, 6), (4, 1, 1)),  # trailing axes only
        ((4, 5, 6, 7), (5, 1, 7)),  # axes 0 and 2: NumPy's reduction
        ((4, 0, 6), (1, 0, 1)),
        ((3, 4), ()),
        ((0, 5), (5,)),
        ((5, 3), (5, 3)),
    ],
)
def test_sum_to_shape_array_matches_the_reduction(dtype, shape, to):
    rng = np.random.default_rng(2)
    a = (rng.standard_normal(shape) * 10).astype(dtype)
    lead = a.ndim - len(to)
    dims = tuple(range(lead)) + tuple(
        lead + i for i, s in enumerate(to) if s == 1 and shape[lead + i] != 1
    )
    want = a.sum(axis=dims, keepdims=True).reshape(to)
    before = a.copy()
    got = sum_to_shape_array(a, to)
    assert got.dtype == a.dtype and got.shape == to
    tol = 1e-2 if dtype == np.float16 else 1e-5
    np.testing.assert_allclose(got, want, rtol=tol, atol=tol * 10)
    got[...] = 7  # a new, writable array: the input is untouched
    np.testing.assert_array_equal(a, before)
