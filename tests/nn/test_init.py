"""nn.init: distributions and bounds (statistically), exact fills against torch, errors,
generators, and no graph recording."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import ember
import ember.nn as nn
from ember.nn import init


def _np(t):
    return t.detach().numpy().astype(np.float64).ravel()


@pytest.mark.parametrize(
    "args",
    [
        ("linear",),
        ("conv2d",),
        ("conv_transpose3d",),
        ("sigmoid",),
        ("tanh",),
        ("relu",),
        ("leaky_relu",),
        ("leaky_relu", 0.2),
        ("leaky_relu", 1),
        ("selu",),
    ],
)
def test_calculate_gain_matches_torch(torch, args):
    assert init.calculate_gain(*args) == torch.nn.init.calculate_gain(*args)


def test_errors_match_torch(torch):
    def run(lib, fn):
        try:
            fn(lib)
        except ValueError as exc:
            return str(exc)
        return None

    cases = [
        lambda t: t.nn.init.calculate_gain("foo"),
        lambda t: t.nn.init.calculate_gain("leaky_relu", "x"),
        lambda t: t.nn.init.calculate_gain("leaky_relu", True),
        lambda t: t.nn.init.kaiming_uniform_(t.empty(3, 3), mode="x"),
        lambda t: t.nn.init.xavier_uniform_(t.empty(3)),
        lambda t: t.nn.init.eye_(t.empty(3)),
        lambda t: t.nn.init.dirac_(t.empty(3, 3)),
        lambda t: t.nn.init.dirac_(t.empty(3, 3, 3), groups=2),
        lambda t: t.nn.init.orthogonal_(t.empty(3)),
        lambda t: t.nn.init.sparse_(t.empty(3), 0.5),
    ]
    for fn in cases:
        assert run(ember, fn) == run(torch, fn) is not None


def test_uniform_and_normal():
    w = init.uniform_(ember.empty(200, 300), -2.0, 3.0)
    v = _np(w)
    assert v.min() >= -2 and v.max() < 3 and abs(v.mean() - 0.5) < 0.05
    w = init.normal_(ember.empty(200, 300), 1.5, 0.5)
    v = _np(w)
    assert abs(v.mean() - 1.5) < 0.01 and abs(v.std() - 0.5) < 0.01


def test_fills_do_not_record_on_parameters():
    p = nn.Parameter(ember.empty(3, 4))
    for fn in (init.zeros_, init.ones_, init.eye_, init.xavier_uniform_, init.kaiming_normal_):
        out = fn(p)
        assert out is p and p.grad_fn is None and p.requires_grad
    init.constant_(p, 0.25)
    assert (p == 0.25).all()
    init.ones_(p)
    assert (p == 1).all()
    init.zeros_(p)
    assert not p.any()


def test_eye_and_dirac_match_torch(torch):
    for shape in [(3, 5), (4, 2)]:
        np.testing.assert_array_equal(
            init.eye_(ember.empty(*shape)).numpy(), torch.nn.init.eye_(torch.empty(*shape)).numpy()
        )
    for shape, groups in [((4, 2, 3), 1), ((6, 3, 3, 3), 2), ((2, 2, 1, 3, 3), 1), ((4, 4, 3), 4)]:
        e = init.dirac_(ember.empty(*shape), groups)
        t = torch.nn.init.dirac_(torch.empty(*shape), groups)
        np.testing.assert_array_equal(e.numpy(), t.numpy())


def _uniform_bound_check(v, bound):
    assert v.min() >= -bound and v.max() <= bound
    assert v.max() > 0.97 * bound and v.min() < -0.97 * bound
    assert abs(v.var() / (bound**2 / 3) - 1) < 0.05


@pytest.mark.parametrize("shape", [(256, 128), (64, 16, 3, 3)])
def test_xavier(shape):
    fan_in = shape[1] * int(np.prod(shape[2:]))
    fan_out = shape[0] * int(np.prod(shape[2:]))
    std = 2.0 * math.sqrt(2.0 / (fan_in + fan_out))
    _uniform_bound_check(
        _np(init.xavier_uniform_(ember.empty(*shape), gain=2.0)), math.sqrt(3) * std
    )
    v = _np(init.xavier_normal_(ember.empty(*shape), gain=2.0))
    assert abs(v.std() / std - 1) < 0.03 and abs(v.mean()) < 0.05 * std


@pytest.mark.parametrize(
    "a,mode,nonlinearity",
    [(0, "fan_in", "leaky_relu"), (math.sqrt(5), "fan_in", "leaky_relu"), (0, "fan_out", "relu"),
     (0.1, "FAN_OUT", "tanh")],
)  # fmt: skip
def test_kaiming(torch, a, mode, nonlinearity):
    shape = (96, 48, 3)
    fan = 48 * 3 if mode.lower() == "fan_in" else 96 * 3
    std = torch.nn.init.calculate_gain(nonlinearity, a) / math.sqrt(fan)
    v = _np(init.kaiming_uniform_(ember.empty(*shape), a, mode, nonlinearity))
    _uniform_bound_check(v, math.sqrt(3) * std)
    vt = torch.nn.init.kaiming_uniform_(torch.empty(*shape), a, mode, nonlinearity).numpy()
    _uniform_bound_check(vt.astype(np.float64).ravel(), math.sqrt(3) * std)
    v = _np(init.kaiming_normal_(ember.empty(*shape), a, mode, nonlinearity))
    assert abs(v.std() / std - 1) < 0.03


def test_kaiming_zero_element_warns_like_torch(torch):
    for lib in (ember, torch):
        with pytest.warns(UserWarning, match="Initializing zero-element tensors is a no-op"):
            out = lib.nn.init.kaiming_uniform_(lib.empty(0, 3))
        assert tuple(out.shape) == (0, 3)


def _truncated_moments(mean, std, a, b):
    """Mean and standard deviation of N(mean, std^2) truncated to [a, b]."""

    def pdf(z):
        return math.exp(-z * z / 2) / math.sqrt(2 * math.pi)

    def cdf(z):
        return (1 + math.erf(z / math.sqrt(2))) / 2

    lo, hi = (a - mean) / std, (b - mean) / std
    z = cdf(hi) - cdf(lo)
    shift = (pdf(lo) - pdf(hi)) / z
    var = 1 + (lo * pdf(lo) - hi * pdf(hi)) / z - shift**2
    return mean + std * shift, std * math.sqrt(var)


def test_trunc_normal_follows_the_truncated_law_as_torch(torch):
    n = 200 * 200
    for mean, std, a, b in [(0.0, 1.0, -2.0, 2.0), (0.5, 0.2, 0.0, 0.6), (0.0, 0.02, -0.04, 0.04)]:
        mu, sigma = _truncated_moments(mean, std, a, b)
        e = _np(init.trunc_normal_(ember.empty(200, 200), mean, std, a, b))
        t = torch.nn.init.trunc_normal_(torch.empty(200, 200), mean, std, a, b).numpy()
        for v in (e, t.astype(np.float64).ravel()):
            assert v.min() >= a and v.max() <= b
            assert abs(v.mean() - mu) < 5 * sigma / math.sqrt(n)
            assert abs(v.std() / sigma - 1) < 0.02
    with pytest.warns(UserWarning, match="mean is more than 2 std from"):
        init.trunc_normal_(ember.empty(3), mean=5.0)


@pytest.mark.parametrize("shape", [(6, 4), (4, 6), (5, 2, 3)])
def test_orthogonal(shape):
    w = init.orthogonal_(ember.empty(*shape, dtype=ember.float64), gain=2.0).numpy()
    flat = w.reshape(shape[0], -1)
    rows, cols = flat.shape
    gram = flat @ flat.T if rows <= cols else flat.T @ flat
    np.testing.assert_allclose(gram, 4.0 * np.eye(min(rows, cols)), atol=1e-10)


def test_sparse_zeroes_per_column():
    w = init.sparse_(ember.empty(10, 30), sparsity=0.25, std=0.5).numpy()
    zeros_per_column = (w == 0).sum(axis=0)
    assert (zeros_per_column == math.ceil(0.25 * 10)).all()
    nonzero = w[w != 0]
    assert abs(nonzero.std() - 0.5) < 0.1


@pytest.mark.parametrize(
    "fn",
    [
        lambda t, g: init.uniform_(t, generator=g),
        lambda t, g: init.normal_(t, generator=g),
        lambda t, g: init.trunc_normal_(t, generator=g),
        lambda t, g: init.xavier_uniform_(t, generator=g),
        lambda t, g: init.xavier_normal_(t, generator=g),
        lambda t, g: init.kaiming_uniform_(t, generator=g),
        lambda t, g: init.kaiming_normal_(t, generator=g),
        lambda t, g: init.orthogonal_(t, generator=g),
        lambda t, g: init.sparse_(t, 0.3, generator=g),
    ],
)
def test_generator_makes_fills_reproducible(fn):
    a = fn(ember.empty(5, 4), ember.Generator().manual_seed(7)).numpy()
    b = fn(ember.empty(5, 4), ember.Generator().manual_seed(7)).numpy()
    c = fn(ember.empty(5, 4), ember.Generator().manual_seed(8)).numpy()
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_manual_seed_reproduces_default_init():
    ember.manual_seed(0)
    a = nn.Linear(4, 3).weight.detach().numpy()
    ember.manual_seed(0)
    b = nn.Linear(4, 3).weight.detach().numpy()
    np.testing.assert_array_equal(a, b)


def test_init_keeps_dtype():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        w = init.kaiming_uniform_(ember.empty(3, 4, dtype=ember.float64))
    assert w.dtype == ember.float64
