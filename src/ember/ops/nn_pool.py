"""Pooling of ``ember.nn.functional``: max and average pooling (1, 2 and 3 spatial dims, with
padding, dilation, ceil_mode), adaptive average and max pooling.

A pooling window's offsets are few, the pixels many: each pool loops over the kernel offsets and
treats all windows at once through a strided slice of the (padded) input. Max pooling keeps,
like torch, the flat index of each maximum in its input plane; its backward scatters the
gradient back to the maxima (``MaxPoolUnpool``, whose own backward gathers). Average pooling is
linear, its backward (``AvgPoolAdjoint``) spreads each gradient over its window. Adaptive
average pooling is separable: one small averaging matrix per dim. 1-D pools run as 2-D pools of
height 1, as in torch.
"""

from __future__ import annotations

import math

import numpy as np

from ..autograd.function import Function
from ..backend import get_array_module, threads
from ..tensor import Tensor
from .inplace import type_word
from .nn_conv import _region, _windows
from .nn_misc import area_matrix, resample

__all__ = [
    "max_pool1d",
    "max_pool2d",
    "max_pool3d",
    "max_pool1d_with_indices",
    "max_pool2d_with_indices",
    "max_pool3d_with_indices",
    "avg_pool1d",
    "avg_pool2d",
    "avg_pool3d",
    "adaptive_avg_pool1d",
    "adaptive_avg_pool2d",
    "adaptive_avg_pool3d",
    "adaptive_max_pool1d",
    "adaptive_max_pool2d",
    "adaptive_max_pool1d_with_indices",
    "adaptive_max_pool2d_with_indices",
    "max_unpool2d",
]


