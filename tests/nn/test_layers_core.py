"""Parity of the core layers with torch: build the torch module, copy its state_dict into
the ember module, compare outputs, input gradients and every parameter's gradient (float32
and float64; train and eval where they differ), reprs and state_dict keys. Plus the
behaviour torch leaves random: dropout masks and default initialisation (statistically)."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import ember
import ember.nn as nn
import ember.nn.functional as F

from ..conftest import assert_close


def _copy_state(torch_module, ember_module):
    state = {
        k: ember.from_numpy(v.detach().numpy().copy()) for k, v in torch_module.state_dict().items()
    }
    ember_module.load_state_dict(state)


def _parity(torch, make, shapes, dtype, *, int_inputs=None, train=False, rtol=1e-5, atol=1e-6):
    """Run ``make(lib)`` in both libraries on the same inputs and compare everything."""
    int_inputs = int_inputs or {}
    tdt = getattr(torch, dtype)
    edt = getattr(ember, dtype)
    mt = make(torch).to(tdt)
    me = make(ember).to(edt)
    mt.train(train)
    me.train(train)
    assert repr(me).replace("ember.", "torch.") == repr(mt)
    assert list(me.state_dict()) == list(mt.state_dict())
    _copy_state(mt, me)
    rng = np.random.default_rng(0)
    arrays = []
    for i, shape in enumerate(shapes):
        if i in int_inputs:
            arrays.append(int_inputs[i](rng, shape))
        else:
            arrays.append(rng.standard_normal(shape).astype(dtype))
    xt = [torch.from_numpy(a.copy()) for a in arrays]
    xe = [ember.from_numpy(a.copy()) for a in arrays]
    for i, (a, b) in enumerate(zip(xt, xe)):
        if i not in int_inputs:
            a.requires_grad_(True)
            b.requires_grad_(True)
    yt = mt(*xt)
    ye = me(*xe)
    assert tuple(ye.shape) == tuple(yt.shape)
    assert str(ye.dtype).split(".")[-1] == str(yt.dtype).split(".")[-1]
    assert_close(ye.detach(), yt, rtol, atol, "output")
    w = rng.standard_normal(tuple(yt.shape)).astype(dtype)
    (yt * torch.from_numpy(w.copy())).sum().backward()
    (ye * ember.from_numpy(w.copy())).sum().backward()
    for i, (a, b) in enumerate(zip(xt, xe)):
        if i not in int_inputs:
            assert_close(b.grad, a.grad, rtol * 10, atol * 10, f"grad of input {i}")
    pt = dict(mt.named_parameters())
    pe = dict(me.named_parameters())
    assert list(pe) == list(pt)
    for name in pt:
        if pt[name].grad is None:
            assert pe[name].grad is None, name
            continue
        assert_close(pe[name].grad, pt[name].grad, rtol * 10, atol * 10, f"grad of {name}")
    for name, value in mt.state_dict().items():
        assert_close(me.state_dict()[name], value, rtol, atol, f"state {name} after forward")
    return me, mt


def _tokens(high):
    def draw(rng, shape):
        return rng.integers(0, high, size=shape).astype(np.int64)

    return draw


CASES = {
    "linear": (lambda t: t.nn.Linear(5, 3), [(4, 5)], {}),
    "linear_nobias": (lambda t: t.nn.Linear(5, 3, bias=False), [(4, 5)], {}),
    "linear_3d": (lambda t: t.nn.Linear(5, 3), [(2, 4, 5)], {}),
    "linear_1d": (lambda t: t.nn.Linear(5, 3), [(5,)], {}),
    "linear_empty_batch": (lambda t: t.nn.Linear(5, 3), [(0, 5)], {}),
    "bilinear": (lambda t: t.nn.Bilinear(4, 5, 3), [(6, 4), (6, 5)], {}),
    "bilinear_3d_nobias": (
        lambda t: t.nn.Bilinear(4, 5, 3, bias=False),
        [(2, 6, 4), (2, 6, 5)],
        {},
    ),
    "identity": (lambda t: t.nn.Identity(3, unused=1), [(2, 3)], {}),
    "flatten": (lambda t: t.nn.Flatten(), [(2, 3, 4, 5)], {}),
    "flatten_0_1": (lambda t: t.nn.Flatten(0, 1), [(2, 3, 4)], {}),
    "unflatten": (lambda t: t.nn.Unflatten(1, (2, 3)), [(4, 6, 2)], {}),
    "embedding": (lambda t: t.nn.Embedding(10, 4), [(3, 5)], {0: _tokens(10)}),
    "embedding_padding": (
        lambda t: t.nn.Embedding(10, 4, padding_idx=2),
        [(3, 5)],
        {0: _tokens(4)},
    ),
    "embedding_padding_neg": (
        lambda t: t.nn.Embedding(10, 4, padding_idx=-1),
        [(7,)],
        {0: _tokens(10)},
    ),
    "embedding_freq": (
        lambda t: t.nn.Embedding(10, 4, scale_grad_by_freq=True),
        [(4, 6)],
        {0: _tokens(5)},
    ),
    "embedding_max_norm": (
        lambda t: t.nn.Embedding(10, 4, max_norm=1.0, norm_type=1.0),
        [(2, 3)],
        {0: _tokens(10)},
    ),
    "sequential_mlp": (
        lambda t: t.nn.Sequential(t.nn.Linear(6, 8), t.nn.Dropout(0.3), t.nn.Linear(8, 2)),
        [(5, 6)],
        {},
    ),
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", list(CASES))
def test_layer_parity(torch, case, dtype):
    make, shapes, ints = CASES[case]
    _parity(torch, make, shapes, dtype, int_inputs=ints)


DROPOUT_EVAL = {
    "dropout": (lambda t: t.nn.Dropout(0.5), (2, 3, 4, 5)),
    "dropout1d": (lambda t: t.nn.Dropout1d(0.5), (2, 3, 4)),
    "dropout2d": (lambda t: t.nn.Dropout2d(0.5), (2, 3, 4, 5)),
    "dropout3d": (lambda t: t.nn.Dropout3d(0.5), (2, 3, 4, 5, 2)),
    "alpha": (lambda t: t.nn.AlphaDropout(0.5), (2, 3, 4, 5)),
    "feature_alpha": (lambda t: t.nn.FeatureAlphaDropout(0.5), (2, 3, 4, 5)),
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", list(DROPOUT_EVAL))
def test_dropout_layers_are_identity_in_eval(torch, case, dtype):
    make, shape = DROPOUT_EVAL[case]
    me, _ = _parity(torch, make, [shape], dtype, train=False)
    x = ember.randn(*shape)
    assert me(x) is x
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # dropout2d warns about 3-D input, as torch does
        assert (me(x[0]) == x[0]).all()


def test_dropout_p0_train_is_exact(torch):
    _parity(torch, lambda t: t.nn.Dropout(0.0), [(4, 5)], "float32", train=True)


def test_dropout_reprs(torch):
    for name in ["Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout"]:
        e = getattr(nn, name)(0.25, inplace=True)
        t = getattr(torch.nn, name)(0.25, inplace=True)
        assert repr(e) == repr(t)
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1"):
        nn.Dropout(1.5)


# -- dropout in training mode (random) ------------------------------------------------------------
@pytest.mark.parametrize("p", [0.2, 0.5, 0.8])
def test_dropout_train_statistics_and_gradient(p):
    ember.manual_seed(1)
    x = ember.ones(200, 500, requires_grad=True)
    layer = nn.Dropout(p)
    y = layer(x)
    assert type(y.grad_fn).__name__ == "MulBackward0"
    out = y.detach().numpy()
    kept = out != 0
    assert abs(1 - kept.mean() - p) < 0.01
    np.testing.assert_allclose(out[kept], 1 / (1 - p), rtol=1e-6)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), out)  # d(sum)/dx is the scaled mask


def test_dropout_follows_train_and_eval():
    layer = nn.Dropout(0.5)
    x = ember.ones(1000)
    assert (layer(x) == 0).any()
    layer.eval()
    assert layer(x) is x
    layer.train()
    assert (layer(x) == 0).any()


def test_functional_dropout_training_flag_as_in_the_seed():
    x = ember.randn(3, 3)
    assert F.dropout(x, p=0.5, training=False) is x
    y = F.dropout(x, p=0.5, training=True)
    assert y is not x
    nz = y.numpy() != 0
    np.testing.assert_allclose(y.numpy()[nz], 2 * x.numpy()[nz], rtol=1e-6)
    assert (F.dropout(x, p=1.0) == 0).all()
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1, but got"):
        F.dropout(x, p=-0.1)


def test_dropout_inplace_and_generator():
    x = ember.ones(100)
    y = F.dropout(x, 0.5, inplace=True)
    assert y is x and (x == 0).any() and x._version == 1
    g1 = ember.Generator().manual_seed(3)
    g2 = ember.Generator().manual_seed(3)
    a = F.dropout(ember.ones(50), 0.5, generator=g1)
    b = F.dropout(ember.ones(50), 0.5, generator=g2)
    np.testing.assert_array_equal(a.numpy(), b.numpy())


@pytest.mark.parametrize("fn,shape", [("dropout1d", (4, 6, 50)), ("dropout2d", (4, 6, 5, 5))])
def test_channel_dropout_zeroes_whole_channels(fn, shape):
    ember.manual_seed(0)
    y = getattr(F, fn)(ember.ones(*shape), 0.5).numpy()
    per_channel = y.reshape(shape[0], shape[1], -1)
    for n in range(shape[0]):
        for c in range(shape[1]):
            values = np.unique(per_channel[n, c])
            assert len(values) == 1 and values[0] in (0.0, 2.0)


def test_dropout2d_warnings_match_torch(torch):
    def run(lib, shape):
        with warnings.catch_warnings(record=True) as rec:
            warnings.simplefilter("always")
            try:
                lib.nn.functional.dropout2d(lib.ones(*shape), 0.5)
            except RuntimeError as exc:
                return [str(w.message) for w in rec], str(exc)
        return [str(w.message) for w in rec], None

    for shape in [(3,), (3, 4), (3, 4, 5), (2, 3, 4, 5)]:
        assert run(ember, shape) == run(torch, shape), shape
    with pytest.raises(RuntimeError, match="dropout1d: Expected 2D or 3D input"):
        F.dropout1d(ember.ones(3), 0.5)


def test_alpha_dropout_keeps_moments():
    ember.manual_seed(0)
    x = ember.randn(400, 500)
    y = F.alpha_dropout(x, 0.3, training=True).numpy()
    assert abs(y.mean()) < 0.02
    assert abs(y.std() - 1) < 0.02
    saturated = (1 - 0.3) ** -0.5 * (1 + 0.3 * 1.7580993408473766**2) ** -0.5
    a = saturated
    dropped_value = -a * 1.7580993408473766 + a * 1.7580993408473766 * 0.3
    assert np.isclose(y, dropped_value, atol=1e-5).mean() == pytest.approx(0.3, abs=0.01)


# -- functional forms -----------------------------------------------------------------------------
def test_linear_grad_fn_names_match_torch(torch):
    for shape in [(4,), (2, 4), (5, 2, 4)]:
        for bias in (True, False):
            names = []
            for lib in (ember, torch):
                w = lib.randn(3, 4, requires_grad=True)
                b = lib.randn(3, requires_grad=True) if bias else None
                names.append(
                    type(lib.nn.functional.linear(lib.randn(*shape), w, b).grad_fn).__name__
                )
            assert names[0] == names[1], (shape, bias)


def test_linear_does_not_copy_the_weight():
    w = ember.randn(3, 4)
    before = w._data.__array_interface__["data"][0]
    F.linear(ember.randn(2, 4), w)
    assert w._data.__array_interface__["data"][0] == before
    assert w._data.flags.c_contiguous


@pytest.mark.parametrize(
    "case",
    ["shape", "bias", "dtype", "batched_shape", "vector"],
)
def test_linear_errors_match_torch(torch, case):
    def run(lib):
        w = lib.randn(3, 4)
        b = lib.randn(3)
        args = {
            "shape": (lib.randn(2, 5), w, b),
            "bias": (lib.randn(2, 4), w, lib.randn(2)),
            "dtype": (lib.randn(2, 4).double(), w, b),
            "batched_shape": (lib.randn(7, 2, 5), w, b),
            "vector": (lib.randn(5), w, b),
        }[case]
        try:
            lib.nn.functional.linear(*args)
        except RuntimeError as exc:
            return str(exc)
        return None

    assert run(ember) == run(torch) is not None


@pytest.mark.parametrize(
    "shapes",
    [((2, 3), (3, 4), (5, 3, 4)), ((2, 3), (2, 5), (5, 3, 4)), ((2, 3, 1), (2, 4), (5, 3, 4))],
)
def test_bilinear_errors_match_torch(torch, shapes):
    def run(lib):
        a, b, w = (lib.randn(*s) for s in shapes)
        try:
            lib.nn.functional.bilinear(a, b, w, lib.randn(5))
        except RuntimeError as exc:
            return str(exc)
        return None

    assert run(ember) == run(torch) is not None


def test_embedding_errors_match_torch(torch):
    def run(lib, fn):
        try:
            fn(lib)
        except Exception as exc:  # noqa: BLE001
            return type(exc).__name__, str(exc).replace("ember.", "torch.")
        return None

    cases = [
        lambda t: t.nn.functional.embedding(t.tensor([10]), t.randn(10, 3)),
        lambda t: t.nn.functional.embedding(t.tensor([1.0]), t.randn(10, 3)),
        lambda t: t.nn.functional.embedding(t.tensor([1]), t.randn(10, 3), padding_idx=10),
        lambda t: t.nn.Embedding(4, 2, padding_idx=-5),
        lambda t: t.nn.functional.one_hot(t.tensor([0.0, 2.0])),
        lambda t: t.nn.functional.one_hot(t.tensor([0, 5]), 3),
        lambda t: t.nn.functional.one_hot(t.tensor([0, -1]), 3),
        lambda t: t.nn.functional.one_hot(t.tensor([], dtype=t.int64)),
    ]
    for fn in cases:
        assert run(ember, fn) == run(torch, fn) is not None


def test_one_hot_matches_torch(torch):
    idx = np.array([[0, 3], [2, 1]])
    for n in (-1, 6):
        e = F.one_hot(ember.from_numpy(idx), n)
        t = torch.nn.functional.one_hot(torch.from_numpy(idx), n)
        assert e.dtype == ember.int64
        np.testing.assert_array_equal(e.numpy(), t.numpy())


def test_embedding_reprs_and_from_pretrained(torch):
    for kwargs in [
        {},
        {"padding_idx": 1},
        {"padding_idx": -1, "max_norm": 1},
        {"max_norm": 1, "norm_type": 1.0, "scale_grad_by_freq": True},
    ]:
        assert repr(nn.Embedding(4, 2, **kwargs)) == repr(torch.nn.Embedding(4, 2, **kwargs))
    weights = np.arange(6, dtype=np.float32).reshape(3, 2)
    e = nn.Embedding.from_pretrained(ember.from_numpy(weights))
    t = torch.nn.Embedding.from_pretrained(torch.from_numpy(weights))
    assert repr(e) == repr(t)
    assert e.weight.requires_grad is t.weight.requires_grad is False
    out = e(ember.tensor([2, 0]))
    np.testing.assert_array_equal(out.numpy(), weights[[2, 0]])


def test_embedding_double_backward_matches_torch(torch):
    rng = np.random.default_rng(0)
    w0 = rng.standard_normal((6, 3))
    c = rng.standard_normal((2, 2, 3))
    v = rng.standard_normal((6, 3))
    idx = np.array([[1, 2], [2, 5]])

    def run(lib):
        w = lib.from_numpy(w0.copy()).requires_grad_(True)
        out = lib.nn.functional.embedding(lib.from_numpy(idx), w, padding_idx=5)
        f = (out**2 * lib.from_numpy(c)).sum()
        (g,) = lib.autograd.grad(f, (w,), create_graph=True)
        (h,) = lib.autograd.grad((g * lib.from_numpy(v)).sum(), (w,))
        return g.detach().numpy(), h.numpy()

    for a, b in zip(run(ember), run(torch)):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


# -- default initialisation (statistics) ----------------------------------------------------------
def _uniform_check(values, bound):
    values = np.asarray(values, dtype=np.float64).ravel()
    assert values.min() >= -bound and values.max() <= bound
    # close to the edges, with the uniform's variance bound^2 / 3 and mean 0
    assert values.max() > 0.95 * bound and values.min() < -0.95 * bound
    assert abs(values.var() / (bound**2 / 3) - 1) < 0.1
    assert abs(values.mean()) < 0.05 * bound


def test_linear_default_init_bounds(torch):
    for fan_in, fan_out in [(64, 128), (300, 20)]:
        e = nn.Linear(fan_in, fan_out)
        t = torch.nn.Linear(fan_in, fan_out)
        bound = 1 / math.sqrt(fan_in)
        _uniform_check(e.weight.detach().numpy(), bound)
        _uniform_check(t.weight.detach().numpy(), bound)  # torch's follows the same law
        assert np.abs(e.bias.detach().numpy()).max() <= bound


def test_bilinear_default_init_bounds():
    layer = nn.Bilinear(50, 20, 30)
    bound = 1 / math.sqrt(50)
    _uniform_check(layer.weight.detach().numpy(), bound)
    assert np.abs(layer.bias.detach().numpy()).max() <= bound


def test_embedding_default_init_is_standard_normal(torch):
    e = nn.Embedding(2000, 32, padding_idx=3).weight.detach().numpy()
    t = torch.nn.Embedding(2000, 32, padding_idx=3).weight.detach().numpy()
    for w in (e, t):
        assert not w[3].any()
        rest = np.delete(w, 3, axis=0)
        assert abs(rest.mean()) < 0.01 and abs(rest.std() - 1) < 0.01
        assert (np.abs(rest) > 3).mean() == pytest.approx(0.0027, abs=0.001)


def test_layer_factory_kwargs():
    layer = nn.Linear(2, 3, dtype=ember.float64, device="cpu")
    assert layer.weight.dtype == ember.float64 and layer.bias.dtype == ember.float64
    assert nn.Embedding(3, 2, dtype=ember.float64).weight.dtype == ember.float64
    assert nn.Linear(2, 3, bias=False).bias is None


def test_second_derivatives_gradgradcheck():
    from ember.autograd import gradgradcheck

    def f64(*shape):
        return ember.randn(*shape, dtype=ember.float64, requires_grad=True)

    idx = ember.tensor([[1, 2], [2, 5]])
    assert gradgradcheck(lambda x, w, b: F.linear(x, w, b) ** 2, (f64(4, 3), f64(5, 3), f64(5)))
    assert gradgradcheck(lambda x, w: F.linear(x, w).tanh(), (f64(2, 2, 3), f64(4, 3)))
    assert gradgradcheck(
        lambda a, b, w: F.bilinear(a, b, w) ** 2, (f64(3, 2), f64(3, 4), f64(2, 2, 4))
    )
    assert gradgradcheck(lambda w: F.embedding(idx, w) ** 2, (f64(6, 3),))
