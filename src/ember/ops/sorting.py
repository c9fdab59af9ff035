"""Sorting and selection: sort, argsort, topk, kthvalue, median, mode, quantile, unique,
bincount, searchsorted.

Ops that pick elements return int64 indices; their gradient flows to the picked positions
(a gather's backward), written once in ``Select``.
"""

from __future__ import annotations

import numpy as np

from .. import return_types
from ..autograd.function import Function
from ..backend import as_array, get_array_module
from ..tensor import Tensor
from ._args import wrap_dim

__all__ = [
    "sort",
    "argsort",
    "msort",
    "topk",
    "kthvalue",
    "median",
    "nanmedian",
    "mode",
    "quantile",
    "nanquantile",
    "unique",
    "unique_consecutive",
    "bincount",
    "searchsorted",
    "bucketize",
]


def _wrap(a) -> Tensor:
    return Tensor._make(as_array(a), False, None)


def _order(a, dim, descending, stable=True):
    """Indices sorting ``a`` along ``dim``; NaN sorts as the largest value, as in torch."""
    xp = get_array_module(a)
    if a.dtype.kind == "b":
        key = a.astype(np.int8)
    elif a.dtype.kind == "u":
        key = a.astype(np.int64)
    else:
        key = a
    if descending:
        if key.dtype.kind == "f":
            key = xp.where(xp.isnan(key), -np.inf, -key)
        else:
            key = -key.astype(np.int64) if key.dtype != np.int64 else -key
    return xp.argsort(key, axis=dim, kind="stable")


class SortValues(Function):
    """Values picked along ``dim`` at ``indices`` (which the forward computed)."""

    node_name = "SortBackward0"

    @staticmethod
    def forward(ctx, x, dim, indices):
        ctx.dim, ctx.shape = dim, x._data.shape
        ctx.save_for_backward(indices)
        return get_array_module(x._data).take_along_axis(x._data, indices._data, axis=dim)

    @staticmethod
    def backward(ctx, g):
        from .creation import zeros
        from .indexing import scatter_add

        (indices,) = ctx.saved_tensors
        base = zeros(ctx.shape, dtype=g.dtype, device=g.device)
        return scatter_add(base, ctx.dim, indices, g), None, None


class TopkValues(SortValues):
    node_name = "TopkBackward0"


class KthvalueValues(SortValues):
    node_name = "KthvalueBackward0"


class MedianValues(SortValues):
    node_name = "MedianBackward1"


class ModeValues(SortValues):
    node_name = "ModeBackward0"


def sort(input, dim=-1, descending=False, *, stable=False, out=None):
    """``(values, indices)`` sorted along ``dim`` (stable; NaN last ascending)."""
    if isinstance(dim, bool):
        dim, descending = -1, dim
    a = input._data
    if a.ndim == 0:
        return return_types.sort((input.clone(), _wrap(np.zeros((), np.int64))))
    d = wrap_dim(dim, a.ndim)
    idx = _wrap(_order(a, d, descending).astype(np.int64))
    return return_types.sort((SortValues.apply(input, d, idx), idx))


def argsort(input, dim=-1, descending=False, *, stable=False):
    """Indices that sort ``input`` along ``dim``."""
    a = input._data
    if a.ndim == 0:
        return _wrap(np.zeros((), np.int64))
    d = wrap_dim(dim, a.ndim)
    return _wrap(_order(a, d, descending).astype(np.int64))


def msort(input):
    return sort(input, 0).values


def topk(input, k, dim=-1, largest=True, sorted=True, *, out=None):
    """The ``k`` largest (or smallest) elements along ``dim``: ``(values, indices)``."""
    a = input._data
    d = wrap_dim(dim, a.ndim) if a.ndim else 0
    n = a.shape[d] if a.ndim else 1
    if k < 0 or k > n:
        raise RuntimeError("selected index k out of range")
    if a.ndim == 0:
        return return_types.topk((input.clone(), _wrap(np.zeros((), np.int64))))
    xp = get_array_module(a)
    order = _order(a, d, descending=largest)
    idx = _wrap(xp.take(order, xp.arange(k), axis=d).astype(np.int64))
    return return_types.topk((TopkValues.apply(input, d, idx), idx))