# -- geometry ----------------------------------------------------------------------------------
def _pool_out(size, k, s, p, d, ceil_mode) -> int:
    span = size + 2 * p - d * (k - 1) - 1
    out = (-(-span // s) if ceil_mode else span // s) + 1
    if ceil_mode and (out - 1) * s >= size + p:
        out -= 1  # the last window must start inside the input or its left padding
    return out


def _slices(offs, dilation, stride, out):
    return (slice(None), slice(None)) + _region(offs, dilation, stride, out)


def _padded(a, pads, fill):
    """``a`` (N, C, *S) padded by (lo, hi) per spatial dim with ``fill``."""
    if not any(lo or hi for lo, hi in pads):
        return a
    xp = get_array_module(a)
    shape = a.shape[:2] + tuple(n + lo + hi for n, (lo, hi) in zip(a.shape[2:], pads))
    buf = xp.full(shape, fill, dtype=a.dtype)
    inner = tuple(slice(lo, lo + n) for n, (lo, _) in zip(a.shape[2:], pads))
    buf[(slice(None), slice(None)) + inner] = a
    return buf


def _pads(sizes, ksize, stride, padding, dilation, out):
    """(lo, hi) per dim: hi grows past ``padding`` when ceil_mode windows run off the end."""
    return tuple(
        (p, max(p, (o - 1) * s + d * (k - 1) + 1 - n - p))
        for n, k, s, p, d, o in zip(sizes, ksize, stride, padding, dilation, out)
    )


# -- max pooling -------------------------------------------------------------------------------
def _offset_dtype(n: int):
    return np.int8 if n <= 127 else np.int16 if n <= 32767 else np.int32


def _max_pool_array(a, geom):
    """(values, kernel offset number of each maximum), the first maximum winning ties; large
    batches in parallel parts of samples."""
    ksize, stride, padding, dilation, out = geom
    xp = get_array_module(a)
    n = a.shape[0]
    best = xp.empty(a.shape[:2] + tuple(out), dtype=a.dtype)
    arg = xp.empty(best.shape, dtype=_offset_dtype(math.prod(ksize)))

    def part(lo, hi):
        _max_pool_part(a[lo:hi], geom, best[lo:hi], arg[lo:hi])

    threads.parallel_for(part, n, threads.grain(math.prod(a.shape[1:]), xp=xp))
    return best, arg


def _max_pool_part(a, geom, best, arg):
    """``_max_pool_array`` of ``a`` into ``best`` and ``arg``."""
    ksize, stride, padding, dilation, out = geom
    xp = get_array_module(a)
    pads = _pads(a.shape[2:], ksize, stride, padding, dilation, out)
    low = -xp.inf if a.dtype.kind == "f" else np.iinfo(a.dtype).min
    buf = _padded(a, pads, low)
    # every window at once as one contiguous (prod(K), N, C, *L) copy of a strided view: the
    # loop below then reads contiguous rows (on strided views it runs about 30% slower)
    k = len(ksize)
    win = _windows(buf, ksize, stride, dilation, out)  # (N, C, *K, *L)
    win = xp.moveaxis(win, tuple(range(2, 2 + k)), tuple(range(k)))
    views = xp.ascontiguousarray(win).reshape((math.prod(ksize),) + buf.shape[:2] + tuple(out))
    best[...] = views[0]
    arg[...] = 0
    for k, v in enumerate(views[1:], 1):
        upd = v > best
        xp.maximum(best, v, out=best)  # NaN propagates, as in torch
        arg += upd * (k - arg)  # arg = k where the window's maximum moved to offset k
    if a.dtype.kind == "f" and xp.isnan(best).any():
        # the first NaN of a window is its maximum (torch's index); rare, so a second pass
        seen = xp.isnan(views[0])
        arg[seen] = 0
        for k, v in enumerate(views[1:], 1):
            nan = xp.isnan(v) & ~seen
            arg[nan] = k
            seen |= nan


def _flat_indices(arg, sizes, geom):
    """Flat positions in the input plane of the maxima given by kernel offset numbers."""
    ksize, stride, padding, dilation, out = geom
    xp = get_array_module(arg)
    k = len(ksize)
    strides = [math.prod(sizes[i + 1 :]) for i in range(k)]
    table = np.zeros(math.prod(ksize), dtype=np.int64)
    for n, offs in enumerate(np.ndindex(*ksize)):
        table[n] = sum(o * d * st for o, d, st in zip(offs, dilation, strides))
    base = 0
    for i in range(k):
        pos = np.arange(out[i]) * stride[i] - padding[i]
        base = base + (pos * strides[i]).reshape((-1,) + (1,) * (k - 1 - i))
    return xp.asarray(base) + xp.asarray(table)[arg]


def _overlapping(ksize, stride, dilation) -> bool:
    return any(s < d * (k - 1) + 1 for k, s, d in zip(ksize, stride, dilation))


def _tiling(ksize, stride, dilation, out, sizes) -> bool:
    """Whether the windows cover each of ``sizes`` (padded) exactly once: contiguous
    windows (no dilation) each starting where the last ended, out to the end."""
    return all(
        d == 1 and k == s and o * s == n
        for k, s, d, o, n in zip(ksize, stride, dilation, out, sizes)
    )


class MaxPool(Function):
    """Every window's maximum, and (when asked) the flat indices of the maxima."""

    @staticmethod
    def forward(ctx, x, geom, want_indices):
        a = x._data
        values, arg = _max_pool_array(a, geom)
        ctx.arg, ctx.geom, ctx.shape = arg, geom, a.shape
        idx = _flat_indices(arg, a.shape[2:], geom) if want_indices else None
        return values, idx

    @staticmethod
    def backward(ctx, g, _gi):
        return MaxPoolUnpool.apply(g, ctx.arg, ctx.geom, ctx.shape), None, None


class MaxPool2d(MaxPool):
    node_name = "MaxPool2DWithIndicesBackward0"


class MaxPool3d(MaxPool):
    node_name = "MaxPool3DWithIndicesBackward0"


class MaxPoolUnpool(Function):
    """Each gradient added at its window's maximum (given by kernel offset numbers): the
    adjoint of ``MaxPoolGather``."""

    node_name = "MaxPoolWithIndicesBackwardBackward0"

    @staticmethod
    def forward(ctx, g, arg, geom, shape):
        a = g._data
        xp = get_array_module(a)
        ksize, stride, padding, dilation, out = geom
        pads = _pads(shape[2:], ksize, stride, padding, dilation, out)
        padded = shape[:2] + tuple(n + lo + hi for n, (lo, hi) in zip(shape[2:], pads))
        disjoint = not _overlapping(ksize, stride, dilation)
        # windows that tile the (padded) input write each element once below: nothing to zero
        buf = (xp.empty if _tiling(ksize, stride, dilation, out, padded[2:]) else xp.zeros)(
            padded, dtype=a.dtype
        )
        offsets = list(enumerate(np.ndindex(*ksize)))

        def part(lo, hi):  # samples lo:hi
            gs, args, bs = a[lo:hi], arg[lo:hi], buf[lo:hi]
            for k, offs in offsets:
                region = bs[_slices(offs, dilation, stride, out)]
                if disjoint:
                    xp.multiply(gs, args == k, out=region)
                else:
                    region += gs * (args == k)

        threads.parallel_for(part, shape[0], threads.grain(math.prod(shape[1:]), xp=xp))
        ctx.arg, ctx.geom = arg, geom
        crop = (slice(None), slice(None)) + tuple(
            slice(lo, lo + n) for n, (lo, _) in zip(shape[2:], pads)
        )
        return buf if padded == shape else xp.ascontiguousarray(buf[crop])

    @staticmethod
    def backward(ctx, gg):
        return MaxPoolGather.apply(gg, ctx.arg, ctx.geom), None, None, None


class MaxPoolGather(Function):
    """The value of each window's maximum position: the adjoint of ``MaxPoolUnpool``."""

    node_name = "MaxPoolWithIndicesBackwardBackward0"

    @staticmethod
    def forward(ctx, x, arg, geom):
        a = x._data
        xp = get_array_module(a)
        ksize, stride, padding, dilation, out = geom
        buf = _padded(a, _pads(a.shape[2:], ksize, stride, padding, dilation, out), 0)
        res = xp.zeros(arg.shape, dtype=a.dtype)
        for k, offs in enumerate(np.ndindex(*ksize)):
            res += buf[_slices(offs, dilation, stride, out)] * (arg == k)
        ctx.arg, ctx.geom, ctx.shape = arg, geom, a.shape
        return res

    @staticmethod
    def backward(ctx, g):
        return MaxPoolUnpool.apply(g, ctx.arg, ctx.geom, ctx.shape), None, None


class IndexScatter(Function):
    """gx[n, c, idx[n, c, l]] += g[n, c, l] for flat indices into each plane (adaptive max
    pooling, max_unpool); its backward gathers at the same indices."""

    node_name = "AdaptiveMaxPoolBackwardBackward0"

    @staticmethod
    def forward(ctx, g, idx, shape):
        a = g._data
        xp = get_array_module(a)
        rows = shape[0] * shape[1]
        plane = math.prod(shape[2:])
        base = (xp.arange(rows) * plane)[:, None]
        flat = (idx.reshape(rows, -1) + base).ravel()
        out = xp.bincount(flat, weights=a.reshape(-1), minlength=rows * plane)
        ctx.idx = idx
        return out.astype(a.dtype, copy=False).reshape(shape)

    @staticmethod
    def backward(ctx, gg):
        idx = ctx.idx
        rows = idx.shape[0] * idx.shape[1]
        flat = gg.reshape(rows, -1)
        picked = flat.gather(1, Tensor._make(idx.reshape(rows, -1), False, None))
        return picked.reshape(idx.shape), None, None


def _ntuple(name: str, fn: str, v, k: int, allow_empty=False) -> tuple:
    if isinstance(v, (list, tuple)):
        if len(v) == 1:
            return (int(v[0]),) * k
        if len(v) != k:
            kind = "int" if k == 1 else {2: "two", 3: "three"}[k] + " ints"
            raise RuntimeError(f"{fn}: {name} must either be a single int, or a tuple of {kind}")
        return tuple(int(i) for i in v)
    return (int(v),) * k


def _check_input(fn: str, x: Tensor, k: int):
    nd = x._data.ndim
    if nd not in (k + 1, k + 2) or any(s == 0 for s in x._data.shape[-k:]):
        raise RuntimeError(f"non-empty {k + 1}D or {k + 2}D (batch mode) tensor expected for input")
    return nd == k + 1


def _pool_args(fn, x, k, kernel_size, stride, padding, dilation, ceil_mode):
    ksize = _ntuple("kernel_size", fn, kernel_size, k)
    if stride is None or (isinstance(stride, (list, tuple)) and len(stride) == 0):
        st = ksize
    else:
        st = _ntuple("stride", fn, stride, k)
    pad = _ntuple("padding", fn, padding, k)
    dil = _ntuple("dilation", fn, dilation, k)
    if any(s == 0 for s in st):
        raise RuntimeError("stride should not be zero")
    if any(d <= 0 for d in dil):
        raise RuntimeError(
            "dilation should be greater than zero, but got "
            + " ".join(f"dilation{n}: {d}" for n, d in zip("DHW"[3 - k :], dil))
        )
    for kk, p, d in zip(ksize, pad, dil):
        if p > (d * (kk - 1) + 1) // 2:
            raise RuntimeError(
                f"pad should be at most half of effective kernel size, but got pad={p}, "
                f"kernel_size={kk} and dilation={d}"
            )
    sizes = x._data.shape[-k:]
    geometry = zip(sizes, ksize, st, pad, dil)
    out = tuple(_pool_out(n, kk, s, p, d, ceil_mode) for n, kk, s, p, d in geometry)
    if any(o <= 0 for o in out):
        c = x._data.shape[-k - 1]
        raise RuntimeError(
            f"Given input size: ({'x'.join(map(str, (c,) + tuple(sizes)))}). Calculated output "
            f"size: ({'x'.join(map(str, (c,) + out))}). Output size is too small"
        )
    return ksize, st, pad, dil, out


_MAX_POOLS = {2: MaxPool2d, 3: MaxPool3d}


def _max_pool(k, input, kernel_size, stride, padding, dilation, ceil_mode, want_indices=True):
    fn = f"max_pool{k}d"
    unbatched = _check_input(fn, input, k)
    geom = _pool_args(fn, input, k, kernel_size, stride, padding, dilation, ceil_mode)
    x = input.unsqueeze(0) if unbatched else input
    out, idx = _MAX_POOLS[k].apply(x, geom, want_indices)
    if unbatched:
        return out.squeeze(0), None if idx is None else idx.squeeze(0)
    return out, idx


def max_pool2d_with_indices(
    input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False
):
    """``max_pool2d`` returning (values, indices) always."""
    return _max_pool(2, input, kernel_size, stride, padding, dilation, ceil_mode)


def max_pool2d(
    input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False
):
    """2-D max pooling. Shapes: (N, C, H, W) or (C, H, W) -> (N, C, H_out, W_out), H_out =
    floor((H + 2 padding - dilation (kH - 1) - 1) / stride) + 1 (ceil with ``ceil_mode``).
    stride defaults to kernel_size; padding counts as -inf and is at most half the kernel.
    ``return_indices`` also returns each maximum's flat index in its (H, W) plane."""
    out, idx = _max_pool(
        2, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices
    )
    return (out, idx) if return_indices else out


def max_pool3d_with_indices(
    input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False
):
    """``max_pool3d`` returning (values, indices) always."""
    return _max_pool(3, input, kernel_size, stride, padding, dilation, ceil_mode)


def max_pool3d(
    input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False
):
    """3-D max pooling of (N, C, D, H, W) or (C, D, H, W) inputs; see ``max_pool2d``."""
    out, idx = _max_pool(
        3, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices
    )
    return (out, idx) if return_indices else out


def _as_2d(v):
    """A 1-D pooling argument as its 2-D form of height 1."""
    if isinstance(v, (list, tuple)):
        v = v[0] if len(v) else v
    return v


def _max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, want_indices):
    if input._data.ndim not in (2, 3) or input._data.shape[-1] == 0:
        shape = list(input._data.shape)
        raise RuntimeError(f"max_pool1d() Expected 2D or 3D input tensor, but got {shape}")
    x = input.unsqueeze(-2)
    st = None if stride is None or stride == [] or stride == () else (1, _as_2d(stride))
    ksize, pad, dil = (1, _as_2d(kernel_size)), (0, _as_2d(padding)), (1, _as_2d(dilation))
    out, idx = _max_pool(2, x, ksize, st, pad, dil, ceil_mode, want_indices)
    return out.squeeze(-2), None if idx is None else idx.squeeze(-2)


def max_pool1d_with_indices(
    input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False
):
    """``max_pool1d`` returning (values, indices) always."""
    return _max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool1d(
    input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False
):
    """1-D max pooling of (N, C, L) or (C, L) inputs; see ``max_pool2d``."""
    out, idx = _max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)
    return (out, idx) if return_indices else out


