"""Sorting and selection: sort, argsort, topk, kthvalue, median, mode, quantile, unique,
bincount, searchsorted.

Ops that pick elements return int64 indices; their gradient flows to the picked positions
(a gather's backward), written once in ``Select``.
"""

from __future__ import annotations

import numpy as np

from .. import return_types
from ..autograd.function import Function
from ..backend import as_array, get_array_module, to_numpy
from ..tensor import Tensor
from ._args import wrap_dim
from ._out import takes_out, write_out

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


def _sort_key(a, descending):
    """An array whose ascending order is the wanted order of ``a``; NaN ranks as the largest
    value, as in torch."""
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
            key = -key.astype(np.int64)
    return key


def _order(a, dim, descending, stable=True):
    """Indices sorting ``a`` along ``dim`` (stable: equal values keep their order)."""
    return get_array_module(a).argsort(_sort_key(a, descending), axis=dim, kind="stable")


def _take_along(a, idx, axis):
    """``take_along_axis`` with a fast path for the last axis of a matrix (NumPy's own builds
    its index in Python on every call)."""
    xp = get_array_module(a)
    if a.ndim == 2 and axis in (1, -1):
        return a[xp.arange(a.shape[0])[:, None], idx]
    if a.ndim == 1:
        return a[idx]
    return xp.take_along_axis(a, idx, axis=axis)


class SortValues(Function):
    """Values picked along ``dim`` at ``indices`` (computed by the caller, with ``dim`` kept);
    ``keepdim=False`` drops that dim from the result. The gradient goes back to the picked
    positions."""

    node_name = "SortBackward0"

    @staticmethod
    def forward(ctx, x, dim, indices, keepdim=True):
        a = x._data
        ctx.dim, ctx.shape, ctx.keepdim = dim, a.shape, keepdim
        ctx.save_for_backward(indices)
        if a.ndim == 0:
            return a.copy()
        out = _take_along(a, indices._data, dim)
        return out if keepdim else out.squeeze(dim)

    @staticmethod
    def backward(ctx, g):
        from .creation import zeros
        from .indexing import scatter_add

        if not ctx.shape:
            return g, None, None, None
        (indices,) = ctx.saved_tensors
        if not ctx.keepdim:
            g = g.unsqueeze(ctx.dim)
        base = zeros(ctx.shape, dtype=g.dtype, device=g.device)
        return scatter_add(base, ctx.dim, indices, g), None, None, None


class StableSortValues(SortValues):
    node_name = "SortBackward1"


class TopkValues(SortValues):
    node_name = "TopkBackward0"


class KthvalueValues(SortValues):
    node_name = "KthvalueBackward0"


class MedianValues(SortValues):
    node_name = "MedianBackward1"


class NanmedianValues(SortValues):
    node_name = "NanmedianBackward1"


class ModeValues(SortValues):
    node_name = "ModeBackward0"


_ZERO_INDEX = np.zeros((), np.int64)


def _zero_dim(cls, input, result_type):
    """A 0-dim input: itself (through ``cls``, for torch's grad_fn) and index 0."""
    idx = _wrap(_ZERO_INDEX.copy())
    return result_type((cls.apply(input, 0, idx), _wrap(_ZERO_INDEX.copy())))


@takes_out("sort", cast=True)
def sort(input, dim=-1, descending=False, *, stable=False, out=None):
    """``(values, indices)`` sorted along ``dim``; NaN sorts as the largest value. The sort is
    always stable (equal values keep their order)."""
    if isinstance(dim, bool):
        dim, descending = -1, dim
    cls = StableSortValues if stable else SortValues
    a = input._data
    if a.ndim == 0:
        wrap_dim(dim, 0)
        return _zero_dim(cls, input, return_types.sort)
    d = wrap_dim(dim, a.ndim)
    idx = _wrap(_order(a, d, descending).astype(np.int64))
    return return_types.sort((cls.apply(input, d, idx), idx))


def argsort(input, dim=-1, descending=False, *, stable=False):
    """Indices that sort ``input`` along ``dim``."""
    a = input._data
    if a.ndim == 0:
        return _wrap(np.zeros((), np.int64))
    d = wrap_dim(dim, a.ndim)
    return _wrap(_order(a, d, descending).astype(np.int64))


def msort(input):
    return sort(input, 0).values


