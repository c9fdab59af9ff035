"""Helpers for the data tests: a library-neutral view of a batch, and small datasets that
both ember's and torch's loaders can read (they return NumPy arrays and Python numbers)."""

from __future__ import annotations

import numpy as np

import ember


def plain(x):
    """A comparable description of a batch: tensors become (dtype name, shape, values),
    containers keep their type name and structure."""
    if isinstance(x, ember.Tensor) or type(x).__module__.startswith("torch"):
        if hasattr(x, "numpy"):
            arr = x._data if isinstance(x, ember.Tensor) else x.numpy()
            return ("tensor", str(x.dtype).split(".")[-1], tuple(arr.shape), arr.tolist())
    if isinstance(x, dict):
        return ("dict", {k: plain(v) for k, v in x.items()})
    if isinstance(x, tuple) and hasattr(x, "_fields"):
        return (type(x).__name__, tuple(plain(v) for v in x))
    if isinstance(x, list | tuple):
        return (type(x).__name__, [plain(v) for v in x])
    return x


class ArrayDataset:
    """Map-style: sample i is (float32 vector of i, int label i % 3), from NumPy alone."""

    def __init__(self, n: int = 10):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return np.full(3, i, dtype=np.float32), i % 3
