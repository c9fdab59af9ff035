"""Loss modules against torch (repr, buffers, values, gradients), numerical stability at
extreme logits, legacy reduction flags and the broadcasting warning."""

from __future__ import annotations

import sys
import warnings

import numpy as np
import pytest

import ember
import ember.nn.functional as F

from ..conftest import assert_close
from .helpers import check_parity

X = "x"


def lib(nn):
    """torch or ember, from its nn namespace."""
    return sys.modules[nn.__name__.split(".")[0]]


def weights(nn, n):
    return lib(nn).linspace(0.5, 1.5, n)


LOSSES = [
    ("L1Loss", lambda nn, r: nn.L1Loss(reduction=r), [(X, (3, 4)), ("pos", (3, 4))]),
    ("MSELoss", lambda nn, r: nn.MSELoss(reduction=r), [(X, (3, 4)), ("pos", (3, 4))]),
    (
        "SmoothL1Loss",
        lambda nn, r: nn.SmoothL1Loss(reduction=r, beta=0.5),
        [(X, (3, 4)), (X, (3, 4))],
    ),
    ("HuberLoss", lambda nn, r: nn.HuberLoss(reduction=r, delta=0.5), [(X, (3, 4)), (X, (3, 4))]),
    (
        "CrossEntropyLoss",
        lambda nn, r: nn.CrossEntropyLoss(reduction=r),
        [(X, (5, 3)), ("int", (5,), 3)],
    ),
    (
        "CrossEntropyLoss_all",
        lambda nn, r: nn.CrossEntropyLoss(weights(nn, 4), reduction=r, label_smoothing=0.1),
        [(X, (2, 4, 3, 2)), ("int", (2, 3, 2), 4)],
    ),
    (
        "CrossEntropyLoss_probs",
        lambda nn, r: nn.CrossEntropyLoss(reduction=r),
        [(X, (5, 3)), ("unit", (5, 3))],
    ),
    (
        "NLLLoss",
        lambda nn, r: nn.NLLLoss(weights(nn, 3), reduction=r),
        [(X, (5, 3)), ("int", (5,), 3)],
    ),
    ("BCELoss", lambda nn, r: nn.BCELoss(reduction=r), [("unit", (3, 4)), ("unit", (3, 4))]),
    (
        "BCELoss_weight",
        lambda nn, r: nn.BCELoss(weights(nn, 4), reduction=r),
        [("unit", (3, 4)), ("unit", (3, 4))],
    ),
    (
        "BCEWithLogitsLoss",
        lambda nn, r: nn.BCEWithLogitsLoss(reduction=r, pos_weight=weights(nn, 4)),
        [(X, (3, 4)), ("unit", (3, 4))],
    ),
    (
        "KLDivLoss",
        lambda nn, r: nn.KLDivLoss(reduction=r if r != "mean" else "batchmean"),
        [(X, (3, 4)), ("unit", (3, 4))],
    ),
    (
        "KLDivLoss_log",
        lambda nn, r: nn.KLDivLoss(reduction=r if r != "mean" else "sum", log_target=True),
        [(X, (3, 4)), (X, (3, 4))],
    ),
    (
        "SoftMarginLoss",
        lambda nn, r: nn.SoftMarginLoss(reduction=r),
        [(X, (3, 4)), ("sign", (3, 4))],
    ),
    (
        "MarginRankingLoss",
        lambda nn, r: nn.MarginRankingLoss(0.2, reduction=r),
        [(X, (5,)), (X, (5,)), ("sign", (5,))],
    ),
    (
        "HingeEmbeddingLoss",
        lambda nn, r: nn.HingeEmbeddingLoss(0.5, reduction=r),
        [(X, (3, 4)), ("sign", (3, 4))],
    ),
    (
        "CosineEmbeddingLoss",
        lambda nn, r: nn.CosineEmbeddingLoss(0.1, reduction=r),
        [(X, (4, 3)), (X, (4, 3)), ("sign", (4,))],
    ),
    (
        "TripletMarginLoss",
        lambda nn, r: nn.TripletMarginLoss(margin=0.5, swap=True, reduction=r),
        [(X, (4, 3)), (X, (4, 3)), (X, (4, 3))],
    ),
    (
        "PoissonNLLLoss",
        lambda nn, r: nn.PoissonNLLLoss(full=True, reduction=r),
        [(X, (3, 4)), ("pos", (3, 4))],
    ),
    (
        "GaussianNLLLoss",
        lambda nn, r: nn.GaussianNLLLoss(reduction=r),
        [(X, (3, 4)), (X, (3, 4)), ("pos", (3, 4))],
    ),
]


