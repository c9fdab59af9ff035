"""nn.utils: gradient clipping and parameter/vector conversion, against torch."""

from __future__ import annotations

import numpy as np
import pytest

import ember
import ember.nn as nn
from ember.nn import utils

GRADS = [np.array([[3.0, -4.0], [1.0, 2.0]]), np.array([0.5, -12.0, 2.0])]


def _params(lib, dtype="float32"):
    params = []
    for g in GRADS:
        p = lib.nn.Parameter(lib.from_numpy(np.ones_like(g).astype(dtype)))
        p.grad = lib.from_numpy(g.astype(dtype))
        params.append(p)
    params.append(lib.nn.Parameter(lib.zeros(2, dtype=getattr(lib, dtype))))  # no grad
    return params


@pytest.mark.parametrize("norm_type", [2.0, 1, 3.5, "inf", float("inf")])
@pytest.mark.parametrize("max_norm", [1.0, 100.0])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_clip_grad_norm_matches_torch(torch, norm_type, max_norm, dtype):
    pe, pt = _params(ember, dtype), _params(torch, dtype)
    ne = utils.clip_grad_norm_(pe, max_norm, norm_type=norm_type, foreach=True)
    nt = torch.nn.utils.clip_grad_norm_(pt, max_norm, norm_type=norm_type)
    assert str(ne.dtype).split(".")[-1] == str(nt.dtype).split(".")[-1]
    np.testing.assert_allclose(ne.item(), nt.item(), rtol=1e-6)
    for a, b in zip(pe[:2], pt[:2]):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-6)
    assert pe[2].grad is None


def test_clip_grad_norm_single_tensor_and_empty(torch):
    p = nn.Parameter(ember.ones(3))
    p.grad = ember.tensor([3.0, 4.0, 0.0])
    assert utils.clip_grad_norm_(p, 1.0).item() == pytest.approx(5.0)
    np.testing.assert_allclose(p.grad.numpy(), [0.6, 0.8, 0.0], rtol=1e-5)
    empty = utils.clip_grad_norm_([nn.Parameter(ember.ones(1))], 1.0)
    assert repr(empty) == repr(
        torch.nn.utils.clip_grad_norm_([torch.nn.Parameter(torch.ones(1))], 1.0)
    )


def test_clip_grad_norm_nonfinite(torch):
    def run(lib):
        p = lib.nn.Parameter(lib.ones(2))
        p.grad = lib.tensor([float("inf"), 1.0])
        with pytest.raises(RuntimeError) as info:
            lib.nn.utils.clip_grad_norm_([p], 1.0, error_if_nonfinite=True)
        total = lib.nn.utils.clip_grad_norm_([p], 1.0)
        return str(info.value), total.item()

    assert run(ember) == run(torch)


def test_clip_grad_value_matches_torch(torch):
    pe, pt = _params(ember), _params(torch)
    assert utils.clip_grad_value_(pe, 2.5) is None
    torch.nn.utils.clip_grad_value_(pt, 2.5)
    for a, b in zip(pe[:2], pt[:2]):
        np.testing.assert_array_equal(a.grad.numpy(), b.grad.numpy())


def test_clip_does_not_record_a_graph():
    m = nn.Linear(3, 2)
    m(ember.randn(4, 3)).sum().backward()
    utils.clip_grad_norm_(m.parameters(), 0.1)
    assert all(p.grad.grad_fn is None and not p.grad.requires_grad for p in m.parameters())
    total = utils.get_total_norm([p.grad for p in m.parameters()])
    assert total.item() == pytest.approx(0.1, rel=1e-4)


def test_parameters_to_vector_and_back(torch):
    m = nn.Sequential(nn.Linear(3, 2), nn.Linear(2, 1))
    vec = utils.parameters_to_vector(m.parameters())
    assert vec.shape == (3 * 2 + 2 + 2 + 1,)
    flat = np.concatenate([p.detach().numpy().ravel() for p in m.parameters()])
    np.testing.assert_array_equal(vec.detach().numpy(), flat)
    vec.sum().backward()  # differentiable
    assert all((p.grad == 1).all() for p in m.parameters())
    new = ember.arange(11, dtype=ember.float32)
    utils.vector_to_parameters(new, m.parameters())
    np.testing.assert_array_equal(m[0].weight.detach().numpy(), [[0, 1, 2], [3, 4, 5]])
    np.testing.assert_array_equal(m[1].bias.detach().numpy(), [10])
    assert isinstance(m[0].weight, nn.Parameter)
    with pytest.raises(TypeError) as info:
        utils.vector_to_parameters([1.0], m.parameters())
    with pytest.raises(TypeError) as info_t:
        torch.nn.utils.vector_to_parameters([1.0], torch.nn.Linear(1, 1).parameters())
    assert str(info.value) == str(info_t.value)
