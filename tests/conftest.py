"""Shared test helpers: the optional torch oracle and array comparisons."""

from __future__ import annotations

import numpy as np
import pytest

try:  # PyTorch is the oracle where installed; tests comparing with it skip otherwise.
    import torch as _torch
except ImportError:  # pragma: no cover - exercised on machines without torch
    _torch = None


@pytest.fixture
def torch():
    """The torch module, or skip the test where torch is not installed."""
    if _torch is None:
        pytest.skip("torch is not installed")
    return _torch


def to_numpy(x):
    """A NumPy array from an ember tensor, a torch tensor, or anything array-like."""
    if hasattr(x, "_data"):
        return np.asarray(x._data)
    if _torch is not None and isinstance(x, _torch.Tensor):
        return x.detach().cpu().numpy()
    return np.asarray(x)


def assert_close(actual, expected, rtol=1e-5, atol=1e-6, msg=""):
    a, e = to_numpy(actual), to_numpy(expected)
    assert a.shape == e.shape, f"{msg} shape {a.shape} != {e.shape}"
    np.testing.assert_allclose(
        a.astype(np.float64),
        e.astype(np.float64),
        rtol=rtol,
        atol=atol,
        equal_nan=True,
        err_msg=msg,
    )