# -- average pooling ---------------------------------------------------------------------------
def _divisor(xp, sizes, ksize, stride, padding, out, count_include_pad, override, dtype):
    if override is not None:
        return dtype.type(override)
    div = 1
    k = len(sizes)
    for i, (n, kk, s, p, o) in enumerate(zip(sizes, ksize, stride, padding, out)):
        start = np.arange(o) * s - p
        end = np.minimum(start + kk, n + p)
        size = end - start if count_include_pad else np.minimum(end, n) - np.maximum(start, 0)
        div = div * size.reshape((-1,) + (1,) * (k - 1 - i))
    return xp.asarray(div, dtype=dtype)


class AvgPool(Function):
    """Every window's sum divided by its divisor (the window size, the part of it inside the
    input, or ``divisor_override``)."""

    @staticmethod
    def forward(ctx, x, geom, div):
        ksize, stride, pads, out = geom
        a = x._data
        buf = _padded(a, pads, 0)
        acc = None
        for offs in np.ndindex(*ksize):
            v = buf[_slices(offs, (1,) * len(ksize), stride, out)]
            acc = v.copy() if acc is None else acc.__iadd__(v)
        acc /= div
        ctx.geom, ctx.div, ctx.shape = geom, div, a.shape
        return acc

    @staticmethod
    def backward(ctx, g):
        return AvgPoolAdjoint.apply(g, ctx.geom, ctx.div, ctx.shape, type(ctx)._fn), None, None


