"""Known-value tests of the erf, erfc and erfinv kernels (ember.ops.special); no torch needed.

The references are Python's math.erf/math.erfc and values computed to 30 digits with mpmath
(written out below).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import ember
from ember.ops import special

TINY = np.finfo(np.float64).tiny


def _points():
    rng = np.random.default_rng(2)
    return np.concatenate(
        [
            rng.uniform(-6.0, 6.0, 20000),
            rng.uniform(-27.0, 27.0, 4000),
            np.geomspace(1e-300, 1.0, 500),
            -np.geomspace(1e-300, 1.0, 500),
            # the joins of the three ranges
            np.linspace(0.49, 0.51, 201),
            np.linspace(3.99, 4.01, 201),
            -np.linspace(3.99, 4.01, 201),
        ]
    )


def _max_rel(actual, expected):
    keep = np.abs(expected) >= TINY  # subnormal results carry fewer digits
    return float(np.max(np.abs(actual[keep] - expected[keep]) / np.abs(expected[keep])))


def test_erf_matches_math_erf_to_a_few_ulp():
    x = _points()
    expected = np.array([math.erf(v) for v in x])
    assert _max_rel(special.erf(x), expected) < 2e-15


def test_erfc_matches_math_erfc_relative_in_the_tails():
    x = _points()
    expected = np.array([math.erfc(v) for v in x])
    assert _max_rel(special.erfc(x), expected) < 2e-15


@pytest.mark.parametrize(
    "x,erf,erfc",
    [
        (0.1, 0.1124629160182849, 0.8875370839817152),
        (1.5, 0.9661051464753108, 0.033894853524689274),
        (3.7, 0.9999998328489421, 1.671510579091462e-07),
        (5.0, 0.9999999999984626, 1.537459794428035e-12),
        (10.0, 1.0, 2.088487583762545e-45),
        (26.0, 1.0, 5.663192408856143e-296),
    ],
)
def test_erf_erfc_known_values(x, erf, erfc):
    a = np.array([x, -x])
    np.testing.assert_allclose(special.erf(a), [erf, -erf], rtol=2e-15, atol=0)
    np.testing.assert_allclose(special.erfc(a), [erfc, 2.0 - erfc], rtol=2e-15, atol=0)


def test_erf_erfc_special_values():
    x = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1e300, -1e300, 5e-324])
    e = special.erf(x)
    np.testing.assert_array_equal(e[:4], [0.0, -0.0, 1.0, -1.0])
    assert np.signbit(e[1]) and not np.signbit(e[0])
    assert np.isnan(e[4])
    np.testing.assert_array_equal(e[5:7], [1.0, -1.0])
    assert e[7] >= 0
    c = special.erfc(x)
    np.testing.assert_array_equal(c[[0, 1, 2, 3, 5, 6]], [1.0, 1.0, 0.0, 2.0, 0.0, 2.0])
    assert np.isnan(c[4])


@pytest.mark.parametrize("dtype", [np.float32, np.float16])
def test_erf_erfc_keep_low_precision_dtypes(dtype):
    x = np.linspace(-5.0, 5.0, 2001).astype(dtype)
    e, c = special.erf(x), special.erfc(x)
    assert e.dtype == dtype and c.dtype == dtype
    ref_e = np.array([math.erf(float(v)) for v in x])
    ref_c = np.array([math.erfc(float(v)) for v in x])
    info = np.finfo(dtype)
    eps, step = float(info.eps), float(info.smallest_subnormal)
    np.testing.assert_allclose(e.astype(np.float64), ref_e, rtol=2 * eps, atol=eps / 4)
    np.testing.assert_allclose(c.astype(np.float64), ref_c, rtol=4 * eps, atol=step)


def test_erfc_float32_tail_is_relative():
    x = np.linspace(1.0, 9.0, 801).astype(np.float32)
    ref = np.array([math.erfc(float(v)) for v in x])
    assert _max_rel(special.erfc(x).astype(np.float64), ref) < 1e-6


@pytest.mark.parametrize(
    "y,x",
    [
        (0.5, 0.4769362762044699),
        (0.9, 1.163087153676674),
        (0.999, 2.3267537655135246),
        (-0.3, -0.2724627147267544),
        (1e-10, 8.86226925452758e-11),
        (1.0 - 2.0**-52, 5.805018683193453),
        (1.0 - 2.0**-53, 5.8635847487551676),
    ],
)
def test_erfinv_known_values(y, x):
    out = special.erfinv(np.array([y, -y]))
    np.testing.assert_allclose(out, [x, -x], rtol=2e-15, atol=0)


def test_erfinv_inverts_erf():
    rng = np.random.default_rng(3)
    y = np.concatenate([rng.uniform(-0.99, 0.99, 5000), np.geomspace(1e-300, 0.5, 300)])
    x = special.erfinv(y)
    back = np.array([math.erf(v) for v in x])
    # erf's rounding near |y| = 1 is amplified by 1 / (1 - |y|) when measured in x
    allowed = 1e-15 + 4e-16 / (1 - np.abs(y))
    assert np.all(np.abs(back - y) <= allowed * np.abs(y))


def test_erfinv_next_to_one_keeps_the_tail():
    """erfc(erfinv(1 - q)) = q, relatively, for q down to the spacing of doubles below 1."""
    q = np.concatenate([2.0 ** -np.arange(2, 54), np.geomspace(1e-15, 0.4, 200)])
    y = 1.0 - q
    x = special.erfinv(y)
    back = np.array([math.erfc(v) for v in x])
    # erfc's relative sensitivity to x is about 2x, so a 1-ulp x moves it by ~2x^2 eps
    np.testing.assert_allclose(back, 1.0 - y, rtol=3e-14, atol=0)
    np.testing.assert_allclose(special.erfinv(-y), -x, rtol=0, atol=0)


def test_erfinv_special_values():
    y = np.array([1.0, -1.0, 1.5, -2.0, np.nan, 0.0, -0.0, np.inf])
    out = special.erfinv(y)
    np.testing.assert_array_equal(out[:2], [np.inf, -np.inf])
    assert np.isnan(out[2:5]).all() and np.isnan(out[7])
    np.testing.assert_array_equal(out[5:7], [0.0, -0.0])
    assert np.signbit(out[6])


@pytest.mark.parametrize("dtype", [np.float32, np.float16])
def test_erfinv_low_precision(dtype):
    y = np.linspace(-0.999, 0.999, 999).astype(dtype)
    out = special.erfinv(y)
    assert out.dtype == dtype
    back = np.array([math.erf(float(v)) for v in out])
    eps = float(np.finfo(dtype).eps)
    np.testing.assert_allclose(back, y.astype(np.float64), rtol=0, atol=2 * eps)


def test_tensor_ops_use_the_kernels():
    x = ember.tensor([-2.0, 0.25, 3.0], dtype=ember.float64)
    np.testing.assert_allclose(
        ember.erf(x).numpy(), [math.erf(v) for v in (-2.0, 0.25, 3.0)], rtol=1e-15
    )
    np.testing.assert_allclose(
        ember.erfc(x).numpy(), [math.erfc(v) for v in (-2.0, 0.25, 3.0)], rtol=1e-15
    )
    z = ember.tensor([-1.0, 0.25, 0.8], dtype=ember.float64)
    np.testing.assert_allclose(ember.erfinv(ember.erf(z)).numpy(), z.numpy(), rtol=1e-14)


@pytest.mark.parametrize("shape", [(), (0,), (2, 3)])
def test_kernels_keep_shapes(shape):
    x = np.full(shape, 0.3)
    for fn in (special.erf, special.erfc, special.erfinv):
        out = fn(x)
        assert isinstance(out, np.ndarray) and out.shape == shape
    transposed = np.arange(6.0).reshape(2, 3).T / 10
    np.testing.assert_allclose(
        special.erf(transposed), [[math.erf(v) for v in row] for row in transposed], rtol=2e-15
    )


def test_kernels_emit_no_floating_point_warnings():
    x = np.array([0.0, 1e-320, 1e308, -1e308, np.inf, -np.inf, np.nan, 40.0, 41.0])
    with np.errstate(divide="raise", over="raise", invalid="raise"):
        special.erf(x)
        special.erfc(x)
        special.erfinv(np.array([1.0, -1.0, 2.0, np.nan, 0.0, 1e-320, 1 - 2.0**-53]))