@takes_out("topk", cast=True)
def topk(input, k, dim=-1, largest=True, sorted=True, *, out=None):
    """The ``k`` largest (or smallest) elements along ``dim``: ``(values, indices)``."""
    a = input._data
    d = wrap_dim(dim, a.ndim) if a.ndim else 0
    n = a.shape[d] if a.ndim else 1
    if k < 0 or k > n:
        raise RuntimeError("selected index k out of range")
    if a.ndim == 0:
        return _zero_dim(TopkValues, input, return_types.topk)
    xp = get_array_module(a)
    if 0 < k < n // 4 and n > 64:
        # partition the k wanted elements to the front, then sort only those
        key = _sort_key(a, descending=largest)
        part = xp.take(xp.argpartition(key, k - 1, axis=d), xp.arange(k), axis=d)
        inner = xp.argsort(_take_along(key, part, d), axis=d, kind="stable")
        part = _take_along(part, inner, d)
        idx = _wrap(part.astype(np.int64))
    else:
        order = _order(a, d, descending=largest)
        idx = _wrap(xp.take(order, xp.arange(k), axis=d).astype(np.int64))
    return return_types.topk((TopkValues.apply(input, d, idx), idx))


@takes_out("kthvalue", cast=True)
def kthvalue(input, k, dim=-1, keepdim=False, *, out=None):
    """The ``k``-th smallest element along ``dim`` (1-based): ``(values, indices)``."""
    a = input._data
    d = wrap_dim(dim, a.ndim) if a.ndim else 0
    n = a.shape[d] if a.ndim else 1
    if k < 1 or k > n:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {d}")
    if a.ndim == 0:
        return _zero_dim(KthvalueValues, input, return_types.kthvalue)
    xp = get_array_module(a)
    # a partition puts the k-th smallest in place (NaN counts as the largest) without a sort
    part = xp.argpartition(_sort_key(a, descending=False), k - 1, axis=d)
    idx = xp.take(part, [k - 1], axis=d).astype(np.int64)
    return return_types.kthvalue(_pick(input, d, idx, keepdim, KthvalueValues))


def _pick(input, d, idx, keepdim, cls):
    """Values and indices at ``idx`` (an array with dim ``d`` of size 1) along ``d``."""
    values = cls.apply(input, d, _wrap(idx), keepdim)
    return values, _wrap(idx if keepdim else idx.squeeze(d))


def median(input, dim=None, keepdim=False, *, out=None):
    """The lower median (no averaging): over everything, or ``(values, indices)`` along
    ``dim``. NaN propagates."""
    return _median_out("median", out, input, dim, keepdim, False)


def nanmedian(input, dim=None, keepdim=False, *, out=None):
    """Like ``median`` over the non-NaN elements."""
    return _median_out("nanmedian", out, input, dim, keepdim, True)


def _median_out(name, out, input, dim, keepdim, ignore_nan):
    if out is not None and dim is None:  # torch's form over everything takes no out=
        raise TypeError(f'{name}() missing 1 required positional arguments: "dim"')
    return write_out(out, _median(input, dim, keepdim, ignore_nan=ignore_nan), name, True)


class MedianAll(Function):
    """The median of all elements; its gradient is shared evenly among the elements equal to
    it (NaN counting as equal to NaN), as torch defines it."""

    node_name = "MedianBackward0"

    @staticmethod
    def forward(ctx, x, ignore_nan):
        a = x._data.reshape(-1)
        xp = get_array_module(a)
        if a.dtype.kind == "f":
            nan = xp.isnan(a)
            if ignore_nan:
                a = a[~nan]
            elif bool(nan.any()):
                a = a[:0]
        if a.size == 0:  # NaN (torch gives the most negative integer for integer dtypes)
            out = np.nan if a.dtype.kind == "f" else np.iinfo(a.dtype).min
        else:
            k = (a.size - 1) // 2
            out = xp.partition(a, k)[k]
        res = _wrap(xp.asarray(out, dtype=x._data.dtype))
        ctx.save_for_backward(x, res)
        return res

    @staticmethod
    def backward(ctx, g):
        from .compare import isnan

        x, out = ctx.saved_tensors
        hit = x == out
        if x._data.dtype.kind == "f":
            hit = hit | (isnan(x) & isnan(out))
        return g * hit / hit.sum(), None


class NanmedianAll(MedianAll):
    node_name = "NanmedianBackward0"


