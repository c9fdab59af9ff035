"""Behaviour of nn.functional beyond the op table: second derivatives (every hand-written
backward is itself differentiable), in-place forms, running statistics, layouts, default
initialisation of convolutions."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import ember
import ember.nn as nn
import ember.nn.functional as F
from ember.autograd import gradgradcheck

from ..conftest import assert_close


def _x(*shape, seed=0, low=-1.0, high=1.0):
    rng = np.random.default_rng(seed)
    return ember.tensor(rng.uniform(low, high, size=shape), requires_grad=True)


def _distinct(*shape, seed=0):
    n = math.prod(shape)
    vals = np.random.default_rng(seed).permutation(n) * 0.37 - n * 0.15
    return ember.tensor(vals.reshape(shape), requires_grad=True)


# (id, function of the inputs, inputs): second derivatives against finite differences
SECOND_ORDER = [
    (
        "conv2d",
        lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=1),
        lambda: (_x(1, 2, 4, 4), _x(2, 2, 2, 2, seed=1), _x(2, seed=2)),
    ),
    (
        "conv2d_groups",
        lambda x, w: F.conv2d(x, w, groups=2, dilation=2),
        lambda: (_x(1, 2, 5, 4), _x(2, 1, 2, 2, seed=1)),
    ),
    (
        "conv_transpose2d",
        lambda x, w: F.conv_transpose2d(x, w, stride=2, output_padding=1),
        lambda: (_x(1, 2, 2, 2), _x(2, 1, 2, 2, seed=1)),
    ),
    ("conv1d", lambda x, w: F.conv1d(x, w, padding=1), lambda: (_x(1, 2, 5), _x(2, 2, 3, seed=1))),
    (  # one input channel: im2col in (C, K) x (N, L) order
        "conv2d_columns",
        lambda x, w, b: F.conv2d(x, w, b, padding=1),
        lambda: (_x(2, 1, 3, 4), _x(2, 1, 2, 2, seed=1), _x(2, seed=2)),
    ),
    ("max_pool2d", lambda x: F.max_pool2d(x, 2, 1), lambda: (_distinct(1, 1, 3, 4),)),
    (
        "avg_pool2d",
        lambda x: F.avg_pool2d(x, 2, 1, 1, count_include_pad=False),
        lambda: (_x(1, 1, 3, 3),),
    ),
    ("adaptive_avg_pool2d", lambda x: F.adaptive_avg_pool2d(x, (2, 3)), lambda: (_x(1, 1, 3, 4),)),
    (
        "adaptive_max_pool2d",
        lambda x: F.adaptive_max_pool2d(x, 2),
        lambda: (_distinct(1, 1, 3, 3),),
    ),
    ("softmax", lambda x: F.softmax(x, 1), lambda: (_x(2, 3),)),
    ("log_softmax", lambda x: F.log_softmax(x, 0), lambda: (_x(3, 2),)),
    (
        "layer_norm",
        lambda x, w, b: F.layer_norm(x, (3,), w, b),
        lambda: (_x(2, 3), _x(3, seed=1), _x(3, seed=2)),
    ),
    (
        "batch_norm",
        lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
        lambda: (_x(3, 2), _x(2, seed=1), _x(2, seed=2)),
    ),
    (
        "batch_norm_eval",
        lambda x, w: F.batch_norm(
            x, ember.zeros(2, dtype=ember.float64), ember.ones(2, dtype=ember.float64), w
        ),
        lambda: (_x(3, 2), _x(2, seed=1)),
    ),
    ("group_norm", lambda x, w: F.group_norm(x, 2, w), lambda: (_x(2, 4, 2), _x(4, seed=1))),
    ("rms_norm", lambda x, w: F.rms_norm(x, (3,), w), lambda: (_x(2, 3), _x(3, seed=1))),
    (
        "cross_entropy",
        lambda x: F.cross_entropy(x, ember.tensor([0, 2, 1]), label_smoothing=0.1),
        lambda: (_x(3, 3),),
    ),
    (
        "cross_entropy_probs",
        lambda x, p: F.cross_entropy(x, p.softmax(1)),
        lambda: (_x(2, 3), _x(2, 3, seed=1)),
    ),
    (
        "nll_loss",
        lambda x: F.nll_loss(x, ember.tensor([0, 2]), reduction="sum"),
        lambda: (_x(2, 3),),
    ),
    ("mse_loss", lambda x, y: F.mse_loss(x, y), lambda: (_x(2, 3), _x(2, 3, seed=1))),
    (
        "bce_with_logits",
        lambda x, y: F.binary_cross_entropy_with_logits(x, y.sigmoid()),
        lambda: (_x(2, 3), _x(2, 3, seed=1)),
    ),
    (
        "binary_cross_entropy",
        lambda x: F.binary_cross_entropy(x.sigmoid(), ember.full((2, 2), 0.3, dtype=ember.float64)),
        lambda: (_x(2, 2),),
    ),
    (
        "smooth_l1",
        lambda x, y: F.smooth_l1_loss(x, y, beta=3.0),
        lambda: (_x(2, 3), _x(2, 3, seed=1)),
    ),
    ("gelu", lambda x: F.gelu(x), lambda: (_x(2, 3),)),
    ("gelu_tanh", lambda x: F.gelu(x, approximate="tanh"), lambda: (_x(2, 3),)),
    ("elu", lambda x: F.elu(x), lambda: (_x(2, 3),)),
    (
        "silu_mish_softplus",
        lambda x: F.silu(x) + F.mish(x) + F.softplus(x, 2.0),
        lambda: (_x(2, 3),),
    ),
    ("logsigmoid", lambda x: F.logsigmoid(x), lambda: (_x(2, 3),)),
    ("glu", lambda x: F.glu(x, 1), lambda: (_x(2, 4),)),
    ("prelu", lambda x, w: F.prelu(x, w), lambda: (_x(2, 3), _x(3, seed=1))),
    ("pad_reflect", lambda x: F.pad(x, (2, 1), mode="reflect"), lambda: (_x(1, 2, 4),)),
    ("pad_constant", lambda x: F.pad(x, (1, -1)), lambda: (_x(2, 3),)),
    (
        "interpolate",
        lambda x: F.interpolate(x, scale_factor=1.5, mode="bilinear"),
        lambda: (_x(1, 1, 2, 3),),
    ),
    ("pixel_shuffle", lambda x: F.pixel_shuffle(x, 2), lambda: (_x(1, 4, 2, 1),)),
    ("unfold_fold", lambda x: F.fold(F.unfold(x, 2) * 2, (3, 3), 2), lambda: (_x(1, 1, 3, 3),)),
]


@pytest.mark.parametrize("fn,make", [pytest.param(c[1], c[2], id=c[0]) for c in SECOND_ORDER])
def test_second_derivatives(fn, make):
    assert gradgradcheck(fn, make())


# -- convolution ---------------------------------------------------------------------------------
def test_conv_same_with_even_kernel_pads_more_on_the_right(torch):
    x = np.random.default_rng(0).standard_normal((1, 2, 6, 7)).astype("float32")
    w = np.random.default_rng(1).standard_normal((3, 2, 4, 2)).astype("float32")
    ours = F.conv2d(ember.tensor(x), ember.tensor(w), padding="same", dilation=(1, 3))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch warns that it copies the input
        theirs = torch.nn.functional.conv2d(
            torch.tensor(x), torch.tensor(w), padding="same", dilation=(1, 3)
        )
    assert tuple(ours.shape) == (1, 3, 6, 7)
    assert_close(ours, theirs, 1e-5, 1e-5)


def test_conv_and_pool_outputs_are_contiguous_so_view_works():
    x = ember.randn(2, 3, 8, 8)
    y = F.max_pool2d(F.relu(F.conv2d(x, ember.randn(4, 3, 3, 3), padding=1)), 2)
    assert y.is_contiguous()
    assert tuple(y.view(2, -1).shape) == (2, 64)
    assert F.avg_pool2d(x, 2).is_contiguous()
    assert F.conv_transpose2d(x, ember.randn(3, 2, 2, 2), stride=2).is_contiguous()


def test_conv_on_non_contiguous_input_matches_contiguous():
    x = ember.randn(2, 8, 8, 3).permute(0, 3, 1, 2)  # channels-last memory
    w = ember.randn(4, 3, 3, 3)
    assert not x.is_contiguous()
    assert_close(F.conv2d(x, w, padding=1), F.conv2d(x.contiguous(), w, padding=1), 1e-5, 1e-5)


def test_conv_gradient_flows_to_weight_only_when_needed():
    x = ember.randn(2, 3, 5, 5)
    w = ember.randn(4, 3, 3, 3, requires_grad=True)
    F.conv2d(x, w).sum().backward()
    assert x.grad is None and w.grad is not None
    # sum over all outputs: each weight's gradient is the sum of its input windows
    expected = F.unfold(x, 3).sum((0, 2)).reshape(3, 3, 3)
    assert_close(w.grad[0], expected, 1e-4, 1e-4)


@pytest.mark.parametrize(
    "make,fan_in",
    [
        (lambda: nn.Conv2d(16, 32, 5), 16 * 25),
        (lambda: nn.Conv1d(4, 6, 3, groups=2), 2 * 3),
        (lambda: nn.ConvTranspose2d(8, 4, 3), 4 * 9),
    ],
)
def test_conv_default_init_follows_torch_bounds(make, fan_in):
    ember.manual_seed(0)
    m = make()
    bound = 1 / math.sqrt(fan_in)  # kaiming_uniform_(a=sqrt(5)): gain sqrt(1/3) * sqrt(3/fan_in)
    w = m.weight.detach().numpy()
    b = m.bias.detach().numpy()
    assert np.abs(w).max() <= bound and np.abs(b).max() <= bound
    assert np.abs(w).max() > 0.9 * bound
    # uniform on [-bound, bound]: mean 0, std bound / sqrt(3)
    assert abs(w.mean()) < 4 * bound / math.sqrt(3 * w.size)
    assert abs(w.std() - bound / math.sqrt(3)) < 0.1 * bound


# -- in place and running statistics -------------------------------------------------------------
@pytest.mark.parametrize(
    "fn",
    [
        lambda x: F.relu(x, inplace=True),
        lambda x: F.relu_(x),
        lambda x: F.leaky_relu(x, 0.1, inplace=True),
        lambda x: F.elu(x, inplace=True),
        lambda x: F.hardtanh(x, inplace=True),
        lambda x: F.relu6(x, inplace=True),
        lambda x: F.silu(x, inplace=True),
        lambda x: F.threshold(x, 0.0, 1.0, inplace=True),
        lambda x: nn.ReLU(inplace=True)(x),
    ],
)
def test_inplace_activations_write_into_their_input(fn):
    x = ember.tensor([-1.0, 0.5, 2.0])
    version = x._version
    out = fn(x)
    assert out is x
    assert x._version > version
    assert x[0].item() != -1.0 or x[2].item() != 2.0


def test_inplace_activation_on_leaf_requiring_grad_raises():
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        F.relu(ember.randn(3, requires_grad=True), inplace=True)


def test_batch_norm_updates_running_stats_in_place(torch):
    x = np.random.default_rng(0).standard_normal((6, 3, 2)).astype("float32")
    rm, rv = ember.zeros(3), ember.ones(3)
    rm_t, rv_t = torch.zeros(3), torch.ones(3)
    ours = F.batch_norm(ember.tensor(x), rm, rv, training=True, momentum=0.25)
    theirs = torch.nn.functional.batch_norm(
        torch.tensor(x), rm_t, rv_t, training=True, momentum=0.25
    )
    assert_close(ours, theirs, 1e-5, 1e-6)
    assert_close(rm, rm_t, 1e-6, 1e-7)
    assert_close(rv, rv_t, 1e-6, 1e-7)  # unbiased variance goes into the running estimate
    ours = F.batch_norm(ember.tensor(x), rm, rv, training=False)
    theirs = torch.nn.functional.batch_norm(torch.tensor(x), rm_t, rv_t, training=False)
    assert_close(ours, theirs, 1e-5, 1e-6)


def test_batchnorm_eval_uses_running_stats_and_train_does_not():
    m = nn.BatchNorm1d(2)
    x = ember.tensor([[1.0, 10.0], [3.0, 30.0]])
    y = m(x)
    assert_close(y.mean(0), ember.zeros(2), 0, 1e-6)
    m.eval()
    y = m(x)  # running_mean = 0.1 * batch mean, running_var = 0.9 + 0.1 * unbiased var
    expected = (x - ember.tensor([0.2, 2.0])) / (ember.tensor([1.1, 20.9]) + 1e-5).sqrt()
    assert_close(y, expected, 1e-5, 1e-6)
    assert int(m.num_batches_tracked) == 1


def test_softmax_dtype_argument_casts_first(torch):
    x = np.random.default_rng(0).standard_normal((2, 3)).astype("float32")
    ours = F.log_softmax(ember.tensor(x), 1, dtype=ember.float64)
    theirs = torch.nn.functional.log_softmax(torch.tensor(x), 1, dtype=torch.float64)
    assert ours.dtype == ember.float64
    assert_close(ours, theirs, 1e-12, 1e-12)


def test_lenet_like_step_matches_torch(torch):
    """The issue-7 CNN: one SGD step from the same weights gives the same loss and weights."""

    def build(lib):
        lib.manual_seed(0)
        return lib.nn.Sequential(
            lib.nn.Conv2d(1, 4, 5, padding=2), lib.nn.ReLU(), lib.nn.MaxPool2d(2),
            lib.nn.Conv2d(4, 8, 5, padding=2), lib.nn.ReLU(), lib.nn.MaxPool2d(2),
            lib.nn.Flatten(), lib.nn.Linear(8 * 7 * 7, 10),
        )  # fmt: skip

    t_model, e_model = build(torch), build(ember)
    e_model.load_state_dict({k: ember.tensor(v.numpy()) for k, v in t_model.state_dict().items()})
    rng = np.random.default_rng(0)
    x = rng.standard_normal((8, 1, 28, 28)).astype("float32")
    y = rng.integers(0, 10, size=8)
    losses = []
    for lib, model in ((torch, t_model), (ember, e_model)):
        loss = lib.nn.functional.cross_entropy(model(lib.tensor(x)), lib.tensor(y))
        loss.backward()
        with lib.no_grad():
            for p in model.parameters():
                p -= 0.1 * p.grad
        losses.append(loss.item())
    assert abs(losses[0] - losses[1]) < 1e-5
    t_state = t_model.state_dict()
    for k, v in e_model.state_dict().items():
        assert_close(v, t_state[k], 1e-4, 1e-5, k)


@pytest.mark.parametrize(
    "kwargs", [{"kernel_size": 2}, {"kernel_size": 3, "stride": 1, "padding": 1}]
)
def test_max_pool_ties_and_nan_pick_torchs_element(torch, kwargs):
    """After a relu whole windows tie at 0: the gradient goes to the first element only (the
    index torch returns); a NaN is the maximum of its window."""
    a = np.maximum(np.random.default_rng(0).standard_normal((2, 2, 6, 6)), 0).astype("float32")
    a[0, 0, 1, 1] = np.nan
    x_e = ember.tensor(a, requires_grad=True)
    x_t = torch.tensor(a, requires_grad=True)
    out_e, idx_e = F.max_pool2d(x_e, **kwargs, return_indices=True)
    out_t, idx_t = torch.nn.functional.max_pool2d(x_t, **kwargs, return_indices=True)
    assert_close(out_e, out_t)
    assert idx_e.tolist() == idx_t.tolist()
    g = np.random.default_rng(1).standard_normal(tuple(out_t.shape)).astype("float32")
    (out_e * ember.tensor(g)).sum().backward()
    (out_t * torch.tensor(g)).sum().backward()
    assert_close(x_e.grad, x_t.grad, 1e-6, 1e-6)


def test_max_pool_of_an_empty_batch():
    """torch pools a batch of no samples to no samples, and its gradient too."""
    x = ember.randn(0, 3, 6, 6, requires_grad=True)
    out, idx = F.max_pool2d(x, 2, return_indices=True)
    assert tuple(out.shape) == tuple(idx.shape) == (0, 3, 3, 3)
    assert idx.dtype == ember.int64
    out.sum().backward()
    assert tuple(x.grad.shape) == (0, 3, 6, 6)


# -- activations at special points -----------------------------------------------------------
_SPECIAL = [0.0, -0.0, 0.5, -0.5, 1.0, -1.0, 2.9, -2.9, 3.0, -3.0, 6.0, 20.0, 1e-30, -1e4, 1e4]
_SPECIAL += [math.inf, -math.inf, math.nan]
_ACTIVATIONS = {
    "relu": lambda F, x: F.relu(x),
    "relu6": lambda F, x: F.relu6(x),
    "leaky_relu": lambda F, x: F.leaky_relu(x, 0.2),
    "elu": lambda F, x: F.elu(x, 0.5),
    "selu": lambda F, x: F.selu(x),
    "celu": lambda F, x: F.celu(x, 1.5),
    "gelu_tanh": lambda F, x: F.gelu(x, approximate="tanh"),
    "silu": lambda F, x: F.silu(x),
    "mish": lambda F, x: F.mish(x),
    "softplus": lambda F, x: F.softplus(x, 2.0, 5.0),
    "softsign": lambda F, x: F.softsign(x),
    "hardtanh": lambda F, x: F.hardtanh(x, -0.5, 1.0),
    "hardsigmoid": lambda F, x: F.hardsigmoid(x),
    "hardswish": lambda F, x: F.hardswish(x),
    "logsigmoid": lambda F, x: F.logsigmoid(x),
    "threshold": lambda F, x: F.threshold(x, 0.5, 2.0),
    "hardshrink": lambda F, x: F.hardshrink(x, 0.5),
    "softshrink": lambda F, x: F.softshrink(x, 0.5),
    "tanhshrink": lambda F, x: F.tanhshrink(x),
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", list(_ACTIVATIONS))
def test_activation_values_and_gradients_at_special_points(torch, name, dtype):
    """Values (NaN in, NaN out) and gradients at the ends of each piece, at 0, -0 and the
    infinities, as torch. Gradients at NaN are left out: torch's vector and scalar loops
    disagree there."""
    points = np.array(_SPECIAL, dtype=dtype)
    res = []
    for lib in (ember, torch):
        x = lib.from_numpy(points.copy()).requires_grad_(True)
        y = _ACTIVATIONS[name](lib.nn.functional, x)
        y.backward(lib.ones_like(y))
        res.append((y.detach().numpy(), x.grad.numpy()))
    (ye, ge), (yt, gt) = res
    # float64 at 1e-7: torch scales hardsigmoid's float64 gradient by a float32 1/6
    rtol, atol = (1e-4, 1e-6) if dtype == "float32" else (1e-7, 1e-12)
    np.testing.assert_allclose(ye, yt, rtol=rtol, atol=atol, equal_nan=True)
    finite = ~np.isnan(points)
    np.testing.assert_allclose(ge[finite], gt[finite], rtol=rtol, atol=atol)
