"""Shared test helpers: the optional torch oracle, array comparisons, and the outcome of a
snippet run with each framework."""

from __future__ import annotations

import warnings

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


def outcome(lib, code: str, *, keep_warnings: bool = True, **names) -> str:
    """What ``code`` does with ``T`` bound to ``lib`` (ember or torch; ``np`` and ``names``
    bound too): ``repr(r)`` and the warnings given (category and message; ignored unless
    ``keep_warnings``), or the exception's type and message; torch's prefixes written as
    ember's, so that the two compare as text."""
    ns = {"T": lib, "np": np, **names}
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always" if keep_warnings else "ignore")
            exec(code, ns)
    except Exception as exc:  # the exception type and message are the outcome
        out = f"{type(exc).__name__}: {exc}"
    else:
        out = repr(ns.get("r"))
        for w in caught:
            out += f" [{w.category.__name__}: {str(w.message).split(' (Triggered')[0]}]"
    return out.replace("torch.", "ember.").replace("torch::", "ember::")