def kthvalue(input, k, dim=-1, keepdim=False, *, out=None):
    """The ``k``-th smallest element along ``dim`` (1-based): ``(values, indices)``."""
    a = input._data
    d = wrap_dim(dim, a.ndim) if a.ndim else 0
    n = a.shape[d] if a.ndim else 1
    if k < 1 or k > n:
        raise IndexError(f"kthvalue(): selected number k out of range for dimension {d}")
    if a.ndim == 0:
        return return_types.kthvalue((input.clone(), _wrap(np.zeros((), np.int64))))
    xp = get_array_module(a)
    order = _order(a, d, descending=False)
    idx = xp.take(order, [k - 1], axis=d).astype(np.int64)
    return return_types.kthvalue(_pick(input, d, idx, keepdim, KthvalueValues))


def _pick(input, d, idx, keepdim, cls):
    """Values and indices at ``idx`` (kept dim of size 1) along ``d``."""
    indices = _wrap(idx)
    values = cls.apply(input, d, indices)
    if not keepdim:
        values = values.squeeze(d)
        indices = _wrap(idx.squeeze(d))
    return values, indices


def median(input, dim=None, keepdim=False, *, out=None):
    """The lower median (no averaging): over everything, or ``(values, indices)`` along
    ``dim``. NaN propagates."""
    return _median(input, dim, keepdim, ignore_nan=False)


def nanmedian(input, dim=None, keepdim=False, *, out=None):
    """Like ``median`` over the non-NaN elements."""
    return _median(input, dim, keepdim, ignore_nan=True)