def _cases():
    for name, make, specs in LOSSES:
        for red in ("mean", "sum", "none"):
            for dtype in ("float32", "float64"):
                yield pytest.param(make, specs, red, dtype, id=f"{name}-{red}-{dtype}")


@pytest.mark.parametrize("make,specs,reduction,dtype", list(_cases()))
def test_loss_module_matches_torch(torch, make, specs, reduction, dtype):
    check_parity(torch, lambda nn: make(nn, reduction), specs, dtype)


def test_loss_reprs_match_the_tutorial():
    assert repr(ember.nn.CrossEntropyLoss()) == "CrossEntropyLoss()"
    assert repr(ember.nn.MSELoss()) == "MSELoss()"
    assert repr(ember.nn.BCEWithLogitsLoss(pos_weight=ember.ones(2))) == "BCEWithLogitsLoss()"


def test_weight_buffers_are_in_state_dict(torch):
    t = torch.nn.CrossEntropyLoss(weight=torch.ones(3))
    e = ember.nn.CrossEntropyLoss(weight=ember.ones(3))
    assert list(e.state_dict()) == list(t.state_dict()) == ["weight"]
    t = torch.nn.BCEWithLogitsLoss(pos_weight=torch.ones(3))
    e = ember.nn.BCEWithLogitsLoss(pos_weight=ember.ones(3))
    assert list(e.state_dict()) == list(t.state_dict()) == ["pos_weight"]


# -- numerical stability -------------------------------------------------------------------------
@pytest.mark.parametrize("scale", [1e4, -1e4, 1e30])
def test_cross_entropy_extreme_logits_are_finite_and_match(torch, scale):
    logits = np.array([[1.0, -2.0, 0.5], [0.0, 3.0, -1.0], [2.0, 2.0, -3.0]]) * scale
    target = np.array([0, 2, 1])
    for dtype in ("float32", "float64"):
        x_e = ember.tensor(logits.astype(dtype), requires_grad=True)
        x_t = torch.tensor(logits.astype(dtype), requires_grad=True)
        loss_e = F.cross_entropy(x_e, ember.tensor(target))
        loss_t = torch.nn.functional.cross_entropy(x_t, torch.tensor(target))
        assert np.isfinite(loss_e.item())
        assert_close(loss_e, loss_t, 1e-6, 1e-6)
        loss_e.backward()
        loss_t.backward()
        assert np.all(np.isfinite(x_e.grad.numpy()))
        assert_close(x_e.grad, x_t.grad, 1e-6, 1e-7)


@pytest.mark.parametrize("scale", [1e4, -1e4])
def test_bce_with_logits_extreme_logits_are_finite_and_match(torch, scale):
    logits = np.array([[1.0, -2.0], [0.5, -0.25]]) * scale
    target = np.array([[1.0, 0.0], [0.3, 1.0]])
    pos_weight = np.array([2.0, 0.5])
    for dtype in ("float32", "float64"):
        x_e = ember.tensor(logits.astype(dtype), requires_grad=True)
        x_t = torch.tensor(logits.astype(dtype), requires_grad=True)
        loss_e = F.binary_cross_entropy_with_logits(
            x_e,
            ember.tensor(target.astype(dtype)),
            pos_weight=ember.tensor(pos_weight.astype(dtype)),
        )
        loss_t = torch.nn.functional.binary_cross_entropy_with_logits(
            x_t,
            torch.tensor(target.astype(dtype)),
            pos_weight=torch.tensor(pos_weight.astype(dtype)),
        )
        assert np.isfinite(loss_e.item())
        assert_close(loss_e, loss_t, 1e-6, 1e-4)
        loss_e.backward()
        loss_t.backward()
        assert_close(x_e.grad, x_t.grad, 1e-6, 1e-7)


def test_log_softmax_extreme_values_are_finite():
    x = ember.tensor([[1e4, -1e4, 0.0], [-1e30, 1e30, 5.0]])
    out = F.log_softmax(x, 1)
    assert np.all(np.isfinite(out.numpy()[:, 1:2]) | (out.numpy()[:, 1:2] < 0))
    assert out[0, 0].item() == 0.0
    assert out[1, 1].item() == 0.0
    assert F.softmax(x, 1).sum(1).tolist() == [1.0, 1.0]


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("kw", [{}, {"ignore_index": 2}, {"label_smoothing": 0.2}])
def test_cross_entropy_of_transposed_logits_matches_torch(torch, reduction, kw):
    # logits laid out column-major (x.t()): the softmax kept for backward is too, so the
    # gradient cannot be written through a flat view of it
    x = np.random.default_rng(1).standard_normal((4, 6)).astype("float32")
    t = np.array([0, 3, 1, 2, 2, 0])
    x_e = ember.tensor(x, requires_grad=True)
    x_t = torch.tensor(x, requires_grad=True)
    assert x_e.t().detach().numpy().flags.f_contiguous
    loss_e = F.cross_entropy(x_e.t(), ember.tensor(t), reduction=reduction, **kw)
    loss_t = torch.nn.functional.cross_entropy(x_t.t(), torch.tensor(t), reduction=reduction, **kw)
    assert_close(loss_e, loss_t, 1e-6, 1e-6)
    loss_e.sum().backward()
    loss_t.sum().backward()
    assert_close(x_e.grad, x_t.grad, 1e-6, 1e-7)