class AvgPool2d(AvgPool):
    node_name = "AvgPool2DBackward0"


class AvgPool3d(AvgPool):
    node_name = "AvgPool3DBackward0"


class AvgPoolAdjoint(Function):
    """Each output gradient, divided by its divisor, added over its window."""

    node_name = "AvgPoolBackwardBackward0"

    @staticmethod
    def forward(ctx, g, geom, div, shape, pool_cls):
        ksize, stride, pads, out = geom
        a = g._data / div
        xp = get_array_module(a)
        padded = shape[:2] + tuple(n + lo + hi for n, (lo, hi) in zip(shape[2:], pads))
        buf = xp.zeros(padded, dtype=a.dtype)
        for offs in np.ndindex(*ksize):
            buf[_slices(offs, (1,) * len(ksize), stride, out)] += a
        crop = (slice(None), slice(None)) + tuple(
            slice(lo, lo + n) for n, (lo, _) in zip(shape[2:], pads)
        )
        ctx.geom, ctx.div, ctx.pool_cls = geom, div, pool_cls
        return xp.ascontiguousarray(buf[crop])

    @staticmethod
    def backward(ctx, gg):
        return ctx.pool_cls.apply(gg, ctx.geom, ctx.div), None, None, None, None


_AVG_POOLS = {2: AvgPool2d, 3: AvgPool3d}