def _median(input, dim, keepdim, ignore_nan):
    a = input._data
    xp = get_array_module(a)
    flat = dim is None
    if flat:
        x = input.reshape(-1)
        d = 0
    else:
        x = input if a.ndim else input.reshape(1)
        d = wrap_dim(dim, a.ndim) if a.ndim else 0
    arr = x._data
    if arr.shape[d] == 0:
        if flat:
            return _wrap(xp.asarray(np.nan, dtype=a.dtype))
        raise IndexError(f"median(): Expected reduction dim {d} to have non-zero size.")
    order = _order(arr, d, descending=False)
    if ignore_nan and arr.dtype.kind == "f":
        count = (~xp.isnan(arr)).sum(axis=d, keepdims=True)
        pos = xp.maximum((count - 1) // 2, 0)
    else:
        pos = xp.full(
            tuple(1 if i == d else s for i, s in enumerate(arr.shape)), (arr.shape[d] - 1) // 2
        )
        if arr.dtype.kind == "f":
            # any NaN makes the median NaN: pick the first NaN (sorted last)
            has_nan = xp.isnan(arr).any(axis=d, keepdims=True)
            first_nan = (~xp.isnan(arr)).sum(axis=d, keepdims=True)
            pos = xp.where(has_nan, first_nan, pos)
    idx = xp.take_along_axis(order, pos.astype(np.int64), axis=d).astype(np.int64)
    values, indices = _pick(x, d, idx, keepdim or False, MedianValues)
    if flat:
        return values.reshape(())
    if a.ndim == 0:
        values, indices = values.reshape(()), indices.reshape(())
    cls = return_types.nanmedian if ignore_nan else return_types.median
    return cls((values, indices))


def mode(input, dim=-1, keepdim=False, *, out=None):
    """The most frequent value along ``dim`` (the smallest among ties) and an index of it."""
    a = input._data
    xp = get_array_module(a)
    if a.ndim == 0:
        return return_types.mode((input.clone(), _wrap(np.zeros((), np.int64))))
    d = wrap_dim(dim, a.ndim)
    moved = np.moveaxis(np.asarray(a), d, -1)
    rows = moved.reshape(-1, moved.shape[-1])
    best_idx = np.zeros(rows.shape[0], dtype=np.int64)
    for r, row in enumerate(rows):
        vals, counts = np.unique(row, return_counts=True)
        v = vals[np.argmax(counts)]
        best_idx[r] = np.nonzero(row == v)[0][-1]
    idx = np.moveaxis(best_idx.reshape(moved.shape[:-1] + (1,)), -1, d)
    return return_types.mode(_pick(input, d, xp.asarray(idx), keepdim, ModeValues))


def quantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    """The ``q``-th quantiles (q a number or 1-D tensor in [0, 1]) along ``dim``."""
    return _quantile(input, q, dim, keepdim, interpolation)


def nanquantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    """``quantile`` ignoring NaN (ember computes it only for inputs without NaN)."""
    if bool(get_array_module(input._data).isnan(input._data).any()):
        raise NotImplementedError("ember.nanquantile: inputs containing NaN are not supported")
    return _quantile(input, q, dim, keepdim, interpolation)


def _quantile(input, q, dim, keepdim, interpolation):
    from .shape import stack

    if input._data.dtype.kind != "f":
        raise RuntimeError("quantile() input tensor must be either float or double dtype")
    qs = q._data.tolist() if isinstance(q, Tensor) else q
    scalar_q = not isinstance(qs, list)
    qs = [qs] if scalar_q else qs
    if any(v < 0 or v > 1 for v in qs):
        raise RuntimeError("quantile() q values must be in the range [0, 1]")
    if interpolation not in ("linear", "lower", "higher", "midpoint", "nearest"):
        raise RuntimeError(
            "quantile() interpolation must be one of linear, lower, higher, midpoint or "
            f"nearest. Got {interpolation}"
        )
    x = input.reshape(-1) if dim is None else input
    d = 0 if dim is None else wrap_dim(dim, input.dim())
    values = sort(x, d).values
    n = x.shape[d]
    outs = []
    for v in qs:
        pos = v * (n - 1)
        lo = int(np.floor(pos))
        hi = min(lo + 1, n - 1)
        frac = pos - lo
        if interpolation == "lower":
            r = values.select(d, lo)
        elif interpolation == "higher":
            r = values.select(d, int(np.ceil(pos)))
        elif interpolation == "nearest":
            r = values.select(d, int(np.round(pos)))
        elif interpolation == "midpoint":
            r = (
                values.select(d, lo) * 0.5 + values.select(d, hi) * 0.5
                if frac
                else (values.select(d, lo))
            )
        else:
            r = values.select(d, lo) + (values.select(d, hi) - values.select(d, lo)) * frac
        if keepdim:
            r = r.unsqueeze(d) if dim is not None else r.reshape((1,) * input.dim())
        outs.append(r)
    return outs[0] if scalar_q else stack(outs, 0)


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """The distinct elements (sorted), optionally with inverse indices and counts."""
    a = np.asarray(input._data)
    xp = get_array_module(input._data)
    res = np.unique(a, return_inverse=True, return_counts=True, axis=dim)
    vals, inv, counts = res
    out = [_wrap(xp.asarray(vals))]
    if return_inverse:
        shape = a.shape if dim is None else (a.shape[dim],)
        out.append(_wrap(xp.asarray(inv.reshape(shape).astype(np.int64))))
    if return_counts:
        out.append(_wrap(xp.asarray(counts.astype(np.int64))))
    return out[0] if len(out) == 1 else tuple(out)


def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    a = np.asarray(input._data).reshape(-1) if dim is None else np.asarray(input._data)
    if dim is not None:
        raise NotImplementedError("ember.unique_consecutive: dim is not supported")
    if a.size == 0:
        starts = np.zeros(0, dtype=bool)
    else:
        starts = np.concatenate([[True], a[1:] != a[:-1]])
    vals = a[starts]
    out = [_wrap(vals)]
    if return_inverse:
        out.append(_wrap((np.cumsum(starts) - 1).reshape(input._data.shape).astype(np.int64)))
    if return_counts:
        edges = np.flatnonzero(np.concatenate([starts, [True]]))
        out.append(_wrap(np.diff(edges).astype(np.int64)))
    return out[0] if len(out) == 1 else tuple(out)


def bincount(input, weights=None, minlength=0):
    """Counts of each non-negative integer in a 1-D int tensor (weighted if ``weights``)."""
    a = input._data
    if a.ndim != 1 or a.dtype.kind not in "iu":
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if a.size and a.min() < 0:
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    xp = get_array_module(a)
    w = None if weights is None else weights._data
    out = xp.bincount(a, weights=w, minlength=minlength)
    if w is None:
        out = out.astype(np.int64)
    elif w.dtype == np.float32:
        out = out.astype(np.float32)
    return _wrap(out)


def searchsorted(sorted_sequence, values, *, out_int32=False, right=False, side=None, sorter=None):
    """Indices where ``values`` would be inserted into the (last dim of) ``sorted_sequence``."""
    seq = np.asarray(sorted_sequence._data)
    scalar = not isinstance(values, Tensor)
    v = np.asarray(values if scalar else values._data)
    side = side or ("right" if right else "left")
    if seq.ndim == 1:
        res = np.searchsorted(seq, v, side=side)
    else:
        flat_seq = seq.reshape(-1, seq.shape[-1])
        flat_v = v.reshape(flat_seq.shape[0], -1)
        res = np.stack([np.searchsorted(s, x, side=side) for s, x in zip(flat_seq, flat_v)])
        res = res.reshape(v.shape)
    return _wrap(np.asarray(res).astype(np.int32 if out_int32 else np.int64))


def bucketize(input, boundaries, *, out_int32=False, right=False):
    """The bucket index of each element of ``input`` given sorted 1-D ``boundaries``."""
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)