def test_cross_entropy_all_ignored_is_nan_like_torch(torch):
    x = np.random.default_rng(0).standard_normal((3, 4)).astype("float32")
    t = np.array([-100, -100, -100])
    out_e = F.cross_entropy(ember.tensor(x), ember.tensor(t))
    out_t = torch.nn.functional.cross_entropy(torch.tensor(x), torch.tensor(t))
    assert np.isnan(out_e.item()) and np.isnan(out_t.item())


# -- legacy flags and warnings -------------------------------------------------------------------
@pytest.mark.parametrize(
    "size_average,reduce,expected",
    [(None, False, "none"), (False, None, "sum"), (True, True, "mean"), (False, False, "none")],
)
def test_legacy_size_average_and_reduce(size_average, reduce, expected):
    x = ember.tensor([[1.0, 2.0], [3.0, 4.0]])
    y = ember.zeros(2, 2)
    with pytest.warns(UserWarning, match=f"please use reduction='{expected}' instead"):
        out = F.mse_loss(x, y, size_average=size_average, reduce=reduce)
    assert_close(out, F.mse_loss(x, y, reduction=expected))
    with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated"):
        module = ember.nn.L1Loss(size_average=size_average, reduce=reduce)
    assert module.reduction == expected


def test_invalid_reduction_raises():
    with pytest.raises(ValueError, match="bad is not a valid value for reduction"):
        F.mse_loss(ember.ones(2), ember.ones(2), reduction="bad")
    with pytest.raises(ValueError, match="bad is not a valid value for reduction"):
        F.cross_entropy(ember.ones(2, 3), ember.tensor([0, 1]), reduction="bad")


def test_mse_broadcast_warns_naming_both_shapes(torch):
    x = ember.randn(5, 1)
    y = ember.randn(5)
    with pytest.warns(UserWarning) as record:
        out = ember.nn.MSELoss()(x, y)
    message = str(record[0].message)
    assert "target size (ember.Size([5]))" in message
    assert "input size (ember.Size([5, 1]))" in message
    assert "broadcasting" in message
    assert record[0].filename == __file__ or "module" in record[0].filename
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = torch.nn.functional.mse_loss(torch.tensor(x.numpy()), torch.tensor(y.numpy()))
    assert_close(out, ref, 1e-6, 1e-6)


def test_kl_div_mean_warns_like_torch():
    with pytest.warns(UserWarning, match="'batchmean' divides only by the batch size"):
        F.kl_div(ember.zeros(2, 3), ember.ones(2, 3) / 3)


@pytest.mark.parametrize("fn", ["mse_loss", "l1_loss", "smooth_l1_loss", "cross_entropy_probs"])
@pytest.mark.parametrize("target_dtype", ["int64", "int32", "float16", "float64"])
def test_mixed_dtypes_promote_as_torch(torch, fn, target_dtype):
    """A float32 input with a target of another dtype: torch's promoted result and gradients
    (torch's huber_loss keeps the input's dtype and fails backward there, so it is left out)."""
    if fn == "cross_entropy_probs" and not target_dtype.startswith("float"):
        pytest.skip("probabilities are floats")
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 3)).astype("float32")
    y = rng.uniform(0, 3, (4, 3)).astype(target_dtype)
    out = []
    for lib in (ember, torch):
        xt = lib.from_numpy(x.copy()).requires_grad_(True)
        yt = lib.from_numpy(y.copy())
        if fn == "cross_entropy_probs":
            loss = lib.nn.functional.cross_entropy(xt, yt / 3, label_smoothing=0.1)
        else:
            loss = getattr(lib.nn.functional, fn)(xt, yt, reduction="none")
        loss.backward(lib.ones_like(loss))
        out.append((loss, xt.grad))
    (le, ge), (lt, gt) = out
    assert str(le.dtype).split(".")[-1] == str(lt.dtype).split(".")[-1]
    assert str(ge.dtype).split(".")[-1] == str(gt.dtype).split(".")[-1] == "float32"
    tol = 1e-3 if target_dtype == "float16" else 1e-5
    assert_close(le.detach(), lt, tol, tol)
    assert_close(ge, gt, tol, tol)