def _avg_pool(k, input, kernel_size, stride, padding, ceil_mode, count_include_pad, override):
    fn = f"avg_pool{k}d"
    unbatched = _check_input(fn, input, k)
    if input._data.dtype.kind not in "f":
        raise NotImplementedError(
            f"\"{fn}_out_frame\" not implemented for '{type_word(input.dtype)}'"
        )
    if override is not None and override == 0:
        raise RuntimeError("divisor must be not zero")
    ksize, st, pad, _, out = _pool_args(fn, input, k, kernel_size, stride, padding, 1, ceil_mode)
    x = input.unsqueeze(0) if unbatched else input
    sizes = x._data.shape[2:]
    pads = _pads(sizes, ksize, st, pad, (1,) * k, out)
    xp = get_array_module(x._data)
    div = _divisor(xp, sizes, ksize, st, pad, out, count_include_pad, override, x._data.dtype)
    res = _AVG_POOLS[k].apply(x, (ksize, st, pads, out), div)
    return res.squeeze(0) if unbatched else res


def avg_pool2d(
    input,
    kernel_size,
    stride=None,
    padding=0,
    ceil_mode=False,
    count_include_pad=True,
    divisor_override=None,
):
    """2-D average pooling. Shapes as ``max_pool2d`` (no dilation). Each window's sum is divided
    by its size counting the zero padding (``count_include_pad``) or not, or by
    ``divisor_override``."""
    return _avg_pool(
        2, input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override
    )