def _median(input, dim, keepdim, ignore_nan):
    a = input._data
    xp = get_array_module(a)
    if dim is None:
        return (NanmedianAll if ignore_nan else MedianAll).apply(input, ignore_nan)
    cls = NanmedianValues if ignore_nan else MedianValues
    result_type = return_types.nanmedian if ignore_nan else return_types.median
    if a.ndim == 0:
        wrap_dim(dim, 0)
        return _zero_dim(cls, input, result_type)
    d = wrap_dim(dim, a.ndim)
    n = a.shape[d]
    if n == 0:
        name = "nanmedian" if ignore_nan else "median"
        raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")
    nan = xp.isnan(a) if a.dtype.kind == "f" else None
    if ignore_nan and nan is not None:
        # the lower median of each slice's non-NaN values (NaN sorts last)
        count = (~nan).sum(axis=d, keepdims=True)
        pos = xp.maximum((count - 1) // 2, 0)
        order = _order(a, d, descending=False)
        idx = xp.take_along_axis(order, pos.astype(np.int64), axis=d)
    else:
        part = xp.argpartition(_sort_key(a, descending=False), (n - 1) // 2, axis=d)
        idx = xp.take(part, [(n - 1) // 2], axis=d)
        if nan is not None:  # a slice holding NaN has median NaN: its first NaN
            idx = xp.where(nan.any(axis=d, keepdims=True), nan.argmax(axis=d, keepdims=True), idx)
    return result_type(_pick(input, d, idx.astype(np.int64), keepdim, cls))


@takes_out("mode", cast=True)
def mode(input, dim=-1, keepdim=False, *, out=None):
    """The most frequent value along ``dim`` (the smallest among equally frequent ones) and the
    last index where it occurs."""
    a = input._data
    xp = get_array_module(a)
    if a.ndim == 0:
        return return_types.mode((input.clone(), _wrap(xp.zeros((), np.int64))))
    d = wrap_dim(dim, a.ndim)
    if a.shape[d] == 0:
        raise IndexError(f"mode(): Expected reduction dim {d} to have non-zero size.")
    order = xp.moveaxis(_order(a, d, descending=False), d, -1)  # stable: equal values keep order
    ranked = xp.take_along_axis(xp.moveaxis(a, d, -1), order, axis=-1)
    pos = xp.arange(ranked.shape[-1])
    starts = xp.ones(ranked.shape, dtype=bool)
    starts[..., 1:] = ranked[..., 1:] != ranked[..., :-1]
    # the running length of each run of equal values; its first maximum ends the longest run
    run_start = xp.maximum.accumulate(xp.where(starts, pos, 0), axis=-1)
    best = xp.argmax(pos - run_start, axis=-1)[..., None]
    idx = xp.moveaxis(xp.take_along_axis(order, best, axis=-1), -1, d).astype(np.int64)
    return return_types.mode(_pick(input, d, idx, keepdim, ModeValues))


@takes_out("quantile", cast=True)
def quantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    """The ``q``-th quantiles (q a number or 1-D tensor in [0, 1]) along ``dim`` (of the
    flattened input when None). With sorted values v and rank r = q * (n - 1), 'linear' gives
    v[floor r] + (r - floor r) * (v[ceil r] - v[floor r]); 'lower', 'higher' and 'nearest' pick
    v[floor r], v[ceil r], v[round r]; 'midpoint' averages the two. A 1-D q adds a leading dim.
    A slice holding NaN gives NaN."""
    return _quantile(input, q, dim, keepdim, interpolation, ignore_nan=False)


@takes_out("nanquantile", cast=True)
def nanquantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    """``quantile`` over the non-NaN elements of each slice (NaN where all are NaN)."""
    return _quantile(input, q, dim, keepdim, interpolation, ignore_nan=True)


def _quantile_q(input, q):
    """q as a float64 array of shape (k,), and whether it was a scalar."""
    if isinstance(q, Tensor):
        if q._data.ndim > 1:
            raise RuntimeError("quantile() q must be a scalar or 1D tensor")
        if q._data.dtype != input._data.dtype:
            raise RuntimeError("quantile() q tensor must be same dtype as the input tensor")
        qs = np.asarray(to_numpy(q._data), dtype=np.float64)
        scalar = qs.ndim == 0
        if qs.size and (qs.min() < 0 or qs.max() > 1):
            raise RuntimeError("quantile() q values must be in the range [0, 1]")
        return qs.reshape(-1), scalar
    if isinstance(q, (list, tuple)):
        return _quantile_q(input, Tensor._make(np.asarray(q, input._data.dtype), False, None))
    if not 0 <= q <= 1:
        raise RuntimeError(f"quantile() q must be in the range [0, 1] but got {q}")
    return np.asarray([q], dtype=np.float64), True


def _quantile(input, q, dim, keepdim, interpolation, ignore_nan):
    from .indexing import gather

    a = input._data
    if a.dtype.kind != "f":
        raise RuntimeError("quantile() input tensor must be either float or double dtype")
    qs, scalar_q = _quantile_q(input, q)
    if interpolation not in ("linear", "lower", "higher", "midpoint", "nearest"):
        raise RuntimeError(
            "quantile() interpolation must be one of linear, lower, higher, midpoint or "
            f"nearest, but got {interpolation}"
        )
    if a.size == 0:
        raise RuntimeError("quantile() input tensor must be non-empty")
    if dim is None:
        x, d = input.reshape(-1), 0
        out_shape = (1,) * a.ndim if keepdim else ()
    else:
        d = wrap_dim(dim, a.ndim)
        x = input if a.ndim else input.reshape(1)
        kept = tuple(1 if i == d else s for i, s in enumerate(a.shape))
        out_shape = kept if keepdim else kept[:d] + kept[d + 1 :]
    xa = x._data
    xp = get_array_module(xa)
    n = xa.shape[d]
    values = sort(x, d).values  # NaN sorts last
    nan = xp.isnan(xa)
    qk = xp.asarray(qs, dtype=np.float64).reshape((-1,) + (1,) * xa.ndim)  # (k, 1, ...)
    if ignore_nan:
        count = (~nan).sum(axis=d, keepdims=True)
        rank = xp.maximum(qk * (count - 1), 0)  # an all-NaN slice picks v[0], a NaN
    else:
        rank = xp.where(nan.any(axis=d, keepdims=True), n - 1, qk * (n - 1))
    lo, hi = xp.floor(rank), xp.ceil(rank)
    weight = None
    if interpolation == "lower":
        hi = lo
    elif interpolation == "higher":
        lo = hi
    elif interpolation == "nearest":
        lo = hi = xp.round(rank)
    elif interpolation == "midpoint":
        weight = xp.where(hi > lo, 0.5, 0.0)
    else:
        weight = rank - lo
    k = qs.shape[0]
    expanded = values.unsqueeze(0).expand((k,) + xa.shape)
    below = gather(expanded, d + 1, _wrap(lo.astype(np.int64)))
    if weight is None:
        res = below
    else:
        above = gather(expanded, d + 1, _wrap(hi.astype(np.int64)))
        w = _wrap(weight.astype(xa.dtype))
        res = below + w * (above - below)
    res = res.reshape((k,) + out_shape)
    return res.reshape(out_shape) if scalar_q else res


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
    """Indices where ``values`` would be inserted into the (last dim of) ``sorted_sequence``
    to keep it sorted (after equal elements with ``right=True``)."""
    seq = sorted_sequence._data
    xp = get_array_module(seq)
    scalar = not isinstance(values, Tensor)
    v = xp.asarray(values if scalar else values._data)
    side = side or ("right" if right else "left")
    if sorter is not None:
        seq = xp.take_along_axis(seq, sorter._data, axis=-1)
    if seq.ndim <= 1:
        res = _batched_search(seq.reshape(1, -1), v.reshape(1, -1), side == "right")
        res = res.reshape(v.shape)
    else:
        if v.shape[:-1] != seq.shape[:-1]:
            raise RuntimeError(
                "torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 "
                "dimensions of boundaries tensor and input value tensor must match, but we got "
                f"boundaries tensor {list(seq.shape)} and input value tensor {list(v.shape)}"
            )
        res = _batched_search(seq, v, side == "right")
    return _wrap(xp.asarray(res).astype(np.int32 if out_int32 else np.int64))


def _batched_search(seq, v, right):
    """Binary search of each row of ``v`` in the matching row of ``seq`` (2-D arrays), all
    rows at once: log2(n) vectorized steps."""
    xp = get_array_module(seq)
    n = seq.shape[-1]
    rows = seq.reshape(-1, n)
    vals = v.reshape(rows.shape[0], -1)
    lo = xp.zeros(vals.shape, dtype=np.int64)
    hi = xp.full(vals.shape, n, dtype=np.int64)
    for _ in range(int(n).bit_length()):
        mid = (lo + hi) // 2
        probe = xp.take_along_axis(rows, xp.minimum(mid, n - 1), axis=1)
        # go right unless the value sorts at or before the probe: as torch compares, a NaN
        # on either side sends the search right
        before = ~(vals < probe) if right else ~(vals <= probe)
        active = lo < hi
        lo = xp.where(active & before, mid + 1, lo)
        hi = xp.where(active & ~before, mid, hi)
    return lo.reshape(v.shape)


def bucketize(input, boundaries, *, out_int32=False, right=False):
    """The bucket index of each element of ``input`` given sorted 1-D ``boundaries``."""
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)
