"""Moving optimizer and scheduler state between ember and torch, through NumPy."""

from __future__ import annotations

import copy

import numpy as np

import ember


def to_torch(value, torch):
    """``value`` with every ember tensor (at any depth) replaced by a torch tensor copy."""
    if isinstance(value, ember.Tensor):
        return torch.from_numpy(np.array(value._data, copy=True))
    return _map(value, lambda v: to_torch(v, torch))


def to_ember(value, torch):
    """``value`` with every torch tensor (at any depth) replaced by an ember tensor copy."""
    if isinstance(value, torch.Tensor):
        return ember.from_numpy(value.detach().numpy().copy())
    return _map(value, lambda v: to_ember(v, torch))


def _map(value, fn):
    if isinstance(value, dict):
        out = copy.copy(value)  # keeps the mapping's type (Counter, OrderedDict, ...)
        for k, v in value.items():
            out[k] = fn(v)
        return out
    if isinstance(value, (list, tuple)):
        return type(value)(fn(v) for v in value)
    return value


def array(value) -> np.ndarray:
    """The values of an ember or torch tensor as a NumPy array."""
    if isinstance(value, ember.Tensor):
        return np.asarray(value._data)
    return value.detach().numpy()


def dtype_name(value) -> str:
    """'float32', 'float64', ... for an ember or a torch tensor."""
    return str(value.dtype).split(".")[-1]