def avg_pool3d(
    input,
    kernel_size,
    stride=None,
    padding=0,
    ceil_mode=False,
    count_include_pad=True,
    divisor_override=None,
):
    """3-D average pooling of (N, C, D, H, W) inputs; see ``avg_pool2d``."""
    return _avg_pool(
        3, input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override
    )


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    """1-D average pooling of (N, C, L) or (C, L) inputs; see ``avg_pool2d``."""
    if input._data.ndim not in (2, 3):
        raise RuntimeError(
            f"avg_pool1d() Expected 2D or 3D input tensor, but got {list(input._data.shape)}"
        )
    st = None if stride is None or stride == [] or stride == () else (1, _as_2d(stride))
    ksize, pad = (1, _as_2d(kernel_size)), (0, _as_2d(padding))
    x = input.unsqueeze(-2)
    out = _avg_pool(2, x, ksize, st, pad, ceil_mode, count_include_pad, None)
    return out.squeeze(-2)


# -- adaptive pooling --------------------------------------------------------------------------
def _adaptive_sizes(fn: str, x: Tensor, output_size, k: int) -> tuple:
    if isinstance(output_size, (list, tuple)):
        if len(output_size) != k:
            raise RuntimeError(f"{fn}: output_size must be {k}")
        sizes = output_size
    else:
        sizes = (output_size,) * k
    in_sizes = x._data.shape[-k:]
    sizes = tuple(n if s is None else int(s) for s, n in zip(sizes, in_sizes))
    if any(s < 0 for s in sizes):
        if fn.startswith("adaptive_avg"):
            raise RuntimeError(
                f"{fn}: elements of output_size must be greater than or equal to 0 but received "
                f"{{{', '.join(map(str, sizes))}}}"
            )
        shape = list(x._data.shape[:-k]) + list(sizes)
        neg = next(s for s in sizes if s < 0)
        raise RuntimeError(f"Trying to create tensor with negative dimension {neg}: {shape}")
    return sizes


def _adaptive_check(fn, x, k):
    nd = x._data.ndim
    if nd not in (k + 1, k + 2) or any(s == 0 for s in x._data.shape[-k - 1 :]):
        raise RuntimeError(
            f"{fn}(): Expected {k + 1}D or {k + 2}D tensor, but got {list(x._data.shape)}"
        )


def _adaptive_avg(k, input, output_size):
    fn = f"adaptive_avg_pool{k}d"
    _adaptive_check(fn, input, k)
    sizes = _adaptive_sizes(fn, input, output_size, k)
    nd = input._data.ndim
    in_sizes = input._data.shape[-k:]
    if all(s == 1 for s in sizes) and k > 1:
        return input.mean(tuple(range(nd - k, nd)), keepdim=True)
    mats = [(nd - k + i, area_matrix(o, n)) for i, (o, n) in enumerate(zip(sizes, in_sizes))]
    return resample(input, mats, f"AdaptiveAvgPool{k}DBackward0")


def adaptive_avg_pool2d(input: Tensor, output_size) -> Tensor:
    """Average pooling to a fixed output size: output cell i along a dim of length n averages
    [floor(i n / o), ceil((i + 1) n / o)). ``output_size`` is an int or a pair (None keeps
    that dim). Shapes: (N, C, H, W) or (C, H, W) -> (N, C, *output_size)."""
    return _adaptive_avg(2, input, output_size)


def adaptive_avg_pool3d(input: Tensor, output_size) -> Tensor:
    """Adaptive average pooling of (N, C, D, H, W) inputs; see ``adaptive_avg_pool2d``."""
    return _adaptive_avg(3, input, output_size)


def adaptive_avg_pool1d(input: Tensor, output_size) -> Tensor:
    """Adaptive average pooling of (N, C, L) or (C, L) inputs; see ``adaptive_avg_pool2d``."""
    if input._data.ndim not in (2, 3):
        raise RuntimeError(
            "adaptive_avg_pool1d() argument 'input' should have 2 or 3 dimensions, but got "
            f"{input._data.ndim}"
        )
    o = output_size[0] if isinstance(output_size, (list, tuple)) else output_size
    return _adaptive_avg(2, input.unsqueeze(-2), (1, o)).squeeze(-2)


