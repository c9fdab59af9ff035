"""ember.from_dlpack and Tensor.__dlpack__: zero-copy exchange; a write on one side shows on
the other."""

from __future__ import annotations

import numpy as np
import pytest

import ember


def test_numpy_to_ember_shares_memory():
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    t = ember.from_dlpack(a)
    assert t.shape == (2, 3) and t.dtype == ember.float32 and not t.requires_grad
    t[0, 1] = 50.0
    assert a[0, 1] == 50.0
    a[1, 2] = -1.0
    assert t[1, 2].item() == -1.0


def test_ember_to_numpy_shares_memory():
    t = ember.arange(5, dtype=ember.int64)
    a = np.from_dlpack(t)
    a[0] = 9
    assert t[0].item() == 9
    t.add_(1)
    assert a.tolist() == [10, 2, 3, 4, 5]


def test_strided_and_bool_tensors():
    base = np.arange(12.0).reshape(3, 4)
    t = ember.from_dlpack(base.T)
    assert t.stride() == (1, 4)
    t[0, 2] = 7.0
    assert base[2, 0] == 7.0
    mask = ember.from_dlpack(np.array([True, False]))
    assert mask.dtype == ember.bool and mask.tolist() == [True, False]


def test_requires_grad_tensor_refuses_export():
    t = ember.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="detach"):
        np.from_dlpack(t)
    assert np.from_dlpack(t.detach()).tolist() == [1.0, 1.0]


def test_torch_exchange_shares_memory(torch):
    src = torch.arange(6.0).reshape(2, 3)
    t = ember.from_dlpack(src)
    t[1, 1] = 42.0
    assert src[1, 1].item() == 42.0
    src[0, 0] = -5.0
    assert t[0, 0].item() == -5.0
    e = ember.zeros(3, dtype=ember.float64)
    theirs = torch.from_dlpack(e)
    theirs += 2
    assert e.tolist() == [2.0, 2.0, 2.0]
    e[0] = 1.0
    assert theirs[0].item() == 1.0


def test_torch_capsule_and_dtypes(torch):
    src = torch.tensor([1, 2, 3], dtype=torch.int32)
    t = ember.from_dlpack(torch.utils.dlpack.to_dlpack(src))
    t[2] = 30
    assert src.tolist() == [1, 2, 30] and t.dtype == ember.int32
    for dt in (torch.float16, torch.float64, torch.bool, torch.uint8, torch.int64):
        x = torch.zeros(2, dtype=dt)
        assert ember.from_dlpack(x).dtype.name == str(dt).replace("torch.", "")


def test_ember_capsule_to_torch(torch):
    from ember._dlpack import to_dlpack

    e = ember.ones(2)
    theirs = torch.utils.dlpack.from_dlpack(to_dlpack(e))
    theirs[0] = 3.0
    assert e.tolist() == [3.0, 1.0]


def test_not_dlpack():
    with pytest.raises(TypeError, match="__dlpack__"):
        ember.from_dlpack([1, 2, 3])


def test_jax_exchange_when_installed():
    jnp = pytest.importorskip("jax.numpy")
    t = ember.from_dlpack(jnp.arange(4.0))
    assert t.tolist() == [0.0, 1.0, 2.0, 3.0]


def test_cupy_exchange_when_installed():
    cp = pytest.importorskip("cupy")
    if not ember.cuda.is_available():
        pytest.skip("no GPU")
    x = cp.arange(4, dtype=cp.float32)
    t = ember.from_dlpack(x)
    assert t.is_cuda
    t[0] = 10.0
    assert float(x[0]) == 10.0
    y = cp.from_dlpack(t)
    y[1] = 20.0
    assert t[1].item() == 20.0