def _window_index(o: int, n: int):
    """(o, kmax) input positions of each adaptive window (the last repeated to pad)."""
    i = np.arange(o)
    start = (i * n) // o
    end = -((-(i + 1) * n) // o)
    kmax = int((end - start).max())
    return np.minimum(start[:, None] + np.arange(kmax)[None, :], end[:, None] - 1)


class AdaptiveMaxPool2d(Function):
    node_name = "AdaptiveMaxPool2DBackward0"

    @staticmethod
    def forward(ctx, x, sizes):
        a = x._data
        xp = get_array_module(a)
        h, w = a.shape[2:]
        ih, iw = _window_index(sizes[0], h), _window_index(sizes[1], w)
        win = a[:, :, ih[:, :, None, None], iw[None, None, :, :]]  # (N, C, oh, kh, ow, kw)
        win = win.transpose(0, 1, 2, 4, 3, 5).reshape(a.shape[:2] + sizes + (-1,))
        pos = xp.argmax(win, axis=-1)
        if a.dtype.kind == "f":  # NaN wins, as in torch
            nan = win != win
            pos = xp.where(nan.any(-1), nan.argmax(-1), pos)
        values = xp.take_along_axis(win, pos[..., None], axis=-1)[..., 0]
        kw = iw.shape[1]
        rows = ih[xp.arange(sizes[0])[:, None], pos // kw]  # (N, C, oh, ow)
        cols = iw[xp.arange(sizes[1])[None, :], pos % kw]
        idx = (rows * w + cols).astype(np.int64)
        ctx.idx, ctx.shape = idx, a.shape
        return values, idx

    @staticmethod
    def backward(ctx, g, _gi):
        return IndexScatter.apply(g, ctx.idx, ctx.shape), None


def _adaptive_max(input, output_size):
    _adaptive_check("adaptive_max_pool2d", input, 2)
    sizes = _adaptive_sizes("adaptive_max_pool2d", input, output_size, 2)
    unbatched = input._data.ndim == 3
    x = input.unsqueeze(0) if unbatched else input
    out, idx = AdaptiveMaxPool2d.apply(x, sizes)
    if unbatched:
        return out.squeeze(0), idx.squeeze(0)
    return out, idx


def adaptive_max_pool2d_with_indices(input, output_size, return_indices=False):
    """``adaptive_max_pool2d`` returning (values, indices) always."""
    return _adaptive_max(input, output_size)


def adaptive_max_pool2d(input: Tensor, output_size, return_indices: bool = False):
    """Max pooling to a fixed output size, over the windows of ``adaptive_avg_pool2d``.
    ``return_indices`` also returns the flat index of each maximum in its (H, W) plane."""
    out, idx = _adaptive_max(input, output_size)
    return (out, idx) if return_indices else out


def adaptive_max_pool1d_with_indices(input, output_size, return_indices=False):
    """``adaptive_max_pool1d`` returning (values, indices) always."""
    if input._data.ndim not in (2, 3):
        raise RuntimeError(
            "adaptive_max_pool1d() argument 'input' should have 2 or 3 dimensions, but got "
            f"{input._data.ndim}"
        )
    o = output_size[0] if isinstance(output_size, (list, tuple)) else output_size
    out, idx = _adaptive_max(input.unsqueeze(-2), (1, o))
    return out.squeeze(-2), idx.squeeze(-2)


def adaptive_max_pool1d(input: Tensor, output_size, return_indices: bool = False):
    """Adaptive max pooling of (N, C, L) or (C, L) inputs."""
    out, idx = adaptive_max_pool1d_with_indices(input, output_size)
    return (out, idx) if return_indices else out


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """The partial inverse of ``max_pool2d``: each value written at its index, zeros elsewhere.
    Shapes: (N, C, H, W) -> (N, C, H_out, W_out), H_out = (H - 1) stride - 2 padding + kH."""
    k = _ntuple("kernel_size", "max_unpool2d", kernel_size, 2)
    st = k if stride is None else _ntuple("stride", "max_unpool2d", stride, 2)
    pad = _ntuple("padding", "max_unpool2d", padding, 2)
    h, w = input._data.shape[-2:]
    if output_size is None:
        size = ((h - 1) * st[0] - 2 * pad[0] + k[0], (w - 1) * st[1] - 2 * pad[1] + k[1])
    else:
        size = tuple(output_size)[-2:]
    shape = input._data.shape[:-2] + tuple(size)
    batched = input.unsqueeze(0) if input._data.ndim == 3 else input
    bshape = shape if input._data.ndim == 4 else (1,) + shape
    idx = indices._data if input._data.ndim == 4 else indices._data[None]
    out = IndexScatter.apply(batched, idx, bshape)
    return out.reshape(shape)
